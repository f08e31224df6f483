import { detectDotnet } from './detectors/dotnet';
import { detectElixir } from './detectors/elixir';
import { detectGo } from './detectors/go';
import { detectJava } from './detectors/java';
import { makeCommands, readMakeTargets } from './detectors/makefile';
import { detectNode } from './detectors/node';
import { detectPhp } from './detectors/php';
import { type Detection, openProjectDir } from './detectors/projectDir';
import { detectPython } from './detectors/python';
import { detectRuby } from './detectors/ruby';
import { detectRust } from './detectors/rust';

export type { Detection } from './detectors/projectDir';

/**
 * In order of preference when several match. Node comes last because a package.json often sits
 * next to another ecosystem's manifest only for tooling (a Rails app's assets, commit hooks).
 */
const DETECTORS = [
  detectGo,
  detectRust,
  detectElixir,
  detectDotnet,
  detectJava,
  detectRuby,
  detectPhp,
  detectPython,
  detectNode,
] as const;

/**
 * Every ecosystem found in the project root, the preferred one first. A Makefile's `test` /
 * `build` targets replace an ecosystem's conventional command (a team with a Makefile runs
 * `make test`), but never a command the project spelt out in its own scripts. A project with
 * only a Makefile is reported as type `other`. Empty when nothing is recognised.
 */
export async function detectProject(root: string): Promise<Detection[]> {
  const dir = await openProjectDir(root);
  const found = (await Promise.all(DETECTORS.map((detect) => detect(dir)))).filter((d): d is Detection => d !== null);
  const make = await readMakeTargets(dir);
  if (!make) return found;
  const fromMake = makeCommands(make);
  if (found.length === 0) {
    if (!fromMake.test && !fromMake.build) return [];
    return [
      {
        type: 'other',
        tool: 'make',
        label: 'Makefile',
        testCommand: fromMake.test,
        buildCommand: fromMake.build,
        explicit: { test: Boolean(fromMake.test), build: Boolean(fromMake.build) },
        evidence: [make.file],
      },
    ];
  }
  return found.map((d) => {
    const test = !d.explicit.test && fromMake.test ? fromMake.test : d.testCommand;
    const build = !d.explicit.build && fromMake.build ? fromMake.build : d.buildCommand;
    if (test === d.testCommand && build === d.buildCommand) return d;
    return { ...d, testCommand: test, buildCommand: build, evidence: [...d.evidence, make.file] };
  });
}
