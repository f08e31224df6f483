/**
 * The two npm packages as customers and operators get them: `npm pack` of `codevf` and
 * `codevf-server`, both tarballs installed into a temporary prefix outside the repository (their
 * dependencies from the npm registry, through the local npm cache; no workspace links), the
 * installed server started from an empty folder with its embedded default, the installed CLI
 * logged in through the device flow approved in Chromium, `whoami --json`, `init`, and a short
 * `fix` session with a scripted engineer on a real WebSocket. Needs `npm run build` first.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, signIn } from '../packages/server/test/support/api';
import { openSession, type TestSession } from '../packages/server/test/support/wsClient';
import { outputOf, requestCommand, waitForCommandPrompt, waitForFrame } from './fix-harness';
import { launchBrowser, openConsole, signInThroughForm } from './harness/browser';
import { createTempHome, parseJsonOutput, REPO_ROOT, runCli, spawnCliPty, startCli } from './harness/cli';

const run = promisify(execFile);
const BUILD_OUTPUTS = [
  'packages/cli/dist/codevf.js',
  'packages/server/dist/main.js',
  'packages/server/dist/console/index.html',
];
/** Ink imports it only when installed and DEV=true (guarded by import.meta.resolve); never needed. */
const OPTIONAL_IMPORTS = new Set(['react-devtools-core']);
const USER_CODE = /\b([B-DF-HJ-NP-TV-XZ]{4}-[B-DF-HJ-NP-TV-XZ]{4})\b/;

interface Packed {
  name: string;
  filename: string;
  files: { path: string }[];
}

let work: string;
let packed: Packed[];
let prefix: string;
let server: ChildProcess | undefined;
let serverOut = '';
let baseUrl: string;
let passwords: Record<string, { email: string; password: string }>;
let browser: Browser | undefined;
let home: string;
let cleanHome: () => void;
let engineer: TestSession | undefined;

/** The machine's npm, without the settings `npm test` hands its children (workspace root, prefix). */
function npmEnv(): Record<string, string> {
  const keep = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig', 'npm_config_nodedir']);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && (!k.toLowerCase().startsWith('npm_') || keep.has(k.toLowerCase()))) env[k] = v;
  }
  return env;
}

/** node first on PATH: the installed bins start with `#!/usr/bin/env node`. */
const pathWithNode = () => [dirname(process.execPath), process.env.PATH ?? ''].join(delimiter);

/** Bare module names imported by the .js files under dir (relative imports and built-ins left out). */
function bareImports(dir: string): Set<string> {
  const names = new Set<string>();
  const builtins = new Set(builtinModules);
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.js')) continue;
    // A specifier has no white space: that keeps a string that merely ends in `from "` out.
    const code = readFileSync(join(dir, name), 'utf8');
    for (const m of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["']([^"'./\s][^"'\s]*)["']/g)) {
      const spec = m[1]!;
      if (spec.startsWith('node:') || builtins.has(spec) || builtins.has(spec.split('/')[0]!)) continue;
      names.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  }
  return names;
}

/** Starts the installed `codevf-server start --dev` in an empty folder; resolves with its address. */
function startInstalledServer(cwd: string): Promise<string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(npmEnv())) {
    if (!k.startsWith('CODEVF_') && k !== 'DATABASE_URL' && k !== 'REDIS_URL') env[k] = v;
  }
  const child = spawn(join(prefix, 'bin', 'codevf-server'), ['start', '--dev', '--port', '0'], {
    cwd,
    env: { ...env, PATH: pathWithNode(), HOME: cwd, CODEVF_DEVICE_POLL_INTERVAL: '1', CODEVF_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server = child;
  child.stdout.on('data', (d) => (serverOut += d));
  child.stderr.on('data', (d) => (serverOut += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${serverOut}`)), 30_000);
    child.stdout.on('data', () => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(serverOut);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${serverOut}`));
    });
  });
}

