import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import init from '../../src/commands/init';
import { configPath } from '../../src/project/projectConfig';
import { git, makeRepo, PNPM_PROJECT, writeTree } from '../project/gitFixture';
import { type CommandWorld, deadUrl, withLoggedInRepoWorld } from './commandWorld';
import type { FakeApiServer } from './fakeApiServer';

let server: FakeApiServer;
let world: CommandWorld;
const dirs = withLoggedInRepoWorld((s, w) => {
  server = s;
  world = w;
});

/** A pnpm project in a git repository on the codevf branch. */
function nodeRepo(extra: Record<string, string> = {}): string {
  const dir = makeRepo({ ...PNPM_PROJECT, ...extra }, 'codevf');
  dirs.push(dir);
  return dir;
}

const readConfig = (root: string) => JSON.parse(readFileSync(configPath(root), 'utf8'));
const ALL_FLAGS = {
  type: 'python',
  'test-command': 'uv run pytest',
  'build-command': '',
  tools: 'claude,gpt',
  'no-upload': true,
  'any-branch': true,
};
const NOW = Date.parse('2026-03-04T05:06:07.000Z');

describe('init handler', () => {
  it('--yes registers the detected project, writes the config and suggests the cache line', async () => {
    const root = nodeRepo();
    git(root, 'remote', 'add', 'origin', 'https://carol:ghp_secret123@github.com/acme/shop.git');
    const { result, error, io } = await world.handle(
      init,
      { flags: { yes: true } },
      { cwd: root, overrides: { now: () => NOW } },
    );
    expect(error).toBeUndefined();
    const project = server.projects.get(result?.projectId ?? '');
    expect(result).toEqual({
      projectId: project?.id,
      created: true,
      root,
      configPath: join(root, '.codevf', 'config.json'),
      project,
      detected: [{ type: 'node', tool: 'pnpm', label: expect.stringContaining('pnpm') }],
      snapshot: null,
      gitignore: { line: '.codevf/cache/', suggested: true, updated: false },
    });
    expect(project).toMatchObject({
      name: root.split('/').pop(),
      type: 'node',
      testCommand: 'pnpm test',
      buildCommand: 'pnpm run build',
      allowedTools: [],
      branchMode: 'codevf',
      uploadsAllowed: false,
      repoUrl: 'https://github.com/acme/shop.git',
    });
    const at = new Date(NOW).toISOString();
    expect(readConfig(root)).toEqual({
      version: '1',
      projectId: project?.id,
      name: project?.name,
      type: 'node',
      allowedTools: [],
      testCommand: 'pnpm test',
      buildCommand: 'pnpm run build',
      repoUploaded: false,
      branchMode: 'codevf',
      createdAt: at,
      updatedAt: at,
    });
    expect(io.stdoutText()).toBe('');
    expect(io.stderrText()).toBe('');
  });

  it('every answer as a flag needs no terminal and no --yes', async () => {
    const root = nodeRepo();
    const { result } = await world.handle(init, { flags: { ...ALL_FLAGS, name: 'Shop API' } }, { cwd: root });
    expect(result?.project).toMatchObject({
      name: 'Shop API',
      type: 'python',
      testCommand: 'uv run pytest',
      buildCommand: '',
      allowedTools: ['claude', 'gpt'],
      branchMode: 'any',
      uploadsAllowed: false,
    });
    expect(readConfig(root)).toMatchObject({ name: 'Shop API', type: 'python', branchMode: 'any' });
  });

  it('run again: shows the current settings and updates the same project, keeping createdAt', async () => {
    const root = nodeRepo();
    const first = await world.handle(init, { flags: { yes: true } }, { cwd: root, overrides: { now: () => NOW } });
    const again = await world.handle(
      init,
      { flags: { yes: true, tools: 'gemini' } },
      { cwd: root, overrides: { now: () => NOW + 60_000 } },
    );
    expect(again.result).toMatchObject({ projectId: first.result?.projectId, created: false });
    expect(server.projects.size).toBe(1);
    expect(server.projects.get(first.result?.projectId ?? '')?.allowedTools).toEqual(['gemini']);
    expect(readConfig(root)).toMatchObject({
      projectId: first.result?.projectId,
      allowedTools: ['gemini'],
      createdAt: new Date(NOW).toISOString(),
      updatedAt: new Date(NOW + 60_000).toISOString(),
    });
    expect(again.io.stderrText()).toBe(
      [
        `This folder is already set up for CodeVF (project ${first.result?.projectId}). Current settings:`,
        '  Type             Node.js',
        '  Test command     pnpm test',
        '  Build command    pnpm run build',
        '  AI tools         (none)',
        '  Code upload      no',
        '  Engineer access  codevf branch only',
        '',
      ].join('\n'),
    );
  });

  it('a project the server does not know is registered again, with a warning', async () => {
    const root = nodeRepo();
    await world.handle(init, { flags: { yes: true } }, { cwd: root });
    writeFileSync(configPath(root), JSON.stringify({ ...readConfig(root), projectId: 'p_gone' }));
    const { result, io } = await world.handle(init, { flags: { yes: true } }, { cwd: root });
    expect(result?.created).toBe(true);
    expect(result?.projectId).not.toBe('p_gone');
    expect(readConfig(root).projectId).toBe(result?.projectId);
    expect(io.stderrText()).toContain(
      `Warning: Project p_gone is not on ${server.baseUrl} (or not yours); registering it again.\n`,
    );
  });

  it('finds the project from a subfolder', async () => {
    const root = nodeRepo();
    await world.handle(init, { flags: { yes: true } }, { cwd: root });
    mkdirSync(join(root, 'src', 'deep'), { recursive: true });
    const { result } = await world.handle(init, { flags: { yes: true } }, { cwd: join(root, 'src', 'deep') });
    expect(result).toMatchObject({ root, created: false });
    expect(existsSync(join(root, 'src', 'deep', '.codevf'))).toBe(false);
  });

  it('--upload sends a snapshot without secret files and reports what was left out', async () => {
    const root = nodeRepo({ '.env': 'TOKEN=ghp_secret\n', 'dist/out.js': 'built\n' });
    const { result, error } = await world.handle(init, { flags: { yes: true, upload: true } }, { cwd: root });
    expect(error).toBeUndefined();
    expect(server.uploads).toEqual([
      { kind: 'snapshot', projectId: result?.projectId, bytes: result?.snapshot?.bytes, sha256: expect.any(String) },
    ]);
    expect(result?.snapshot).toMatchObject({
      snapshotId: 's_1',
      sha256: server.uploads[0]?.sha256,
      files: expect.any(Number),
      excluded: { sensitive: ['.env'], byReason: expect.objectContaining({ sensitive: 1 }) },
    });
    // The project is read back after the upload, so it shows the snapshot.
    expect(result?.project.lastSnapshot).toMatchObject({ snapshotId: 's_1' });
    expect(result?.project.uploadsAllowed).toBe(true);
  });

  it('without a terminal and without every answer: E_NO_TTY naming the missing flags, nothing written', async () => {
    const root = nodeRepo();
    const { error } = await world.handle(init, { flags: { type: 'node' } }, { cwd: root });
    expect(error).toMatchObject({ code: 'E_NO_TTY', exitCode: 2 });
    const hint = (error as { hint: string }).hint;
    expect(hint).toBe(
      'Pass --yes to take the defaults, or answer with flags: --test-command <cmd>, --build-command <cmd>, ' +
        '--tools <claude,gemini,gpt,other|none>, --upload / --no-upload, --branch-only / --any-branch.',
    );
    expect(existsSync(join(root, '.codevf'))).toBe(false);
    expect(server.projects.size).toBe(0);
  });

  it('bad flag values are E_VALIDATION before the login or the server is looked at', async () => {
    const root = nodeRepo();
    for (const flags of [
      { type: 'cobol' },
      { tools: 'copilot' },
      { upload: true, 'no-upload': true },
      { 'branch-only': true, 'any-branch': true },
      { name: '  ' },
    ]) {
      const { error } = await world.handle(init, { flags: { yes: true, ...flags } }, { cwd: root });
      expect(error).toMatchObject({ code: 'E_VALIDATION', hint: 'Run: codevf init --help' });
    }
    expect(server.seen).toEqual([]);
  });

  it('a corrupt config is E_CONFIG_INVALID with how to fix it', async () => {
    const root = nodeRepo();
    mkdirSync(join(root, '.codevf'));
    writeFileSync(configPath(root), '{ not json');
    const { error } = await world.handle(init, { flags: { yes: true } }, { cwd: root });
    expect(error).toMatchObject({
      code: 'E_CONFIG_INVALID',
      message: expect.stringContaining('config.json'),
      hint: `Fix the file, or delete it and run codevf init again: rm ${configPath(root)}`,
    });
    expect(server.seen).toEqual([]);
  });

  it('not logged in: E_NOT_LOGGED_IN before anything is detected or written', async () => {
    const root = nodeRepo();
    const { error } = await world.handle(
      init,
      { flags: { yes: true } },
      { cwd: root, env: { CODEVF_API_URL: await deadUrl() } },
    );
    expect(error).toMatchObject({ code: 'E_NOT_LOGGED_IN', exitCode: 4 });
    expect(existsSync(join(root, '.codevf'))).toBe(false);
  });

  it('a snapshot over CODEVF_SNAPSHOT_MAX_BYTES is E_TOO_LARGE and nothing is uploaded', async () => {
    const root = nodeRepo();
    writeTree(root, { 'data/big.txt': 'x'.repeat(50_000) });
    const { error } = await world.handle(
      init,
      { flags: { yes: true, upload: true } },
      { cwd: root, env: { CODEVF_SNAPSHOT_MAX_BYTES: '20000' } },
    );
    expect(error).toMatchObject({ code: 'E_TOO_LARGE', message: expect.stringContaining('data/big.txt') });
    expect(server.uploads).toEqual([]);
  });
});

