/**
 * Runs `codevf-server start` as a real child process, for tests that need separate server
 * processes — scale-out, kill -9 — rather than in-process apps: by default the TypeScript
 * sources through tsx; with `built`, the shipped build (dist/main.js), as the soak runs it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAIN = join(import.meta.dirname, '../../src/main.ts');
const BUILT_MAIN = join(import.meta.dirname, '../../dist/main.js');

export interface ServerProcess {
  baseUrl: string;
  child: ChildProcess;
  output: () => string;
  /** SIGKILL: no graceful shutdown, as when a machine dies. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export async function startServerProcess(
  env: Record<string, string>,
  options: { built?: boolean /** An existing data dir (SQLite), kept on stop. */; dataDir?: string } = {},
): Promise<ServerProcess> {
  if (options.built && !existsSync(BUILT_MAIN)) {
    throw new Error(`${BUILT_MAIN} is missing: run npm run build -w packages/server first`);
  }
  const entry = options.built ? [BUILT_MAIN] : ['--import', 'tsx', MAIN];
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'codevf-proc-'));
  const child = spawn(process.execPath, [...entry, 'start', '--port', '0', '--data-dir', dataDir], {
    env: { ...process.env, CODEVF_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 30_000);
    const check = () => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${out}`));
    });
  });
  const cleanup = () => {
    if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  return {
    baseUrl,
    child,
    output: () => out,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      cleanup();
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      cleanup();
    },
  };
}
