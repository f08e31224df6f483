import { firstPresent, type ProjectDir } from './projectDir';

const MAKEFILES = ['GNUmakefile', 'makefile', 'Makefile'];

/** Rule lines: `name:` or `a b: deps`, but not variable assignments (`X := 1`, `X ::= 1`). */
const RULE = /^([A-Za-z0-9_.\-/ ]+?)\s*::?(?![=:])/;

export interface MakeTargets {
  file: string;
  targets: Set<string>;
}

/** The targets of the project's Makefile (the file GNU make would pick), or null without one. */
export async function readMakeTargets(dir: ProjectDir): Promise<MakeTargets | null> {
  const file = firstPresent(dir, MAKEFILES);
  if (!file) return null;
  const text = (await dir.read(file)) ?? '';
  const targets = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('\t') || line.startsWith('#')) continue;
    const m = RULE.exec(line);
    if (!m?.[1]) continue;
    for (const name of m[1].split(/\s+/)) {
      // Special targets (.PHONY) and pattern rules (%.o) are not things to run.
      if (name && !name.startsWith('.') && !name.includes('%')) targets.add(name);
    }
  }
  return { file, targets };
}

/** `make test` / `make build` when the Makefile has such a target (`check` and `all` as fallbacks). */
export function makeCommands(make: MakeTargets): { test: string; build: string } {
  const pick = (names: string[]) => names.find((n) => make.targets.has(n));
  const test = pick(['test', 'check']);
  const build = pick(['build', 'all']);
  return { test: test ? `make ${test}` : '', build: build ? `make ${build}` : '' };
}
