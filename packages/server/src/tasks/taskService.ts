import type { CreateTaskBody, SenderRole, Task } from '@codevf/protocol';
import { AI_USER_ID, isAiLed } from '../ai/aiUser';
import type { AuthUser } from '../auth/guards';
import { freeAiMinutesLeft } from '../billing/aiAllowance';
import type { AppContext } from '../context';
import { ApiError } from '../http/errors';
import { newId } from '../ids';
import { ownedProject, parseTools } from '../projects/projectService';
import { claimByAiInTx } from './aiClaim';
import { checkQueuedTasks } from './caps';
import { isGuide } from './guides';
import { claimPaceSeconds, estimateWaitSeconds, type QueueSlot, queuedTaskIds, queueSlot } from './queue';
import { type EndedBy, endTaskInTx } from './taskEnd';
import { resolveMode } from './taskMode';
import { withNewTask, withTaskLock } from './taskTransaction';
import { findTaskRecord, selectTasks, type TaskRecord, toTask } from './taskView';

export type Access = 'view' | 'participate';

/**
 * The one visibility rule: a customer sees their own tasks; an engineer sees queued tasks (the
 * queue) and tasks the AI leads (to pick one to guide), takes part in the tasks they claimed,
 * and in an AI-led task they guide (reading all, writing only guidance); nobody else sees
 * anything. Tasks you may not see are "not found", so ids cannot be probed.
 */
export async function visibleTask(
  ctx: AppContext,
  user: AuthUser,
  taskId: string,
  access: Access,
): Promise<TaskRecord> {
  const task = await findTaskRecord(ctx.storage.db, taskId);
  if (task) {
    if (user.role === 'customer' && task.customer_id === user.id) return task;
    if (user.role === 'engineer') {
      if (task.engineer_id === user.id) return task;
      const aiLed = isAiLed(task);
      if (aiLed && (await isGuide(ctx.storage.db, taskId, user.id))) return task;
      if (task.status === 'queued' || aiLed) {
        if (access === 'view') return task;
        throw new ApiError(
          'E_FORBIDDEN',
          aiLed
            ? 'The AI leads this task: guide it (POST …/guide) before joining.'
            : 'Claim the task before joining it.',
        );
      }
    }
  }
  throw new ApiError('E_NOT_FOUND', 'No such task.');
}

/** Role of the caller in a task they take part in (visibleTask with 'participate' passed). */
export function roleIn(task: TaskRecord, user: AuthUser): SenderRole {
  if (task.customer_id === user.id) return 'customer';
  return task.engineer_id === user.id ? 'engineer' : 'guide';
}

/** The API view, with queue position and estimate while queued and the balance for the customer. */
export async function taskView(ctx: AppContext, user: AuthUser, record: TaskRecord): Promise<Task> {
  const task = toTask(record, ctx.clock.now());
  if (record.status === 'queued') Object.assign(task, await queueSlot(ctx.storage.db, record, ctx.clock.now()));
  if (user.role === 'customer') {
    const me = await ctx.storage.db.selectFrom('users').select('credits').where('id', '=', user.id).executeTakeFirst();
    task.creditsRemaining = Number(me?.credits ?? 0);
  }
  return task;
}

