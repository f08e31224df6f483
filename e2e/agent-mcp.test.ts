/**
 * `codevf mcp` as a coding agent sees it: an MCP client from the official SDK spawns the real,
 * built CLI over stdio, against a real server and a scripted engineer on a real WebSocket.
 * The story: ask → the engineer replies → check_messages returns it (a long-poll woken by the
 * reply); a command request → check lists it → share_output → the engineer receives it with
 * the planted secret masked; a file outside the project refused; end with a rating. Every
 * call returns within 60 s (a hard bound, not a benchmark). Then: not logged in, server down,
 * unknown task, another customer's task, malformed arguments — each a tool error with the
 * code and a hint, the server process still answering. Every result and all of stderr are
 * scanned for the tokens.
 */

import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, describe, expect, it } from 'vitest';
import { TOOLS } from '../packages/cli/src/mcp/mcpTools';
import type { TestSession } from '../packages/server/test/support/wsClient';
import {
  type AgentWorld,
  createAgentWorld,
  expectNoToken,
  OUTSIDE_FILE,
  otherCustomersTask,
  PLANTED_SECRET,
  taskOf,
} from './agent-harness';
import { engineerJoins, outputOf, requestCommand, requestFile, waitForFrame } from './fix-harness';
import { authFileFor, CLI_PATH, cliEnv, createTempHome, storeLogin } from './harness/cli';

const CALL_BOUND_MS = 60_000;

interface Agent {
  client: Client;
  stderr(): string;
  /** Every result the agent received, as JSON text. */
  results: string[];
  call(name: string, args?: Record<string, unknown>): Promise<ToolResult>;
  close(): Promise<void>;
}

interface ToolResult {
  isError?: boolean;
  content: { type: string; text: string }[];
  structuredContent?: Record<string, any>;
}

const opened: { close(): Promise<void> }[] = [];
let world: AgentWorld | undefined;
afterEach(async () => {
  for (const o of opened.splice(0)) await o.close();
  await world?.cleanup();
  world = undefined;
});

async function newWorld(): Promise<AgentWorld> {
  world = await createAgentWorld();
  return world;
}

/** Spawns `codevf mcp` in the project with the given HOME, connected as an MCP client. */
async function startAgent(w: AgentWorld, options: { home?: string; baseUrl?: string } = {}): Promise<Agent> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI_PATH, 'mcp'],
    cwd: w.project,
    env: cliEnv(options.home ?? w.home, { CODEVF_API_URL: options.baseUrl ?? w.server.baseUrl }),
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString('utf8');
  });
  const client = new Client({ name: 'codevf-e2e', version: '1.0.0' });
  await client.connect(transport);
  const results: string[] = [];
  const agent: Agent = {
    client,
    stderr: () => stderr,
    results,
    async call(name, args = {}) {
      const started = Date.now();
      const result = (await client.callTool({ name, arguments: args }, undefined, {
        timeout: CALL_BOUND_MS + 5_000,
      })) as ToolResult;
      const took = Date.now() - started;
      expect(took, `${name} took ${took} ms`).toBeLessThan(CALL_BOUND_MS);
      results.push(JSON.stringify(result));
      return result;
    },
    close: () => client.close(),
  };
  opened.push(agent);
  return agent;
}

function ok(result: ToolResult): Record<string, any> {
  if (result.isError) throw new Error(`tool error: ${result.content[0]?.text}`);
  expect(result.content[0]?.type).toBe('text');
  expect(result.content[0]?.text.length).toBeGreaterThan(0);
  return result.structuredContent ?? {};
}

function toolError(result: ToolResult): { code: string; message: string; hint: string } {
  expect(result.isError, JSON.stringify(result)).toBe(true);
  const error = result.structuredContent?.error as { code: string; message: string; hint: string };
  expect(result.content[0]?.text).toContain(`${error.code}: `);
  expect(result.content[0]?.text).toContain(`Hint: ${error.hint}`);
  return error;
}