beforeAll(async () => {
  const missing = BUILD_OUTPUTS.filter((f) => !existsSync(join(REPO_ROOT, f)));
  if (missing.length > 0) throw new Error(`${missing.join(', ')} missing: run npm run build first`);
  work = mkdtempSync(join(tmpdir(), 'codevf-pack-'));
  const { stdout } = await run(
    'npm',
    ['pack', '-w', 'packages/cli', '-w', 'packages/server', '--pack-destination', work, '--json'],
    { cwd: REPO_ROOT, env: npmEnv(), maxBuffer: 16 * 1024 * 1024 },
  );
  packed = JSON.parse(stdout) as Packed[];
  prefix = join(work, 'prefix');
  const outside = join(work, 'elsewhere');
  mkdirSync(outside);
  await run(
    'npm',
    [
      'install',
      '--global',
      '--prefix',
      prefix,
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      ...packed.map((p) => join(work, p.filename)),
    ],
    { cwd: outside, env: { ...npmEnv(), PATH: pathWithNode() }, maxBuffer: 16 * 1024 * 1024 },
  );
}, 240_000);

afterAll(async () => {
  await engineer?.close();
  await browser?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server!.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  cleanHome?.();
  if (work) rmSync(work, { recursive: true, force: true });
});

// One story in order: each step uses what the one before it installed, started or logged in.
describe('the npm packages, installed from their tarballs', () => {
  it('each tarball holds only what runs, and declares every package its code imports', {
    timeout: 30_000,
  }, async () => {
    expect(packed.map((p) => p.name).sort()).toEqual(['codevf', 'codevf-server']);
    for (const p of packed) {
      const dir = join(work, 'unpacked', p.name);
      mkdirSync(dir, { recursive: true });
      await run('tar', ['-xzf', join(work, p.filename), '-C', dir, '--strip-components=1']);
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      const allowed =
        p.name === 'codevf'
          ? /^(package\.json|README\.md|LICENSE|dist\/[\w.-]+\.js)$/
          : /^(package\.json|README\.md|LICENSE|dist\/[\w.-]+\.js|dist\/console\/.+)$/;
      const stray = p.files.map((f) => f.path).filter((f) => !allowed.test(f) || f.endsWith('.map'));
      expect(stray, `${p.name}: files that do not run`).toEqual([]);
      expect(manifest.private).toBeUndefined();
      expect(manifest.license).toBe('MIT');
      expect(manifest.engines).toEqual({ node: '>=22' });
      expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toBe(readFileSync(join(REPO_ROOT, 'LICENSE'), 'utf8'));
      const bin = Object.values(manifest.bin as Record<string, string>)[0]!;
      expect(readFileSync(join(dir, bin), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
      const deps = Object.keys(manifest.dependencies ?? {});
      expect(deps.filter((d) => d.startsWith('@codevf/'))).toEqual([]);
      const undeclared = [...bareImports(join(dir, 'dist'))].filter(
        (n) => !deps.includes(n) && !OPTIONAL_IMPORTS.has(n),
      );
      expect(undeclared, `${p.name}: imported but not in dependencies`).toEqual([]);
    }
    expect(
      packed.find((p) => p.name === 'codevf-server')!.files.some((f) => f.path === 'dist/console/index.html'),
    ).toBe(true);
  });

  it('installs without the repository: real folders, no workspace package anywhere', () => {
    for (const name of ['codevf', 'codevf-server']) {
      const dir = join(prefix, 'lib', 'node_modules', name);
      expect(lstatSync(dir).isSymbolicLink(), `${name} is a link`).toBe(false);
      expect(
        existsSync(join(dir, 'node_modules', '@codevf')) || existsSync(join(prefix, 'lib', 'node_modules', '@codevf')),
      ).toBe(false);
      expect(relative(REPO_ROOT, dir).startsWith('..')).toBe(true);
    }
    expect(existsSync(join(prefix, 'bin', 'codevf'))).toBe(true);
    expect(existsSync(join(prefix, 'bin', 'codevf-server'))).toBe(true);
  });

  it('the installed server starts from an empty folder, keeps its data there and serves the console', {
    timeout: 45_000,
  }, async () => {
    const folder = join(work, 'operator');
    mkdirSync(folder);
    baseUrl = await startInstalledServer(folder);
    passwords = {};
    for (const m of serverOut.matchAll(/(customer|engineer|admin)\s+(\S+@\S+)\s+password: (\S+)/g)) {
      passwords[m[1]!] = { email: m[2]!, password: m[3]! };
    }
    expect(Object.keys(passwords).sort()).toEqual(['admin', 'customer', 'engineer']);
    expect(serverOut).toContain(`SQLite in ${join(folder, '.codevf-data')}`);
    expect(existsSync(join(folder, '.codevf-data'))).toBe(true);
    const page = await fetch(`${baseUrl}/device`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    expect((await fetch(`${baseUrl}/readyz`)).status).toBe(200);
  });

  it('the installed CLI logs in through the device flow approved in Chromium; whoami --json agrees', {
    timeout: 90_000,
  }, async () => {
    ({ home, cleanup: cleanHome } = createTempHome('codevf-pack-home-'));
    const bin = join(prefix, 'bin', 'codevf');
    const env = { PATH: pathWithNode() };
    const login = startCli(['login', '--base-url', baseUrl, '--no-browser', '--json'], {
      home,
      bin,
      env,
      timeoutMs: 60_000,
    });
    const stderr = await login.waitForStderr(/Direct link: \S+/, 20_000);
    const code = USER_CODE.exec(stderr)![1]!;
    const link = /Direct link: (\S+)/.exec(stderr)![1]!;
    expect(link.startsWith(`${baseUrl}/device`)).toBe(true);

    browser = await launchBrowser();
    const { page, problems } = await openConsole(browser, baseUrl);
    await page.goto(link);
    await signInThroughForm(page, passwords.customer!.email, passwords.customer!.password);
    await page.getByRole('heading', { name: 'Approve a device login' }).waitFor();
    expect(await page.getByTestId('user-code').textContent()).toBe(code);
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByText('Device approved').waitFor();
    expect(problems).toEqual([]);

    const result = await login.result;
    expect(result.code, result.stderr).toBe(0);
    expect(parseJsonOutput(result)).toMatchObject({
      ok: true,
      data: { loggedIn: true, baseUrl, user: { email: passwords.customer!.email, role: 'customer' } },
    });

    // No --base-url, no CODEVF_API_URL: the server the login came from.
    const whoami = await runCli(['whoami', '--json'], { home, bin, env });
    expect(whoami.code, whoami.stderr).toBe(0);
    expect(parseJsonOutput(whoami)).toMatchObject({
      ok: true,
      data: { loggedIn: true, baseUrl, user: { email: passwords.customer!.email } },
    });
  });

  it('init and a short fix session: the engineer chats and runs an approved command', { timeout: 90_000 }, async () => {
    const bin = join(prefix, 'bin', 'codevf');
    const env = { PATH: pathWithNode() };
    const project = join(work, 'project');
    mkdirSync(project);
    const init = await runCli(['init', '--yes', '--json'], { home, bin, env, cwd: project, timeoutMs: 30_000 });
    expect(init.code, init.stderr).toBe(0);
    expect(existsSync(join(project, '.codevf', 'config.json'))).toBe(true);

    const cli = await spawnCliPty(['fix', '--mode', 'human', 'the build fails'], {
      home,
      bin,
      env,
      cwd: project,
      cols: 120,
      rows: 40,
    });
    try {
      await cli.waitFor('Engineer connecting', 20_000);
      const eng = await signIn(baseUrl, passwords.engineer!.email, passwords.engineer!.password);
      const queue = await api<{ tasks: { id: string }[] }>(baseUrl, eng, 'GET', '/v1/queue');
      expect(queue.body.tasks).toHaveLength(1);
      const taskId = queue.body.tasks[0]!.id;
      expect((await api(baseUrl, eng, 'POST', `/v1/tasks/${taskId}/claim`)).status).toBe(200);
      engineer = await openSession({ baseUrl, taskId, cookie: eng.cookie, origin: baseUrl, timeoutMs: 15_000 });
      await cli.waitFor('Engineer connected: Maria (ex-FAANG)');

      engineer.send('engineer_message', { text: 'Hello from the installed server' });
      await cli.waitFor('Maria: Hello from the installed server');
      const id = await requestCommand(engineer, 'echo packaged-cli-ok', 'check the installed CLI');
      await waitForCommandPrompt(cli, 'echo packaged-cli-ok');
      cli.press('y');
      await waitForFrame(engineer, 'command_result', id);
      expect(outputOf(engineer, id)).toContain('packaged-cli-ok');

      cli.write('thanks');
      cli.press('enter');
      const reply = await engineer.waitFor((f) => f.type === 'customer_message');
      expect(reply.payload).toMatchObject({ text: 'thanks' });
    } finally {
      cli.kill('SIGKILL');
      await Promise.race([cli.exit, new Promise((r) => setTimeout(r, 2_000))]);
    }
  });
});