describe('codevf init', () => {
  it('--json: the envelope with exit 0', async () => {
    const root = nodeRepo();
    const out = await world.run(['init', '--yes', '--json'], { cwd: root });
    expect(out.code).toBe(0);
    expect(out.json()).toMatchObject({ ok: true, data: { created: true, root, snapshot: null } });
    expect(out.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('text: the registered settings, the config path relative to the folder, and what to do next', async () => {
    const root = nodeRepo();
    const out = await world.run(['init', '--yes'], { cwd: root });
    expect(out.code).toBe(0);
    const id = [...server.projects.keys()][0];
    const name = root.split('/').pop();
    expect(out.stdout).toBe(
      [
        `✔ Registered project ${name} (${id})`,
        '  Type             Node.js',
        '  Test command     pnpm test',
        '  Build command    pnpm run build',
        '  AI tools         (none)',
        '  Code upload      no',
        '  Engineer access  codevf branch only',
        '  Config           .codevf/config.json',
        '',
        'Next: commit your work on the codevf branch and run codevf sync, then codevf fix "<what is wrong>".',
        '',
      ].join('\n'),
    );
    expect(out.stderr).toBe("Tip: add .codevf/cache/ to .gitignore: echo '.codevf/cache/' >> .gitignore\n");
  });

  it('E_NO_TTY: exit 2, in the envelope or as text', async () => {
    const root = nodeRepo();
    const json = await world.run(['init', '--json'], { cwd: root });
    expect(json.code).toBe(2);
    expect(json.json()).toMatchObject({ ok: false, error: { code: 'E_NO_TTY' } });
    const text = await world.run(['init'], { cwd: root });
    expect(text).toMatchObject({ code: 2, stdout: '' });
    expect(text.stderr).toMatch(/^Error: codevf init asks questions, and no terminal is attached/);
  });

  it('unknown flags are E_VALIDATION, exit 2', async () => {
    const out = await world.run(['init', '--yes', '--lang', 'go']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain("Unknown option '--lang'");
  });
});
