import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Proves that the compiler points at every place a new message type must be handled: a copy of
 * the protocol with one more member in a union is compiled together with the real code that
 * handles each union — the shared fold (which the CLI and the console both use), the console's
 * reader of unchecked events, the CLI's frame handler and the server's handler table. The
 * unmodified copy compiles; each addition fails exactly where it must be handled:
 *   - a persisted event: the shared fold and the console's reader. The CLI's frame handler
 *     passes every persisted event to the shared fold, so it needs no change (and gets none).
 *   - a client → server message: the server's handler table, a mapped type with a key per type.
 *   - a server → client control frame: the CLI's frame handler.
 */

const run = promisify(execFile);
const repo = resolve(__dirname, '../../..');
const tsc = join(repo, 'node_modules/typescript/bin/tsc');
/** The switches and tables over message types. */
const FOLD = 'packages/protocol/src/shared/sessionFold.ts';
const CONSOLE = 'packages/console/src/live/sessionState.ts';
const CLI = 'packages/cli/src/ui/serverFrame.ts';
const SERVER = 'packages/server/src/live/messageHandlers.ts';
const consumers = [FOLD, CONSOLE, CLI, SERVER];
/** Compiled too, for the declarations the handler table's imports rely on (Fastify's plugins). */
const alsoCompiled = ['packages/server/src/app.ts'];

/** One tsc run takes about 10 s of CPU (the server's handler table pulls in its domain code). */
const TSC_TIMEOUT_MS = 120_000;

let dir: string;

async function project(name: string, patch: Patch): Promise<string> {
  const root = join(dir, name);
  await cp(join(repo, 'packages/protocol/src'), join(root, 'src'), { recursive: true });
  for (const file of ['shared/messageTypes.ts', 'serverEvents.ts', 'clientMessages.ts', 'serverMessages.ts']) {
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
      files: [...consumers, ...alsoCompiled].map((c) =>
        c.startsWith('packages/protocol/src/') ? join(src, c.slice(22)) : join(repo, c),
      ),
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

type Patch = (file: string, text: string) => string;

/** Applies `edits` (file → [text to find, text to put there]) to the protocol's copy. */
function patching(edits: Record<string, [string, string][]>): Patch {
  return (file, text) => {
    let out = text;
    for (const [from, to] of edits[file] ?? []) {
      if (!out.includes(from)) throw new Error(`${file}: the place to add a member moved`);
      out = out.replace(from, to);
    }
    return out;
  };
}

/** A persisted event the server would store, and a message an engineer sends. */
const addEventAndClientMessage = patching({
  'shared/messageTypes.ts': [["  'guide_message',\n] as const;", "  'guide_message',\n  'ai_note',\n] as const;"]],
  'serverEvents.ts': [
    [
      '} as const satisfies Record<PersistedType',
      '  ai_note: z.object({ text: z.string() }),\n} as const satisfies Record<PersistedType',
    ],
  ],
  'clientMessages.ts': [
    ['  end_session: EndSession,\n', '  end_session: EndSession,\n  ai_hint: z.object({}),\n'],
    ["  end_session: 'either',\n", "  end_session: 'either',\n  ai_hint: 'engineer',\n"],
  ],
});

/** A control frame the server sends without storing it. */
const addControlFrame = patching({
  'serverMessages.ts': [['  error: ErrorFrame,\n', '  error: ErrorFrame,\n  notice: ErrorFrame,\n']],
});

const failingIn = (output: string) => consumers.filter((c) => output.includes(c.split('/').slice(-2).join('/')));

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
    'a new persisted event or client message fails where it must be handled, the CLI through the shared fold',
    async () => {
      const result = await typecheck(await project('event-and-client-message', addEventAndClientMessage));
      expect(result.ok).toBe(false);
      expect(failingIn(result.output)).toEqual([FOLD, CONSOLE, SERVER]);
      expect(result.output).toContain("not assignable to parameter of type 'never'");
      expect(result.output).toMatch(/messageHandlers\.ts.*Property 'ai_hint' is missing/);
    },
    TSC_TIMEOUT_MS,
  );

  it(
    'a new control frame fails in the CLI frame handler',
    async () => {
      const result = await typecheck(await project('control-frame', addControlFrame));
      expect(result.ok).toBe(false);
      expect(failingIn(result.output)).toEqual([CLI]);
    },
    TSC_TIMEOUT_MS,
  );
});