describe('codevf mcp over stdio (official SDK client, real server, scripted engineer)', { timeout: 180_000 }, () => {
  it('lists one tool per verb, with input schemas', async () => {
    const w = await newWorld();
    const agent = await startAgent(w);
    const { tools } = await agent.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(TOOLS.map((t) => t.name).sort());
    expect(tools.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        'ask',
        'check_messages',
        'reply',
        'share_output',
        'share_file',
        'decline',
        'end',
        'list_tasks',
      ]),
    );
    const check = tools.find((t) => t.name === 'check_messages');
    expect(check?.inputSchema).toMatchObject({
      type: 'object',
      properties: { waitSeconds: { type: 'integer', maximum: 50 } },
      required: ['taskId'],
    });
  });

  it('the story: ask, a reply woken from a wait, a command shared with the secret masked, an outside file refused, end with a rating', async () => {
    const w = await newWorld();
    const agent = await startAgent(w);

    const asked = ok(
      await agent.call('ask', { question: 'the login test fails', mode: 'human', contextFiles: ['notes.txt'] }),
    );
    expect(asked).toMatchObject({ status: 'queued', queuePosition: 1, contextFiles: [{ path: 'notes.txt' }] });
    const taskId = asked.taskId as string;
    expect((await taskOf(w, taskId)).driver).toBe('agent');
    expect(ok(await agent.call('list_tasks', {})).tasks).toEqual([
      expect.objectContaining({ id: taskId, driver: 'agent' }),
    ]);

    const engineer: TestSession = await engineerJoins(w, taskId);
    opened.push(engineer);
    const seen = ok(await agent.call('check_messages', { taskId, after: 0, waitSeconds: 0 }));
    let after = seen.nextAfter as number;

    // A wait in progress is woken by the engineer's reply.
    const waiting = agent.call('check_messages', { taskId, after, waitSeconds: 45 });
    await new Promise((r) => setTimeout(r, 500));
    await engineer.expectAck('engineer_message', { text: 'Hi, which test?' });
    const woke = ok(await waiting);
    expect(woke.events).toContainEqual(
      expect.objectContaining({ type: 'message', from: 'engineer', text: 'Hi, which test?' }),
    );
    after = woke.nextAfter;

    ok(await agent.call('reply', { taskId, text: 'auth.test.ts' }));
    await engineer.waitFor(
      (f) => f.type === 'customer_message' && (f.payload as { text: string }).text === 'auth.test.ts',
    );

    const commandId = await requestCommand(engineer, 'npm test -- auth', 'to see it fail');
    const listed = ok(await agent.call('check_messages', { taskId, after, waitSeconds: 20 }));
    expect(listed.pendingRequests).toEqual([
      expect.objectContaining({ requestId: commandId, kind: 'command', command: 'npm test -- auth', state: 'pending' }),
    ]);
    after = listed.nextAfter;

    const shared = ok(
      await agent.call('share_output', {
        taskId,
        requestId: commandId,
        output: `FAIL auth.test.ts\nusing DB_PASSWORD=${PLANTED_SECRET}\n`,
        exitCode: 1,
      }),
    );
    expect(shared).toMatchObject({ redactions: 1, truncated: false });
    await waitForFrame(engineer, 'command_result', commandId);
    expect(outputOf(engineer, commandId)).toContain('FAIL auth.test.ts');
    expect(outputOf(engineer, commandId)).not.toContain(PLANTED_SECRET);

    const outsideId = await requestFile(engineer, `../${OUTSIDE_FILE}`);
    const refused = toolError(await agent.call('share_file', { taskId, requestId: outsideId }));
    expect(refused).toMatchObject({
      code: 'E_FORBIDDEN',
      message: expect.stringContaining('escapes the project root'),
    });
    const refusal = await waitForFrame(engineer, 'approve_file', outsideId);
    expect(refusal.payload).toMatchObject({ approved: false });
    expect(engineer.frames.some((f) => f.type === 'file_upload')).toBe(false);

    const declineId = await requestCommand(engineer, 'git push --force', 'to publish the fix');
    ok(await agent.call('decline', { taskId, requestId: declineId, reason: 'the user pushes themselves' }));
    expect((await waitForFrame(engineer, 'approve_command', declineId)).payload).toMatchObject({
      approved: false,
      reason: 'the user pushes themselves',
    });

    const ended = ok(await agent.call('end', { taskId, rating: 4, feedback: 'helpful' }));
    expect(ended).toMatchObject({ status: 'ended', rating: 4 });
    expect(await taskOf(w, taskId)).toMatchObject({ status: 'ended', rating: 4 });
    // An ended task answers a wait at once.
    const final = ok(await agent.call('check_messages', { taskId, after, waitSeconds: 45 }));
    expect(final.status).toBe('ended');

    // stderr: one line per call (tool, outcome, time), never the arguments.
    expect(agent.stderr()).toMatch(/codevf mcp: ask → ok \(\d+ ms\)/);
    expect(agent.stderr()).toMatch(/codevf mcp: share_file → E_FORBIDDEN/);
    expect(agent.stderr()).not.toContain(PLANTED_SECRET);
    for (const [i, r] of agent.results.entries()) expectNoToken(w.tokens, `tool result ${i}`, r);
    expectNoToken(w.tokens, 'stderr of codevf mcp', agent.stderr());
  });

  it('refreshes an expired login on its own, like any verb, and shows neither token', async () => {
    const w = await newWorld();
    const { auth } = await storeLogin(w.server, w.home, w.customer.user, {
      expiresAt: new Date(Date.now() - 60_000).toISOString(),
    });
    const agent = await startAgent(w);
    expect(ok(await agent.call('list_tasks', {})).tasks).toEqual([]);
    const rotated = JSON.parse(readFileSync(authFileFor(w.home), 'utf8')) as {
      accessToken: string;
      refreshToken: string;
    };
    expect(rotated.accessToken).not.toBe(auth.accessToken);
    const tokens = [...w.tokens, auth.accessToken, auth.refreshToken, rotated.accessToken, rotated.refreshToken];
    for (const [i, r] of agent.results.entries()) expectNoToken(tokens, `tool result ${i}`, r);
    expectNoToken(tokens, 'stderr of codevf mcp', agent.stderr());
  });

  it('tool errors with the code and a hint: malformed arguments, unknown task, another customer’s task, not logged in, server down', async () => {
    const w = await newWorld();
    const agent = await startAgent(w);

    expect(toolError(await agent.call('check_messages', { taskId: 't', waitSeconds: 99 }))).toMatchObject({
      code: 'E_VALIDATION',
      message: expect.stringContaining('waitSeconds'),
    });
    expect(toolError(await agent.call('check_messages', { after: 0 })).code).toBe('E_VALIDATION');
    expect(toolError(await agent.call('end', { taskId: 't', rating: 'five' })).code).toBe('E_VALIDATION');
    expect(toolError(await agent.call('ask', { question: 'x', surprise: true })).code).toBe('E_VALIDATION');
    expect(toolError(await agent.call('no_such_tool', {})).code).toBe('E_VALIDATION');
    expect(toolError(await agent.call('check_messages', { taskId: 'no_such_task' })).code).toBe('E_NOT_FOUND');
    const theirs = await otherCustomersTask(w);
    expect(toolError(await agent.call('check_messages', { taskId: theirs, waitSeconds: 0 })).code).toBe('E_NOT_FOUND');
    expect(toolError(await agent.call('reply', { taskId: theirs, text: 'hi' })).code).toBe('E_NOT_FOUND');
    expect(toolError(await agent.call('share_output', { taskId: theirs, requestId: 'r', output: 'x' })).code).toBe(
      'E_NOT_FOUND',
    );

    const { home, cleanup } = createTempHome('codevf-mcp-nologin-');
    try {
      const anonymous = await startAgent(w, { home });
      expect(toolError(await anonymous.call('list_tasks', {}))).toMatchObject({
        code: 'E_NOT_LOGGED_IN',
        hint: 'Run: codevf login',
      });
      expect(ok(await anonymous.call('status', {}))).toMatchObject({ loggedIn: false });
    } finally {
      cleanup();
    }

    await w.server.close();
    expect(toolError(await agent.call('list_tasks', {})).code).toBe('E_UNREACHABLE');
    expect(ok(await agent.call('status', {}))).toMatchObject({ loggedIn: true, serverReachable: false });
    // Still serving after every failure.
    expect((await agent.client.listTools()).tools.length).toBe(TOOLS.length);

    for (const [i, r] of agent.results.entries()) expectNoToken(w.tokens, `tool result ${i}`, r);
    expectNoToken(w.tokens, 'stderr of codevf mcp', agent.stderr());
  });
});
