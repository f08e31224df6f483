import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema';
import { eventsAfter } from '../tasks/eventLog';
import type { TaskBrief, TranscriptEvent } from './aiPrompt';

/** The events after `after`, all of them, parsed. */
export async function readTranscript(db: Kysely<Database>, taskId: string, after: number): Promise<TranscriptEvent[]> {
  const out: TranscriptEvent[] = [];
  for (let at = after; ; ) {
    const page = await eventsAfter(db, taskId, at, 500);
    for (const e of page) {
      out.push({
        seq: e.seq,
        type: e.type,
        senderId: e.senderId,
        timestamp: e.timestamp,
        payload: JSON.parse(e.payloadJson) as Record<string, unknown>,
      });
    }
    const last = page[page.length - 1];
    if (!last || page.length < 500) return out;
    at = last.seq;
  }
}

/** The task as a human engineer is shown it before the session. */
export async function readBrief(db: Kysely<Database>, taskId: string, aiName: string): Promise<TaskBrief | undefined> {
  const row = await db
    .selectFrom('tasks as t')
    .leftJoin('projects as p', 'p.id', 't.project_id')
    .select(['t.description', 'p.type', 'p.test_command', 'p.build_command'])
    .where('t.id', '=', taskId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    description: row.description,
    projectType: row.type ?? null,
    testCommand: row.test_command ?? null,
    buildCommand: row.build_command ?? null,
    aiName,
  };
}

const AI_ACTIONS = new Set(['engineer_message', 'request_command', 'request_file']);

function* newestFirst(events: readonly TranscriptEvent[]): Generator<TranscriptEvent> {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e) yield e;
  }
}

/** Seq of the AI's latest line or request (0: it has not acted yet). */
export function lastAiAction(events: readonly TranscriptEvent[], aiUserId: string): number {
  for (const e of newestFirst(events)) if (e.senderId === aiUserId && AI_ACTIONS.has(e.type)) return e.seq;
  return 0;
}

/**
 * Whether an event is news the AI must answer: a customer's line, guidance, or the outcome of
 * one of its requests (denied, expired, the output, the file). An approval alone is not: the
 * output that follows it is. Presence, billing and status are not news to the model.
 */
export function isTrigger(e: TranscriptEvent): boolean {
  switch (e.type) {
    case 'customer_message':
    case 'guide_message':
    case 'command_result':
    case 'file_upload':
    case 'request_expired':
      return true;
    case 'approve_command':
    case 'approve_file':
      return e.payload.approved === false;
    default:
      return false;
  }
}

/** Seq of the latest event the AI must answer (0: none). */
export function lastTrigger(events: readonly TranscriptEvent[]): number {
  for (const e of newestFirst(events)) if (isTrigger(e)) return e.seq;
  return 0;
}

/** Times in a row the same request or line counts as a loop (the third is not sent). */
export const LOOP_REPEATS = 3;

/** What makes two of the AI's actions "the same": the request's command or path, or the line's text. */
export function actionKey(type: string, payload: Record<string, unknown>): string {
  if (type === 'request_command') return `command:${String(payload.command).trim()}`;
  if (type === 'request_file') return `file:${String(payload.path).trim()}`;
  return `message:${String(payload.text).trim()}`;
}

/**
 * Whether the AI sending `key` now would be its LOOP_REPEATS-th identical request (or line) in a
 * row. Requests are compared with requests and lines with lines, so "run the tests" → chat →
 * "run the tests" → chat → "run the tests" is a loop, while retrying after a different request
 * in between is not.
 */
export function wouldLoop(events: readonly TranscriptEvent[], aiUserId: string, key: string): boolean {
  const isRequest = !key.startsWith('message:');
  let same = 0;
  for (const e of newestFirst(events)) {
    if (e.senderId !== aiUserId || !AI_ACTIONS.has(e.type)) continue;
    if ((e.type !== 'engineer_message') !== isRequest) continue;
    if (actionKey(e.type, e.payload) !== key) return false;
    if (++same >= LOOP_REPEATS - 1) return true;
  }
  return false;
}
