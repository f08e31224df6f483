import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveProjectDir } from '../../src/safety/projectDir';
import { createLocalWork } from '../../src/session/createLocalWork';
import type { LocalWork } from '../../src/session/localWork';
import { killQuietly, waitUntilGone } from './processes';

/**
 * A command's working directory, confined to the project on a real file system, and the runner
 * (createLocalWork → executeApproved → runApprovedCommand) honouring the folder and the time limit.
 */
describe('command working directory and time limit', () => {
  let base: string;
  let root: string;
  let outside: string;
  let local: LocalWork;

  beforeAll(async () => {
    base = realpathSync(mkdtempSync(join(tmpdir(), 'codevf-cwd-')));
    root = join(base, 'project');
    outside = join(base, 'outside');
    mkdirSync(join(root, 'packages', 'api'), { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(root, 'packages', 'api', 'marker.txt'), 'api\n');
    writeFileSync(join(root, 'README.md'), '# p\n');
    writeFileSync(join(outside, 'secret.txt'), 'outside\n');
    symlinkSync(outside, join(root, 'escape'));
    symlinkSync(join(root, 'packages', 'api'), join(root, 'api-link'));
    local = await createLocalWork({ projectRoot: root, secretsToStrip: [], openUrl: async () => false });
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  const run = async (command: string, place: { cwd?: string; timeoutSeconds?: number }) => {
    let out = '';
    const outcome = await local.runCommand(command, (_s, d) => (out += d), new AbortController().signal, place);
    return { out, outcome };
  };

  it('resolves folders inside the project, links inside it included, to their real path', async () => {
    expect(await resolveProjectDir(root, undefined)).toEqual({ ok: true, absPath: root, relPath: '' });
    expect(await resolveProjectDir(root, 'packages/api')).toEqual({
      ok: true,
      absPath: join(root, 'packages', 'api'),
      relPath: 'packages/api',
    });
    expect(await resolveProjectDir(root, 'packages/api/')).toMatchObject({ ok: true, relPath: 'packages/api' });
    expect(await resolveProjectDir(root, '.')).toMatchObject({ ok: true, relPath: '' });
    expect(await resolveProjectDir(root, 'api-link')).toMatchObject({ ok: true, relPath: 'packages/api' });
  });

  it('refuses folders outside the project, a symbolic link leading out, files and missing folders', async () => {
    const refused: [string, RegExp][] = [
      ['/etc', /must be relative to the project root/],
      [outside, /must be relative to the project root/],
      ['..', /must not contain \.\./],
      ['packages/../../outside', /must not contain \.\./],
      ['escape', /escapes the project root through a symbolic link/],
      ['escape/', /escapes the project root through a symbolic link/],
      ['README.md', /is not a folder/],
      ['nope', /does not exist in the project/],
      ['src\nx', /must not contain NUL, newlines/],
    ];
    for (const [cwd, reason] of refused) {
      const dir = await resolveProjectDir(root, cwd);
      expect(dir.ok, cwd).toBe(false);
      if (!dir.ok) expect(dir.reason, cwd).toMatch(reason);
      expect(await local.checkDir(cwd), cwd).toMatchObject({ ok: false });
    }
    expect(await local.checkDir('packages/api')).toEqual({ ok: true });
  });

  it('runs the approved command in the folder asked for, and in the root without one', async () => {
    const inApi = await run('pwd; cat marker.txt', { cwd: 'packages/api' });
    expect(inApi.outcome).toMatchObject({ exitCode: 0 });
    expect(inApi.out).toBe(`${join(root, 'packages', 'api')}\napi\n`);
    const inRoot = await run('pwd', {});
    expect(inRoot.out).toBe(`${root}\n`);
  });

  it('runs nothing when the folder turned into a link out of the project after the check', async () => {
    mkdirSync(join(root, 'swapped'));
    expect(await local.checkDir('swapped')).toEqual({ ok: true });
    rmSync(join(root, 'swapped'), { recursive: true });
    symlinkSync(outside, join(root, 'swapped'));
    const r = await run('cat secret.txt', { cwd: 'swapped' });
    expect(r.out).toBe('');
    expect(r.outcome).toMatchObject({ exitCode: null, durationMs: 0 });
    expect(r.outcome.error).toMatch(/escapes the project root through a symbolic link; nothing ran/);
  });

  it("stops the whole process tree at the engineer's time limit", async () => {
    let pid: number | undefined;
    try {
      const started = Date.now();
      const r = await run('sleep 100 & echo "PID=$!"; wait', { timeoutSeconds: 1 });
      pid = Number(/PID=(\d+)/.exec(r.out)?.[1]);
      expect(r.outcome).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGTERM' });
      // The limit, not the 10-minute default, ended it (generous bound: the machine is shared).
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(await waitUntilGone(pid)).toBe(true);
    } finally {
      killQuietly(pid);
    }
  });
});
