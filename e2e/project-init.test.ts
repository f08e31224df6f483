/**
 * `codevf init` end to end: the built CLI, a real server, real project folders and git
 * repositories in temp dirs; once through the interactive wizard in a pseudo-terminal.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InitData } from '@codevf/protocol';
import { describe, expect, it } from 'vitest';
import { createTempHome, parseJsonOutput, runCli, spawnCliPty } from './harness/cli';
import { download, extractTarGz, useProjectWorld, writeTree } from './project-helpers';

const world = useProjectWorld();

const init = (cwd: string, args: string[], extra: Record<string, string> = {}) =>
  world.runCli(cwd, ['init', ...args], extra);
const project = (cwd: string) => {
  const dir = world.nodeRepo('codevf');
  return cwd ? join(dir, cwd) : dir;
};
const readConfig = (root: string) => JSON.parse(readFileSync(join(root, '.codevf', 'config.json'), 'utf8'));
const myProjects = async () =>
  (
    await (
      await fetch(`${world.server.baseUrl}/v1/projects`, { headers: { authorization: `Bearer ${world.token}` } })
    ).json()
  ).projects as { id: string }[];

describe('codevf init (non-interactive)', () => {
  it('registers a detected project with --yes and writes a valid config', async () => {
    const root = project('');
    const r = await init(root, ['--yes', '--json']);
    expect(r.code).toBe(0);
    const out = parseJsonOutput<InitData>(r);
    if (!out.ok) throw new Error(JSON.stringify(out.error));
    expect(out.data).toMatchObject({
      created: true,
      root,
      snapshot: null,
      detected: [{ type: 'node', tool: 'pnpm' }],
      gitignore: { line: '.codevf/cache/', suggested: true, updated: false },
      project: {
        type: 'node',
        testCommand: 'pnpm test',
        buildCommand: 'pnpm run build',
        allowedTools: [],
        branchMode: 'codevf',
        uploadsAllowed: false,
        ownerId: world.user.id,
      },
    });
    const config = readConfig(root);
    expect(config).toMatchObject({
      version: '1',
      projectId: out.data.projectId,
      testCommand: 'pnpm test',
      repoUploaded: false,
      branchMode: 'codevf',
    });
    expect(Date.parse(config.createdAt)).not.toBeNaN();
    expect(await myProjects()).toHaveLength(1);
  });

  it('updates the same project when run again, and uploads a snapshot without secrets', async () => {
    const root = project('');
    writeTree(root, {
      '.env': 'API_KEY=sk-live-do-not-upload',
      'config/tls.key': 'PRIVATE',
      'node_modules/dep/index.js': 'ignored',
      'dist/bundle.js': 'ignored',
      'notes/todo.md': 'untracked but not ignored',
    });
    const first = parseJsonOutput<InitData>(await init(root, ['--yes', '--json']));
    expect(first.ok).toBe(true);
    const id = first.ok ? first.data.projectId : '';
    const createdAt = readConfig(root).createdAt;

    const again = await init(root, [
      '--yes',
      '--json',
      '--upload',
      '--tools',
      'claude,gpt',
      '--test-command',
      'pnpm vitest',
    ]);
    expect(again.code).toBe(0);
    const out = parseJsonOutput<InitData>(again);
    if (!out.ok) throw new Error(JSON.stringify(out.error));
    expect(out.data).toMatchObject({ created: false, projectId: id });
    expect(out.data.project).toMatchObject({
      allowedTools: ['claude', 'gpt'],
      testCommand: 'pnpm vitest',
      uploadsAllowed: true,
    });
    expect(await myProjects()).toHaveLength(1);
    expect(readConfig(root)).toMatchObject({
      projectId: id,
      createdAt,
      repoUploaded: true,
      allowedTools: ['claude', 'gpt'],
    });
    // The current settings are shown before they change.
    expect(again.stderr).toContain('already set up');
    expect(again.stderr).toContain('pnpm test');

    const snap = out.data.snapshot;
    if (!snap) throw new Error('no snapshot in the answer');
    expect(snap.excluded.sensitive.sort()).toEqual(['.env', 'config/tls.key']);
    expect(out.data.project.lastSnapshot?.snapshotId).toBe(snap.snapshotId);
    const dl = await download(world.server, world.token, `/v1/projects/${id}/snapshot`);
    expect(dl.status).toBe(200);
    expect(createHash('sha256').update(dl.body).digest('hex')).toBe(snap.sha256);
    const files = await extractTarGz(dl.body);
    expect([...files.keys()].sort()).toEqual(
      [
        '.codevf/snapshot-manifest.json',
        '.gitignore',
        'notes/todo.md',
        'package.json',
        'pnpm-lock.yaml',
        'src/index.ts',
      ].sort(),
    );
    for (const content of files.values()) expect(content.toString()).not.toContain('sk-live-do-not-upload');
    const manifest = JSON.parse(files.get('.codevf/snapshot-manifest.json')?.toString() ?? '{}');
    expect(manifest.excluded).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '.env', reason: 'sensitive' }),
        expect.objectContaining({ path: 'node_modules', reason: 'gitignore' }),
      ]),
    );
  });

  it('finds the project from a subfolder', async () => {
    const root = project('');
    expect((await init(root, ['--yes', '--json'])).code).toBe(0);
    mkdirSync(join(root, 'src', 'deep'), { recursive: true });
    const r = await init(join(root, 'src', 'deep'), ['--yes', '--json']);
    const out = parseJsonOutput<InitData>(r);
    expect(out.ok && out.data).toMatchObject({ created: false, root });
    expect(existsSync(join(root, 'src', 'deep', '.codevf'))).toBe(false);
  });

  it('takes every answer from flags without a terminal', async () => {
    const root = world.tempDir('codevf-e2e-py-');
    writeTree(root, { 'pyproject.toml': '[tool.poetry]\nname = "x"\n', 'app.py': 'print(1)\n' });
    const r = await init(root, [
      '--json',
      '--name',
      'api',
      '--type',
      'python',
      '--test-command',
      'poetry run pytest -q',
      '--build-command',
      '',
      '--tools',
      'none',
      '--no-upload',
      '--any-branch',
    ]);
    expect(r.code).toBe(0);
    const out = parseJsonOutput<InitData>(r);
    expect(out.ok && out.data.project).toMatchObject({
      name: 'api',
      type: 'python',
      testCommand: 'poetry run pytest -q',
      buildCommand: '',
      allowedTools: [],
      branchMode: 'any',
    });
    // Not a git repository and no .gitignore: nothing to suggest.
    expect(out.ok && out.data.gitignore.suggested).toBe(false);
  });

  it('fails with E_NO_TTY naming the flags when it would have to ask', async () => {
    const root = project('');
    const r = await init(root, ['--json', '--type', 'node']);
    expect(r.code).toBe(2);
    const out = parseJsonOutput<InitData>(r);
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.error.code).toBe('E_NO_TTY');
    expect(out.error.hint).toContain('--yes');
    expect(out.error.hint).toContain('--test-command');
    expect(out.error.hint).not.toContain('--type');
    expect(existsSync(join(root, '.codevf'))).toBe(false);
    expect(await myProjects()).toHaveLength(0);

    const human = await init(root, []);
    expect(human.code).toBe(2);
    expect(human.stderr).toMatch(/no terminal/);
    expect(human.stdout).toBe('');
  });

  it('refuses bad flag values as usage errors', async () => {
    const root = project('');
    for (const args of [
      ['--type', 'cobol'],
      ['--tools', 'copilot'],
      ['--upload', '--no-upload'],
      ['--branch-only', '--any-branch'],
      ['--name', '  '],
    ]) {
      const r = await init(root, ['--yes', '--json', ...args]);
      expect(r.code).toBe(2);
      const out = parseJsonOutput<InitData>(r);
      expect(out.ok === false && out.error.code).toBe('E_VALIDATION');
    }
    expect(await myProjects()).toHaveLength(0);
  });

  it('explains a corrupt or foreign config instead of crashing', async () => {
    const root = project('');
    mkdirSync(join(root, '.codevf'));
    for (const text of ['{ not json', JSON.stringify({ compilerOptions: {} }), JSON.stringify({ version: '7' })]) {
      writeFileSync(join(root, '.codevf', 'config.json'), text);
      const r = await init(root, ['--yes', '--json']);
      expect(r.code).toBe(1);
      const out = parseJsonOutput<InitData>(r);
      expect(out.ok === false && out.error.code).toBe('E_CONFIG_INVALID');
      expect(out.ok === false && out.error.message).toContain('config.json');
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    }
    expect(await myProjects()).toHaveLength(0);
  });

  it('needs a login', async () => {
    const root = project('');
    const { home: empty, cleanup } = createTempHome();
    try {
      const r = await runCli(['init', '--yes', '--json'], { home: empty, cwd: root, env: world.env() });
      expect(r.code).toBe(4);
      expect(parseJsonOutput<InitData>(r)).toMatchObject({ ok: false, error: { code: 'E_NOT_LOGGED_IN' } });
      expect(existsSync(join(root, '.codevf'))).toBe(false);
    } finally {
      cleanup();
    }
  });

  it('refuses a snapshot over the size limit before uploading anything', async () => {
    const root = project('');
    writeTree(root, { 'data/big.txt': 'x'.repeat(50_000) });
    const r = await init(root, ['--yes', '--json', '--upload'], { CODEVF_SNAPSHOT_MAX_BYTES: '20000' });
    expect(r.code).toBe(1);
    const out = parseJsonOutput<InitData>(r);
    expect(out.ok === false && out.error.code).toBe('E_TOO_LARGE');
    expect(out.ok === false && out.error.message).toContain('data/big.txt');
    const [p] = await myProjects();
    const dl = await download(world.server, world.token, `/v1/projects/${p?.id}/snapshot`);
    expect(dl.status).toBe(404);
  });
});

describe('codevf init (wizard in a terminal)', () => {
  it('asks the spec’s questions, uploads with a progress bar, and offers the .gitignore line', async () => {
    const root = project('');
    const cli = await spawnCliPty(['init'], { home: world.home, cwd: root, env: world.env() });
    try {
      await cli.waitFor(/Detected Node\.js \(pnpm\).*Is that right\?/);
      cli.press('enter');
      await cli.waitFor('Test command');
      // Replace the suggested default with our own command.
      cli.write('npm run unit');
      cli.press('enter');
      await cli.waitFor('Build command');
      cli.press('enter');
      await cli.waitFor('Which AI tools');
      cli.press('space'); // Claude
      cli.press('down');
      cli.press('down');
      cli.press('space'); // GPT
      cli.press('enter');
      await cli.waitFor('Upload code for faster debugging?');
      cli.write('y');
      cli.press('enter');
      await cli.waitFor('codevf branch only?');
      cli.press('enter');
      await cli.waitFor('Add .codevf/cache/ to .gitignore?');
      cli.write('y');
      cli.press('enter');
      await cli.waitFor('Next:');
      const { exitCode } = await cli.exit;
      expect(exitCode).toBe(0);
      const screen = cli.screen();
      expect(screen).toContain('Registered project');
      // On a terminal the upload shows a progress bar with bytes and rate.
      expect(screen).toMatch(/Uploading .*100%.*KB \/ .*KB\/s/);
      expect(screen).toMatch(/Secrets kept back|Snapshot/);
    } finally {
      cli.kill();
    }
    expect(readConfig(root)).toMatchObject({
      type: 'node',
      testCommand: 'npm run unit',
      buildCommand: 'pnpm run build',
      allowedTools: ['claude', 'gpt'],
      repoUploaded: true,
      branchMode: 'codevf',
    });
    expect(readFileSync(join(root, '.gitignore'), 'utf8')).toMatch(/\n\.codevf\/cache\/\n$/);
    expect(await myProjects()).toHaveLength(1);
  });

  it('stops with exit 130 and writes nothing when the user presses Ctrl+C', async () => {
    const root = project('');
    const cli = await spawnCliPty(['init'], { home: world.home, cwd: root, env: world.env() });
    try {
      await cli.waitFor('Is that right?');
      cli.press('ctrl-c');
      const { exitCode } = await cli.exit;
      expect(exitCode).toBe(130);
    } finally {
      cli.kill();
    }
    expect(existsSync(join(root, '.codevf'))).toBe(false);
    expect(await myProjects()).toHaveLength(0);
  });
});
