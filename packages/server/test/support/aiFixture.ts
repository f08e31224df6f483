/**
 * Playing the AI in server tests: the AI claims a task when it is created (createTask), and a
 * test makes it act exactly as the driver would — through handleMessage with aiSender, so the
 * AI goes through the same role checks, schemas and rules as a human engineer's socket.
 */
import { randomUUID } from 'node:crypto';
import type { ClientMessageType } from '@codevf/protocol';
import { aiSender } from '../../src/ai/aiUser';
import { handleMessage } from '../../src/live/messageHandlers';
import type { TestServer } from './testServer';

/** Sends a message as the AI; resolves with the stored event's seq, rejects with the ApiError. */
export async function asAi(
  server: TestServer,
  taskId: string,
  type: Exclude<ClientMessageType, 'hello'>,
  payload: unknown,
): Promise<number | null> {
  const result = await handleMessage(server.ctx, aiSender(taskId), type, payload, randomUUID());
  if (result.error) throw result.error;
  return result.seq;
}

/** The stored task_ai row of a task. */
export function taskAiRow(server: TestServer, taskId: string) {
  return server.ctx.storage.db.selectFrom('task_ai').selectAll().where('task_id', '=', taskId).executeTakeFirst();
}
