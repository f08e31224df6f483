import { type Detection, firstPresent, type ProjectDir, stringRecord } from './projectDir';

type NodeManager = 'npm' | 'pnpm' | 'yarn' | 'bun';

const LOCKFILES: ReadonlyArray<[string, NodeManager]> = [
  ['bun.lock', 'bun'],
  ['bun.lockb', 'bun'],
  ['pnpm-lock.yaml', 'pnpm'],
  ['yarn.lock', 'yarn'],
  ['package-lock.json', 'npm'],
  ['npm-shrinkwrap.json', 'npm'],
];

// What `npm init` writes; running it would only ever fail.
const PLACEHOLDER_TEST = /no test specified/;

/** How each manager runs a package.json script. `bun test` is bun's own runner, not the script. */
const RUN: Record<NodeManager, { test: string; build: string }> = {
  npm: { test: 'npm test', build: 'npm run build' },
  pnpm: { test: 'pnpm test', build: 'pnpm run build' },
  yarn: { test: 'yarn test', build: 'yarn build' },
  bun: { test: 'bun run test', build: 'bun run build' },
};

export async function detectNode(dir: ProjectDir): Promise<Detection | null> {
  if (!dir.has('package.json')) return null;
  const pkg = (await dir.readJsonObject('package.json')) ?? {};
  const evidence = ['package.json'];

  // Corepack's `packageManager` field is the project's explicit choice; lockfiles are the fallback.
  let manager: NodeManager | undefined;
  const declared = typeof pkg.packageManager === 'string' ? pkg.packageManager.split('@')[0] : undefined;
  if (declared === 'npm' || declared === 'pnpm' || declared === 'yarn' || declared === 'bun') manager = declared;
  const lock = LOCKFILES.find(([file]) => dir.has(file));
  if (lock) evidence.push(lock[0]);
  manager ??= lock?.[1] ?? 'npm';

  const scripts = stringRecord(pkg.scripts);
  const hasTest = scripts.test !== undefined && !PLACEHOLDER_TEST.test(scripts.test);
  const hasBuild = scripts.build !== undefined;
  return {
    type: 'node',
    tool: manager,
    label: `Node.js (${manager})`,
    testCommand: hasTest ? RUN[manager].test : '',
    buildCommand: hasBuild ? RUN[manager].build : '',
    explicit: { test: hasTest, build: hasBuild },
    evidence: firstPresent(dir, ['tsconfig.json']) ? [...evidence, 'tsconfig.json'] : evidence,
  };
}
