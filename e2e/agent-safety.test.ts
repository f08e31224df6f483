/**
 * The safety layer under the agent verbs, by calling each verb's `run` directly with a real
 * API client against a real server and a scripted engineer: what an agent shares is checked
 * exactly as in a live session. A secret split across chunks of output is still masked; output
 * over the project's cap is cut; secrets files, oversized files and paths out of the project
 * are refused (and the engineer told why) without a byte of them sent; a context file that may
 * not go stops `ask` before any task exists.
 */

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openAgentProject } from '../packages/cli/src/agent/agentProject';
import { run as ask } from '../packages/cli/src/commands/ask';
import { run as shareFile } from '../packages/cli/src/commands/shareFile';
import { run as shareOutput } from '../packages/cli/src/commands/shareOutput';
import { createApiClient } from '../packages/cli/src/core/api';
import { createAuthStore } from '../packages/cli/src/core/authStore';
import { api } from '../packages/server/test/support/api';
import type { TestSession } from '../packages/server/test/support/wsClient';
import { type AgentWorld, createAgentWorld, PLANTED_SECRET } from './agent-harness';
import { engineerJoins, outputOf, requestCommand, requestFile, waitForFrame } from './fix-harness';
import { authFileFor } from './harness/cli';

let world: AgentWorld | undefined;
let engineer: TestSession | undefined;
afterEach(async () => {
  await engineer?.close();
  await world?.cleanup();
  world = undefined;
  engineer = undefined;
});

/** A world with a task the engineer has joined, and the agent's client and project. */
async function joined(settings: Record<string, unknown> = {}) {
  world = await createAgentWorld(settings);
  const client = createApiClient({
    baseUrl: world.server.baseUrl,
    authStore: createAuthStore(authFileFor(world.home)),
  });
  const project = await openAgentProject(world.project, client);
  const task = await ask({ api: client, project, question: 'stuck on a failing test' });
  engineer = await engineerJoins(world, task.taskId);
  return { w: world, client, project, taskId: task.taskId, engineer };
}

async function* chunks(...parts: string[]) {
  for (const p of parts) yield p;
}

describe('the agent verbs apply the live session’s safety layer', { timeout: 120_000 }, () => {
  it('share-output: a secret split across chunks is masked; the login’s own token is masked too', async () => {
    const { client, project, taskId, engineer, w } = await joined();
    const requestId = await requestCommand(engineer, 'env | sort');
    const half = Math.floor(PLANTED_SECRET.length / 2);
    const result = await shareOutput({
      api: client,
      project,
      taskId,
      requestId,
      output: chunks(
        `DB_PASSWORD=${PLANTED_SECRET.slice(0, half)}`,
        `${PLANTED_SECRET.slice(half)}\n`,
        `CODEVF_TOKEN=${w.customer.token}\nend\n`,
      ),
      exitCode: 0,
    });
    expect(result.redactions).toBe(2);
    await waitForFrame(engineer, 'command_result', requestId);
    const received = outputOf(engineer, requestId);
    expect(received).toContain('end\n');
    expect(received).not.toContain(PLANTED_SECRET);
    expect(received).not.toContain(w.customer.token);
  });

  it('share-output: output over the project’s maxOutputBytes is cut and marked truncated', async () => {
    const { client, project, taskId, engineer } = await joined({ maxOutputBytes: 2048 });
    const requestId = await requestCommand(engineer, 'yes | head -n 2000');
    const result = await shareOutput({ api: client, project, taskId, requestId, output: 'y\n'.repeat(2000) });
    expect(result).toMatchObject({ truncated: true });
    const frame = await waitForFrame(engineer, 'command_result', requestId);
    expect(frame.payload).toMatchObject({ truncated: true });
    expect(outputOf(engineer, requestId).length).toBeLessThanOrEqual(2048);
  });

  it('share-file: a secrets file and an oversized file are refused with the reason, nothing uploaded', async () => {
    const { client, project, taskId, engineer, w } = await joined({ maxFileBytes: 64 });
    writeFileSync(join(w.project, 'big.log'), 'x'.repeat(65));

    const envId = await requestFile(engineer, '.env');
    await expect(shareFile({ api: client, project, taskId, requestId: envId })).rejects.toMatchObject({
      code: 'E_FORBIDDEN',
      message: expect.stringContaining('usually holds secrets'),
      hint: expect.stringContaining(`codevf fix --resume ${taskId}`),
    });
    expect((await waitForFrame(engineer, 'approve_file', envId)).payload).toMatchObject({
      approved: false,
      refusedReason: expect.stringContaining('secrets'),
    });

    const bigId = await requestFile(engineer, 'big.log');
    await expect(shareFile({ api: client, project, taskId, requestId: bigId })).rejects.toMatchObject({
      code: 'E_FORBIDDEN',
      message: expect.stringContaining('too large'),
    });
    expect((await waitForFrame(engineer, 'approve_file', bigId)).payload).toMatchObject({ approved: false });

    const commandId = await requestCommand(engineer, 'ls');
    await expect(shareFile({ api: client, project, taskId, requestId: commandId })).rejects.toMatchObject({
      code: 'E_VALIDATION',
      hint: `Answer it with: codevf share-output ${taskId} ${commandId}`,
    });
    expect(engineer.frames.some((f) => f.type === 'file_upload')).toBe(false);
  });

  it('ask --context-file: a secrets file or a path out of the project stops it before a task exists', async () => {
    world = await createAgentWorld();
    const w = world;
    const client = createApiClient({ baseUrl: w.server.baseUrl, authStore: createAuthStore(authFileFor(w.home)) });
    const project = await openAgentProject(w.project, client);
    for (const file of ['.env', '../outside-secret.txt', 'missing.txt']) {
      await expect(ask({ api: client, project, question: 'help', contextFiles: [file] }), file).rejects.toMatchObject({
        code: 'E_FORBIDDEN',
      });
    }
    const tasks = await api(w.server.baseUrl, w.customer, 'GET', '/v1/tasks');
    expect(tasks.body.tasks).toEqual([]);
  });
});
