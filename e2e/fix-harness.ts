/**
 * Shared set-up of the `codevf fix` end-to-end tests: a real server, a logged-in customer, a
 * project folder, the real CLI binary in a pseudo-terminal, and a scripted engineer speaking
 * the WebSocket protocol (the server's own test client).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Task } from '@codevf/protocol';
import { afterEach } from 'vitest';
import { api } from '../packages/server/test/support/api';
import {
  startTestServer,
  type TestServer,
  type TestServerOptions,
  type TestUser,
} from '../packages/server/test/support/testServer';
import { openSession, type ReceivedFrame, type TestSession } from '../packages/server/test/support/wsClient';
import { createTempHome, loginRecord, type PtyCli, spawnCliPty, stopCli, writeAuthFile } from './harness/cli';

export interface Person {
  user: TestUser;
  token: string;
}

export interface FixWorld {
  /** Replaced by a test that restarts the server; cleanup closes whichever is current. */
  server: TestServer;
  customer: Person & { refreshToken: string };
  engineer: Person;
  home: string;
  project: string;
  cleanup(): Promise<void>;
}

export type WorldOptions = TestServerOptions & { credits?: number };

/** Server, customer (logged in on disk), engineer, and an empty project folder. */
export async function createWorld(options: WorldOptions = {}): Promise<FixWorld> {
  // A data dir of our own, so a test can restart the server on it (startTestServer would
  // delete a dir it created when the first instance closes).
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'codevf-fix-data-'));
  const server = await startTestServer({ ...options, dataDir });
  const cust = await server.createUser({ role: 'customer', name: 'Ann', credits: options.credits ?? 100 });
  const custTokens = await server.issueTokens(cust.id);
  const eng = await server.createUser({ role: 'engineer', name: 'Maria', title: 'ex-FAANG' });
  const engTokens = await server.issueTokens(eng.id);
  const { home, cleanup: cleanHome } = createTempHome('codevf-fix-');
  const project = mkdtempSync(join(tmpdir(), 'codevf-fix-project-'));
  writeAuthFile(home, loginRecord(server.baseUrl, cust, custTokens));
  // Typed up front so `this` in cleanup() is a FixWorld: restart tests swap `server`.
  const world: FixWorld = {
    server,
    customer: { user: cust, token: custTokens.accessToken, refreshToken: custTokens.refreshToken },
    engineer: { user: eng, token: engTokens.accessToken },
    home,
    project,
    async cleanup() {
      await this.server.close();
      cleanHome();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
      rmSync(project, { recursive: true, force: true });
    },
  };
  return world;
}

/** Registers a project for the customer and writes `.codevf/config.json` with extra settings. */
export async function writeProjectConfig(world: FixWorld, settings: Record<string, unknown>): Promise<string> {
  const res = await api<{ id: string }>(world.server.baseUrl, world.customer, 'POST', '/v1/projects', {
    name: 'demo',
    type: 'node',
    testCommand: 'npm test',
    buildCommand: 'npm run build',
  });
  if (res.status !== 201 && res.status !== 200) throw new Error(`project: ${res.status} ${JSON.stringify(res.body)}`);
  mkdirSync(join(world.project, '.codevf'), { recursive: true });
  const config = {
    version: '1',
    projectId: res.body.id,
    allowedTools: [],
    testCommand: 'npm test',
    buildCommand: 'npm run build',
    repoUploaded: false,
    branchMode: 'codevf',
    createdAt: new Date().toISOString(),
    ...settings,
  };
  writeFileSync(join(world.project, '.codevf', 'config.json'), JSON.stringify(config, null, 2));
  return res.body.id;
}

export interface CliOptions {
  args?: string[];
  env?: Record<string, string | undefined>;
  baseUrl?: string;
  rows?: number;
  cols?: number;
}

/** The real `codevf fix` in a terminal, pointed at the test server (or a proxy in front of it). */
export function startFix(world: FixWorld, options: CliOptions = {}): Promise<PtyCli> {
  return spawnCliPty(options.args ?? ['fix', 'users cannot log in'], {
    home: world.home,
    cwd: world.project,
    cols: options.cols ?? 120,
    rows: options.rows ?? 40,
    env: {
      CODEVF_API_URL: options.baseUrl ?? world.server.baseUrl,
      CODEVF_RECONNECT_DELAY_MS: '50',
      ...options.env,
    },
  });
}