export async function createTask(ctx: AppContext, user: AuthUser, body: CreateTaskBody): Promise<Task> {
  if (user.role !== 'customer') throw new ApiError('E_FORBIDDEN', 'Only customers create tasks.');
  const db = ctx.storage.db;
  const allowedTools = body.projectId
    ? parseTools((await ownedProject(ctx, user, body.projectId)).allowed_tools)
    : null;
  const { mode, modeNote } = resolveMode(ctx.config.ai, body.mode, allowedTools);
  const byAi = mode !== 'human';
  // What a paid minute with this help costs; a free AI minute left today also lets a customer start (below).
  const rate = byAi ? ctx.config.ai.creditsPerMinute : ctx.config.creditsPerMinute;
  if (body.maxCredits !== undefined && body.maxCredits < rate) {
    throw new ApiError('E_VALIDATION', `maxCredits must be at least one minute's worth (${rate} credits).`, {
      fieldErrors: [{ path: 'maxCredits', message: `must be at least ${rate}` }],
    });
  }
  const me = await db.selectFrom('users').select('credits').where('id', '=', user.id).executeTakeFirst();
  const balance = Number(me?.credits ?? 0);
  const freeAiMinute = byAi && (await freeAiMinutesLeft(db, ctx.config.ai, user.id, ctx.clock.now())) > 0;
  if (balance < rate && !freeAiMinute) {
    throw new ApiError(
      'E_INSUFFICIENT_CREDITS',
      `A session costs ${rate} credit${rate === 1 ? '' : 's'} per minute and your balance is ${balance}.`,
    );
  }

  const now = ctx.clock.now();
  const change = await withNewTask(
    ctx,
    async (storage) => {
      await checkQueuedTasks(storage, user.id, ctx.config.maxQueuedTasksPerCustomer, byAi);
      const id = newId();
      await storage.db
        .insertInto('tasks')
        .values({
          id,
          customer_id: user.id,
          project_id: body.projectId ?? null,
          description: body.description,
          mode,
          mode_note: modeNote,
          // The AI claims its task at once, in this transaction (claimByAiInTx below).
          status: byAi ? 'active' : 'queued',
          engineer_id: byAi ? AI_USER_ID : null,
          created_at: now.toISOString(),
          claimed_at: byAi ? now.toISOString() : null,
          ended_at: null,
          ended_by: null,
          end_reason: null,
          max_credits: body.maxCredits ?? null,
          credits_used: 0,
          rating: null,
          feedback: null,
          last_seq: 0,
          head_hash: null,
          billed_minutes: 0,
          handoff_reason: null,
          handoff_summary: null,
          handoff_at: null,
          driver: body.driver ?? 'terminal',
          resolution: null,
        })
        .execute();
      return id;
    },
    now,
    async (tx): Promise<Partial<QueueSlot>> => {
      if (byAi) {
        await claimByAiInTx(tx, ctx.config.ai);
        return {};
      }
      const slot = await queueSlot(tx.trx, tx.task, now);
      await tx.append('task_status', { status: 'queued', ...slot });
      return slot;
    },
  );
  return {
    ...toTask(await mustFindTask(ctx, change.task.id), ctx.clock.now()),
    ...change.value,
    creditsRemaining: balance,
  };
}

async function mustFindTask(ctx: AppContext, taskId: string): Promise<TaskRecord> {
  const record = await findTaskRecord(ctx.storage.db, taskId);
  if (!record) throw new ApiError('E_NOT_FOUND', 'No such task.');
  return record;
}

/** Tasks `GET /v1/tasks` lists when no `limit` is given, and at most. */
export const LIST_DEFAULT = 50;
export const LIST_MAX = 200;

export interface TaskFilter {
  status?: Task['status'];
  projectId?: string;
  limit?: number;
}

/**
 * The caller's tasks, newest first: a customer's own, an engineer's claimed ones; optionally of
 * one status or project. A queued task carries its position and estimated wait.
 */
export async function listTasks(ctx: AppContext, user: AuthUser, filter: TaskFilter = {}): Promise<Task[]> {
  let q = selectTasks(ctx.storage.db);
  if (user.role === 'customer') q = q.where('t.customer_id', '=', user.id);
  else if (user.role === 'engineer') q = q.where('t.engineer_id', '=', user.id);
  else return [];
  if (filter.status) q = q.where('t.status', '=', filter.status);
  if (filter.projectId) q = q.where('t.project_id', '=', filter.projectId);
  const limit = Math.min(filter.limit ?? LIST_DEFAULT, LIST_MAX);
  const rows = (await q.orderBy('t.created_at', 'desc').orderBy('t.id', 'desc').limit(limit).execute()) as TaskRecord[];
  const now = ctx.clock.now();
  const tasks: Task[] = [];
  for (const r of rows) {
    const task = toTask(r, now);
    if (r.status === 'queued') Object.assign(task, await queueSlot(ctx.storage.db, r, now));
    tasks.push(task);
  }
  return tasks;
}

/** Waiting tasks, next first, each with its position and estimated wait. */
export async function listQueue(ctx: AppContext): Promise<Task[]> {
  const db = ctx.storage.db;
  const rows = (await selectTasks(db)
    .where('t.status', '=', 'queued')
    .orderBy('t.created_at', 'asc')
    .orderBy('t.id', 'asc')
    .limit(500)
    .execute()) as TaskRecord[];
  const pace = await claimPaceSeconds(db, ctx.clock.now());
  return rows.map((r, i) => ({
    ...toTask(r, ctx.clock.now()),
    queuePosition: i + 1,
    estimatedWaitSeconds: estimateWaitSeconds(i + 1, pace),
  }));
}

/**
 * First claim wins: the conditional `UPDATE … WHERE status = 'queued'` runs under the task
 * lock, so of two engineers (on any instances) exactly one moves the task to active.
 */
