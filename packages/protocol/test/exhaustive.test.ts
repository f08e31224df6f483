import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Proves that the compiler points at every place a new message type must be handled: a copy of
 * the protocol with one more persisted event is compiled together with the real folds of the
 * protocol, the CLI and the console. The unmodified copy compiles; the one with the new member
 * fails in each of them. (The server's handler table is a mapped type over the client
 * messages: a missing handler is a missing key, which tsc reports without a test.)
 */

const run = promisify(execFile);
const repo = resolve(__dirname, '../../..');
const tsc = join(repo, 'node_modules/typescript/bin/tsc');
/** The switches and tables over message types, one per client and the server. */
const consumers = [
  'packages/protocol/src/shared/sessionFold.ts',
  'packages/cli/src/ui/frameFold.ts',
  'packages/console/src/live/sessionState.ts',
];

/** One tsc run takes about 5 s of CPU; on a busy two-core machine several times that in wall time. */
const TSC_TIMEOUT_MS = 120_000;

let dir: string;

async function project(name: string, patch: (file: string, text: string) => string): Promise<string> {
  const root = join(dir, name);
  await cp(join(repo, 'packages/protocol/src'), join(root, 'src'), { recursive: true });
  for (const file of ['shared/messageTypes.ts', 'serverEvents.ts', 'clientMessages.ts']) {
    const path = join(root, 'src', file);
    await writeFile(path, patch(file, await readFile(path, 'utf8')));
  }
  const src = join(root, 'src');
  await writeFile(
    join(root, 'tsconfig.json'),
    JSON.stringify({
      extends: join(repo, 'tsconfig.base.json'),
      compilerOptions: {
        lib: ['ES2023', 'DOM', 'DOM.Iterable'],
        types: ['node'],
        typeRoots: [join(repo, 'node_modules/@types')],
        paths: {
          '@codevf/protocol': [join(src, 'index.ts')],
          '@codevf/protocol/shared': [join(src, 'shared/index.ts')],
          '@codevf/protocol/*': [join(src, '*.ts')],
          zod: [join(repo, 'node_modules/zod')],
        },
      },
      // The consumers import the copy through `paths`; the copy's own fold is compiled in place.
      files: consumers.map((c) => (c.startsWith('packages/protocol/src/') ? join(src, c.slice(22)) : join(repo, c))),
    }),
  );
  return root;
}

async function typecheck(root: string): Promise<{ ok: boolean; output: string }> {
  try {
    await run(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { maxBuffer: 16 * 1024 * 1024 });
    return { ok: true, output: '' };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** One more member in each union: a persisted event and a message an engineer sends. */
function addMembers(file: string, text: string): string {
  const edits: Record<string, [string, string]> = {
    'shared/messageTypes.ts': ["  'session_end',\n] as const;", "  'session_end',\n  'ai_note',\n] as const;"],
    'serverEvents.ts': [
      '} as const satisfies Record<PersistedType',
      '  ai_note: z.object({ text: z.string() }),\n} as const satisfies Record<PersistedType',
    ],
    'clientMessages.ts': ['  end_session: EndSession,\n', '  end_session: EndSession,\n  ai_hint: z.object({}),\n'],
  };
  const [from, to] = edits[file] ?? ['', ''];
  if (!text.includes(from)) throw new Error(`${file}: the place to add a member moved`);
  let out = text.replace(from, to);
  if (file === 'clientMessages.ts')
    out = out.replace("  end_session: 'either',\n", "  end_session: 'either',\n  ai_hint: 'engineer',\n");
  return out;
}

describe('exhaustive handling of message types', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'codevf-exhaustive-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it(
    'compiles as it is',
    async () => {
      const result = await typecheck(await project('as-is', (_file, text) => text));
      expect(result.output).toBe('');
      expect(result.ok).toBe(true);
    },
    TSC_TIMEOUT_MS,
  );

  it(
    'fails the typecheck in every consumer when a member is added but not handled',
    async () => {
      const result = await typecheck(await project('extra-member', addMembers));
      expect(result.ok).toBe(false);
      const failing = consumers.filter((c) => result.output.includes(c.split('/').slice(-2).join('/')));
      expect(failing).toEqual(consumers);
      expect(result.output).toContain("not assignable to parameter of type 'never'");
    },
    TSC_TIMEOUT_MS,
  );
});