/** The customer's newest task, once the CLI has created it. */
export async function waitForTask(world: FixWorld, timeoutMs = 10_000): Promise<Task> {
  const start = Date.now();
  for (;;) {
    const res = await api<{ tasks?: Task[] } | Task[]>(world.server.baseUrl, world.customer, 'GET', '/v1/tasks');
    const tasks = Array.isArray(res.body) ? res.body : (res.body.tasks ?? []);
    const newest = [...tasks].sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
    if (newest) return newest;
    if (Date.now() - start > timeoutMs) throw new Error('the CLI created no task');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The engineer claims the task and opens the live socket. */
export async function engineerJoins(world: FixWorld, taskId: string): Promise<TestSession> {
  const res = await api(world.server.baseUrl, world.engineer, 'POST', `/v1/tasks/${taskId}/claim`);
  if (res.status !== 200) throw new Error(`claim: ${res.status} ${JSON.stringify(res.body)}`);
  return openSession({ baseUrl: world.server.baseUrl, taskId, token: world.engineer.token, timeoutMs: 15_000 });
}

/** CLI started, task created, engineer connected and announced on the customer's screen. */
export async function liveSession(world: FixWorld, options: CliOptions = {}) {
  const cli = await startFix(world, options);
  await cli.waitFor('Engineer connecting');
  const task = await waitForTask(world);
  const engineer = await engineerJoins(world, task.id);
  // The header saying so (the chat's line of the same name is written just before it).
  await cli.waitFor(/│ Engineer connected: Maria \(ex-FAANG\)[^\n]*\n[^\n]*CTRL\+C to exit/);
  return { cli, task, engineer };
}

/**
 * What the tests of one file start, stopped after each test whether it passed or not: call
 * `useFixRun()` at the top level of a test file and start worlds, CLIs and engineers through it.
 */
export function useFixRun() {
  let worlds: FixWorld[] = [];
  let clis: PtyCli[] = [];
  let closables: { close(): unknown }[] = [];
  // Engineers (and proxies) and CLIs first: they hold connections to the server the world closes.
  afterEach(async () => {
    for (const c of closables) await c.close();
    for (const c of clis) await stopCli(c);
    for (const w of worlds) await w.cleanup();
    worlds = [];
    clis = [];
    closables = [];
  });
  const run = {
    async world(options?: WorldOptions): Promise<FixWorld> {
      const world = await createWorld(options);
      worlds.push(world);
      return world;
    },
    stopAfter(cli: PtyCli): PtyCli {
      clis.push(cli);
      return cli;
    },
    /** An engineer's session or a proxy, closed after the test. */
    closeAfter<T extends { close(): unknown }>(thing: T): T {
      closables.push(thing);
      return thing;
    },
    /** `liveSession`, with its CLI and engineer stopped after the test. */
    async liveSession(world: FixWorld, options?: CliOptions) {
      const s = await liveSession(world, options);
      run.stopAfter(s.cli);
      run.closeAfter(s.engineer);
      return s;
    },
    /** A fresh world with a live session in it: the start of most `codevf fix` tests. */
    async live(options?: WorldOptions) {
      const world = await run.world(options);
      return { world, ...(await run.liveSession(world)) };
    },
  };
  return run;
}

/** The engineer asks to run a command (`place`: its folder and time limit); returns the server-assigned request id. */
export async function requestCommand(
  engineer: TestSession,
  command: string,
  reason = 'to see what happens',
  place: { cwd?: string; timeoutSeconds?: number } = {},
): Promise<string> {
  const seq = await engineer.expectAck('request_command', { command, reason, ...place });
  const ev = await engineer.waitForSeq(seq);
  return (ev.payload as { requestId: string }).requestId;
}

export async function requestFile(engineer: TestSession, path: string, reason = 'to read it'): Promise<string> {
  const seq = await engineer.expectAck('request_file', { path, reason });
  const ev = await engineer.waitForSeq(seq);
  return (ev.payload as { requestId: string }).requestId;
}

/** Frames of a type about one request, as the engineer received them. */
export function framesFor(engineer: TestSession, type: string, requestId: string): ReceivedFrame[] {
  return engineer.frames.filter(
    (f) => f.type === type && (f.payload as { requestId?: string }).requestId === requestId,
  );
}

export function waitForFrame(
  engineer: TestSession,
  type: string,
  requestId: string,
  timeoutMs?: number,
): Promise<ReceivedFrame> {
  return engineer.waitFor(
    (f) => f.type === type && (f.payload as { requestId?: string }).requestId === requestId,
    timeoutMs,
  );
}

/** All output of a command the engineer received, in order. */
export function outputOf(engineer: TestSession, requestId: string): string {
  return framesFor(engineer, 'command_output', requestId)
    .map((f) => (f.payload as { data: string }).data)
    .join('');
}

/** Waits until the prompt's keys are live (they are held back for a moment after it appears). */
export async function waitForCommandPrompt(cli: PtyCli, command: string): Promise<void> {
  await cli.waitFor(new RegExp(`Engineer requests to run:[\\s\\S]*${escapeRegExp(command)}[\\s\\S]*\\[y\\] run once`));
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A TCP proxy between the CLI and the server, to cut the network under a live session:
 * `drop()` kills every connection, `block()` refuses new ones until `unblock()`.
 */
export async function startProxy(target: string) {
  const net = await import('node:net');
  const { hostname, port } = new URL(target);
  const sockets = new Set<import('node:net').Socket>();
  let blocked = false;
  let connections = 0;
  let holdNext: { mode: 'drop' | 'noReply'; done: () => void } | null = null;
  const server = net.createServer((client) => {
    if (blocked) {
      client.destroy();
      return;
    }
    connections += 1;
    const upstream = net.connect(Number(port), hostname);
    sockets.add(client);
    sockets.add(upstream);
    upstream.pipe(client);
    client.on('data', (chunk: Buffer) => {
      const hold = holdNext;
      holdNext = null;
      // 'drop': the message never reaches the server. 'noReply': it does, but nothing the
      // server answers (its ack) comes back. Either way the test then cuts the connection.
      if (hold?.mode !== 'drop') upstream.write(chunk);
      if (hold?.mode === 'noReply') upstream.unpipe(client);
      hold?.done();
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as import('node:net').AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    get connections() {
      return connections;
    },
    drop() {
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    block() {
      blocked = true;
    },
    /** The next bytes the client sends still reach the server, but no answer reaches the client. */
    swallowRepliesAfterNextSend(): Promise<void> {
      return new Promise((done) => {
        holdNext = { mode: 'noReply', done };
      });
    },
    /** The next bytes the client sends are lost on the way. */
    dropNextSend(): Promise<void> {
      return new Promise((done) => {
        holdNext = { mode: 'drop', done };
      });
    },
    unblock() {
      blocked = false;
    },
    async close() {
      this.drop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Everything the terminal holds now, scrollback included, as a person scrolling up would read
 * it: the raw output played into a headless terminal of the CLI's size (startFix's default).
 * Finished lines are written once; the live part at the bottom is only there as last drawn.
 */
export async function terminalText(cli: PtyCli, cols = 120, rows = 40): Promise<string> {
  const { default: xterm } = await import('@xterm/headless');
  const term = new xterm.Terminal({ cols, rows, allowProposedApi: true, scrollback: 100_000 });
  await new Promise<void>((resolve) => term.write(cli.raw(), resolve));
  const buf = term.buffer.active;
  const out: string[] = [];
  for (let y = 0; y < buf.length; y++) out.push(buf.getLine(y)?.translateToString(true) ?? '');
  term.dispose();
  return out.join('\n');
}

/** The last complete frame Ink drew (the screen text is cumulative: every redraw is in it). */
export function lastFrame(screen: string): string {
  const re = /╭─+╮\n│[^\n]*(?:online|connecting|reconnecting|offline|closed)[^\n]*\n/g;
  let start = -1;
  for (let m = re.exec(screen); m; m = re.exec(screen)) start = m.index;
  return start === -1 ? screen : screen.slice(start);
}

export function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}