export async function claimTask(ctx: AppContext, user: AuthUser, taskId: string): Promise<Task> {
  if (user.role !== 'engineer') throw new ApiError('E_FORBIDDEN', 'Only engineers claim tasks.');
  // Not visibleTask: a task that was in the queue a moment ago and got claimed is a conflict
  // for the engineer who lost the race, not a missing task.
  const found = await ctx.storage.db.selectFrom('tasks').select('status').where('id', '=', taskId).executeTakeFirst();
  if (!found) throw new ApiError('E_NOT_FOUND', 'No such task.');
  if (found.status !== 'queued') throw new ApiError('E_CONFLICT', 'The task was already claimed or has ended.');
  await withTaskLock(ctx, taskId, ctx.clock.now(), async (tx) => {
    // A task the AI handed over keeps its claim time: its minutes stay counted from the session's start.
    const claimed = await tx.update(
      { status: 'active', engineer_id: user.id, claimed_at: tx.task.claimed_at ?? tx.now.toISOString() },
      'queued',
    );
    if (!claimed) throw new ApiError('E_CONFLICT', 'The task was already claimed or has ended.');
    await tx.append('task_status', { status: 'active' });
  });
  await refreshQueuePositions(ctx);
  return toTask(await mustFindTask(ctx, taskId), ctx.clock.now());
}

/** Ends a task on behalf of a participant (REST `end` or the `end_session` message). */
export async function endTask(
  ctx: AppContext,
  taskId: string,
  endedBy: EndedBy,
  reason: string,
  clientMsgId?: string,
  resolution?: string,
): Promise<{ seq: number; wasQueued: boolean }> {
  let wasQueued = false;
  const change = await withTaskLock(ctx, taskId, ctx.clock.now(), async (tx) => {
    if (clientMsgId) {
      // The same end_session again: answer with the session_end it caused.
      const dup = await tx.findByClientId(clientMsgId);
      if (dup) return dup.seq;
    }
    wasQueued = tx.task.status === 'queued';
    await endTaskInTx(tx, ctx.config, endedBy, reason, clientMsgId, resolution);
    return tx.task.last_seq;
  });
  if (wasQueued) await refreshQueuePositions(ctx);
  return { seq: change.value, wasQueued };
}

/**
 * The resolution note an end request carries, trimmed (empty: none). Only the engineer writes
 * one: the customer's summary shows it as the engineer's words.
 */
export function endResolution(endedBy: EndedBy | 'guide', resolution: string | undefined): string | undefined {
  const note = resolution?.trim();
  if (!note) return undefined;
  if (endedBy !== 'engineer') throw new ApiError('E_FORBIDDEN', 'Only the engineer can write a resolution note.');
  return note;
}

export function defaultEndReason(endedBy: EndedBy): string {
  return endedBy === 'customer'
    ? 'Ended by the customer.'
    : endedBy === 'engineer'
      ? 'Ended by the engineer.'
      : 'Ended by the system.';
}

export async function rateTask(
  ctx: AppContext,
  user: AuthUser,
  taskId: string,
  rating: number,
  feedback?: string,
): Promise<Task> {
  const task = await visibleTask(ctx, user, taskId, 'participate');
  if (user.role !== 'customer') throw new ApiError('E_FORBIDDEN', 'Only the customer rates a session.');
  if (task.status !== 'ended') throw new ApiError('E_CONFLICT', 'A session can be rated once it has ended.');
  const res = await ctx.storage.db
    .updateTable('tasks')
    .set({ rating, feedback: feedback ?? null })
    .where('id', '=', taskId)
    .where('status', '=', 'ended')
    .where('rating', 'is', null)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) throw new ApiError('E_CONFLICT', 'This session was already rated.');
  return toTask(await mustFindTask(ctx, taskId), ctx.clock.now());
}

/** Queued tasks re-ranked at once: on SQLite they then share group commits instead of one each. */
const RERANK_CHUNK = 64;

/**
 * Tells every queued task its new position (a persisted `task_status`), after a task left the
 * queue. Each update takes that task's lock and re-checks that it is still queued; the tasks
 * are updated a chunk at a time, side by side (different tasks, different locks).
 */
export async function refreshQueuePositions(ctx: AppContext): Promise<void> {
  const db = ctx.storage.db;
  const ids = await queuedTaskIds(db);
  if (ids.length === 0) return;
  const now = ctx.clock.now();
  const pace = await claimPaceSeconds(db, now);
  const rerank = async (id: string, queuePosition: number) => {
    await withTaskLock(ctx, id, now, async (tx) => {
      if (tx.task.status !== 'queued') return;
      const last = await tx.trx
        .selectFrom('task_events')
        .select('payload')
        .where('task_id', '=', id)
        .where('type', '=', 'task_status')
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      const prev = last ? (JSON.parse(last.payload) as { queuePosition?: number }) : {};
      if (prev.queuePosition === queuePosition) return;
      await tx.append('task_status', {
        status: 'queued',
        queuePosition,
        estimatedWaitSeconds: estimateWaitSeconds(queuePosition, pace),
      });
    });
  };
  for (let i = 0; i < ids.length; i += RERANK_CHUNK) {
    await Promise.all(ids.slice(i, i + RERANK_CHUNK).map((id, k) => rerank(id, i + k + 1)));
  }
}
