/**
 * Shared set-up of the agent tests (`--json` verbs and `codevf mcp`): the `codevf fix` world
 * (a real server, a customer logged in on disk, an engineer speaking the WebSocket protocol)
 * plus a project with a planted secret in `.env`, a note the engineer may read, and a file
 * next to the project that must never leave the machine.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Task } from '@codevf/protocol';
import { api } from '../packages/server/test/support/api';
import { createWorld, type FixWorld, writeProjectConfig } from './fix-harness';

/** A value only the project's `.env` holds: it must reach the engineer masked. */
export const PLANTED_SECRET = 'pl4nted-Db-Passw0rd-7f3a9c';
export const OUTSIDE_FILE = 'outside-secret.txt';

export interface AgentWorld extends FixWorld {
  projectId: string;
  /** Every token of the test's people: none may appear in anything the CLI prints. */
  tokens: string[];
}

/** `settings`: extra `.codevf/config.json` settings (size caps). */
export async function createAgentWorld(settings: Record<string, unknown> = {}): Promise<AgentWorld> {
  const world = await createWorld();
  const projectId = await writeProjectConfig(world, settings);
  writeFileSync(join(world.project, '.env'), `DB_PASSWORD=${PLANTED_SECRET}\n`);
  writeFileSync(join(world.project, 'notes.txt'), 'login fails after deploy 42\n');
  // Beside the project folder, reachable as ../outside-secret.txt.
  writeFileSync(join(dirname(world.project), OUTSIDE_FILE), 'outside the project\n');
  mkdirSync(join(world.project, 'src'), { recursive: true });
  return Object.assign(world, {
    projectId,
    tokens: [world.customer.token, world.customer.refreshToken, world.engineer.token],
  });
}

/** A second customer with a task of their own (which the first must not see). */
export async function otherCustomersTask(world: FixWorld): Promise<string> {
  const other = await world.server.createUser({ role: 'customer', name: 'Bob', credits: 50 });
  const tokens = await world.server.issueTokens(other.id);
  const res = await api<Task>(world.server.baseUrl, { token: tokens.accessToken }, 'POST', '/v1/tasks', {
    description: 'Bob’s own problem',
  });
  if (res.status !== 201) throw new Error(`task: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** The task as the server has it, read as its customer. */
export async function taskOf(world: FixWorld, taskId: string): Promise<Task & { driver?: string }> {
  const res = await api<Task>(world.server.baseUrl, world.customer, 'GET', `/v1/tasks/${taskId}`);
  return res.body;
}

/** Fails naming where a token appears. */
export function expectNoToken(tokens: string[], where: string, text: string): void {
  for (const token of tokens) {
    if (text.includes(token)) throw new Error(`a token appears in ${where}`);
  }
}
