// Proves that each rule of .dependency-cruiser.cjs fires: the repository's own config is run
// over a small tree that breaks every rule once and also holds the imports the rules allow, and
// the violations found must be exactly the planted ones.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEPCRUISE = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');

const pkg = (name) => JSON.stringify({ name, type: 'module', exports: { '.': './src/main.ts' } });

/** path → contents; each forbidden import says which rule it breaks. */
const FILES = {
  'tsconfig.test.json': JSON.stringify({ compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler' } }),
  'packages/protocol/package.json': pkg('@codevf/protocol'),
  'packages/protocol/src/main.ts': 'export const version = 1;\n',
  'packages/protocol/src/leak.ts': "import { run } from '../../cli/src/main';\nexport const r = run;\n", // protocol-imports-no-workspace-package
  'packages/server/package.json': pkg('@codevf/server'),
  'packages/server/src/main.ts': "import { version } from '@codevf/protocol';\nexport const server = version;\n",
  'packages/server/src/cycleA.ts': "import { b } from './cycleB';\nexport const a = () => b;\n", // no-cycles-in-src
  'packages/server/src/cycleB.ts': "import { a } from './cycleA';\nexport const b = () => a;\n",
  'packages/server/src/typeA.ts': "import type { B } from './typeB';\nexport const a: B | null = null;\n", // no-type-only-cycles-in-src
  'packages/server/src/typeB.ts': "import { a } from './typeA';\nexport type B = typeof a;\n",
  'packages/server/test/main.test.ts':
    "import { server } from '../src/main';\nimport { boot } from './support/testServer';\nexport const t = [server, boot];\n",
  'packages/server/test/support/testServer.ts':
    "import { server } from '../../src/main';\nexport const boot = server;\n",
  'packages/cli/package.json': pkg('@codevf/cli'),
  'packages/cli/src/main.ts': "import { server } from '@codevf/server';\nexport const run = server;\n", // only-server-tests-import-server
  'packages/cli/src/missing.ts': "import { gone } from './nowhere';\nexport const m = gone;\n", // no-unresolvable-relative-imports
  'packages/cli/test/serverSupport.test.ts':
    "import { boot } from '../../server/test/support/testServer';\nexport const t = boot;\n", // only-server-tests-import-server
  'packages/cli/test/harness.test.ts': "import { cli } from '../../../e2e/harness/cli';\nexport const t = cli;\n", // packages-do-not-import-e2e-or-bench
  'packages/console/src/stats.ts': "import { p } from '../../../bench/lib/stats.mjs';\nexport const s = p;\n", // packages-do-not-import-e2e-or-bench
  'packages/console/src/usesTest.ts': "import { fake } from '../test/support/fake';\nexport const u = fake;\n", // product-code-does-not-import-tests
  'packages/console/test/support/fake.ts': 'export const fake = 1;\n',
  'e2e/harness/cli.ts':
    "import { run } from '../../packages/cli/src/main';\nimport { boot } from '../../packages/server/test/support/testServer';\nexport const cli = [run, boot];\n",
  'e2e/flow.test.ts':
    "import { cli } from './harness/cli';\nimport { server } from '../packages/server/src/main';\nexport const t = [cli, server];\n",
  'bench/lib/stats.mjs': 'export const p = 1;\n',
  'bench/soak.mjs':
    "import { server } from '../packages/server/src/main.ts';\nimport { p } from './lib/stats.mjs';\nexport const s = [server, p];\n",
};

// A cycle is reported once, at the first of its modules in path order.
const EXPECTED = [
  ['no-cycles-in-src', 'error', 'packages/server/src/cycleA.ts'],
  ['no-type-only-cycles-in-src', 'error', 'packages/server/src/cycleA.ts'],
  ['no-type-only-cycles-in-src', 'error', 'packages/server/src/typeA.ts'],
  ['protocol-imports-no-workspace-package', 'error', 'packages/protocol/src/leak.ts'],
  ['only-server-tests-import-server', 'error', 'packages/cli/src/main.ts'],
  ['only-server-tests-import-server', 'error', 'packages/cli/test/serverSupport.test.ts'],
  ['packages-do-not-import-e2e-or-bench', 'error', 'packages/cli/test/harness.test.ts'],
  ['packages-do-not-import-e2e-or-bench', 'error', 'packages/console/src/stats.ts'],
  ['product-code-does-not-import-tests', 'error', 'packages/console/src/usesTest.ts'],
  ['no-unresolvable-relative-imports', 'error', 'packages/cli/src/missing.ts'],
];

const dirs = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function plant() {
  const dir = mkdtempSync(join(tmpdir(), 'codevf-structure-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(FILES)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  // The workspace links npm makes, so that package names resolve to the packages' sources.
  mkdirSync(join(dir, 'node_modules/@codevf'), { recursive: true });
  for (const name of ['protocol', 'server', 'cli'])
    symlinkSync(`../../packages/${name}`, join(dir, `node_modules/@codevf/${name}`));
  return dir;
}

describe('.dependency-cruiser.cjs', () => {
  it('finds exactly the planted violations, each rule at least once, and none on allowed imports', () => {
    const dir = plant();
    const depcruise = (...output) =>
      spawnSync(process.execPath, [DEPCRUISE, 'packages', 'e2e', 'bench', '--config', CONFIG, ...output], {
        cwd: dir,
        encoding: 'utf8',
      });
    const json = depcruise('--output-type', 'json');
    expect(json.stderr).toBe('');
    const found = JSON.parse(json.stdout).summary.violations.map((v) => [v.rule.name, v.rule.severity, v.from]);
    expect(found.sort()).toEqual([...EXPECTED].sort());
    // As `npm run structure` runs it: the errors fail the check (and so `npm test`).
    const check = depcruise();
    expect(check.stdout).toContain('(10 errors, 0 warnings)');
    expect(check.status).not.toBe(0);
  }, 60_000);

  it('every rule of the config is planted above', async () => {
    const { default: config } = await import(CONFIG);
    expect(new Set(config.forbidden.map((r) => r.name))).toEqual(new Set(EXPECTED.map(([name]) => name)));
  });
});
