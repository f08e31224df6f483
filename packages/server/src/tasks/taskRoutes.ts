import { CreateTaskBody, EndTaskBody, RatingBody, TaskStatus } from '@codevf/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { PAGE_DEFAULT, PAGE_MAX, readTranscript } from '../audit/transcript';
import { requireRole, requireUser } from '../auth/guards';
import type { AppContext } from '../context';
import { ApiError } from '../http/errors';
import { parseWith } from '../http/validate';
import { agentCalled } from '../live/agentPresence';
import { MAX_EVENT_WAIT_SECONDS } from '../live/eventWaits';
import { liveRuntime } from '../live/liveRuntime';
import {
  claimTask,
  createTask,
  defaultEndReason,
  endResolution,
  endTask,
  LIST_DEFAULT,
  LIST_MAX,
  listQueue,
  listTasks,
  rateTask,
  roleIn,
  taskView,
  visibleTask,
} from './taskService';

const IdParams = z.object({ id: z.string().min(1).max(64) });
const ListQuery = z.object({
  status: TaskStatus.optional(),
  limit: z.coerce
    .number({ invalid_type_error: `limit must be a whole number from 1 to ${LIST_MAX}` })
    .int(`limit must be a whole number from 1 to ${LIST_MAX}`)
    .min(1, `limit must be a whole number from 1 to ${LIST_MAX}`)
    .max(LIST_MAX, `limit is at most ${LIST_MAX}`)
    .default(LIST_DEFAULT),
  projectId: z.string().min(1).max(64).optional(),
});
const EventsQuery = z.object({
  after: z.coerce
    .number({ invalid_type_error: 'after must be a whole number: the last seq you already have (0 for none)' })
    .int('after must be a whole number: the last seq you already have (0 for none)')
    .min(0, 'after must be 0 or more: the last seq you already have (0 for none)')
    .default(0),
  limit: z.coerce
    .number({ invalid_type_error: `limit must be a whole number from 1 to ${PAGE_MAX}` })
    .int(`limit must be a whole number from 1 to ${PAGE_MAX}`)
    .min(1, `limit must be a whole number from 1 to ${PAGE_MAX}`)
    .max(PAGE_MAX, `limit is at most ${PAGE_MAX}; read further pages with after=nextAfter`)
    .default(PAGE_DEFAULT),
  verify: z.enum(['page', 'full']).default('page'),
  wait: z.coerce
    .number({ invalid_type_error: `wait must be a whole number of seconds from 0 to ${MAX_EVENT_WAIT_SECONDS}` })
    .int(`wait must be a whole number of seconds from 0 to ${MAX_EVENT_WAIT_SECONDS}`)
    .min(0, `wait must be a whole number of seconds from 0 to ${MAX_EVENT_WAIT_SECONDS}`)
    .max(
      MAX_EVENT_WAIT_SECONDS,
      `wait is at most ${MAX_EVENT_WAIT_SECONDS} seconds; poll again with after=nextAfter to wait longer`,
    )
    .default(0),
});

/** Tasks and the engineer queue (docs/PROTOCOL.md §2). */
export async function taskRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  // Waits end before the server stops listening, so that closing never waits out a long-poll.
  app.addHook('preClose', async () => liveRuntime(ctx).waits.abortAll());
  app.post('/v1/tasks', async (request, reply) => {
    const user = await requireRole(request, 'customer');
    const body = parseWith(CreateTaskBody, request.body);
    return reply.code(201).send(await createTask(ctx, user, body));
  });

  app.get('/v1/tasks', async (request) => {
    const user = await requireUser(request);
    const filter = parseWith(ListQuery, request.query);
    return { tasks: await listTasks(ctx, user, filter) };
  });

  app.get('/v1/tasks/:id', async (request) => {
    const user = await requireUser(request);
    const { id } = parseWith(IdParams, request.params);
    return taskView(ctx, user, await visibleTask(ctx, user, id, 'view'));
  });

  app.get('/v1/tasks/:id/events', async (request, reply) => {
    const user = await requireUser(request);
    const { id } = parseWith(IdParams, request.params);
    const { wait, ...query } = parseWith(EventsQuery, request.query);
    const task = await visibleTask(ctx, user, id, 'participate');
    // An agent-driven task's customer is present through their agent's reads (agentPresence.ts);
    // the console (a cookie session) reading the transcript is not the agent.
    const agent = task.driver === 'agent' && roleIn(task, user) === 'customer' && user.via === 'bearer';
    const live = liveRuntime(ctx);
    if (agent) await agentCalled(ctx, live.agents, id, user);
    if (wait > 0 && task.status !== 'ended' && Number(task.last_seq) <= query.after) {
      // The caller going away ends the wait (and frees its timer and subscription) at once.
      const gone = new AbortController();
      const onClose = () => gone.abort();
      reply.raw.once('close', onClose);
      try {
        await live.waits.wait(user.id, id, query.after, wait * 1000, gone.signal);
      } finally {
        reply.raw.off('close', onClose);
      }
      // The wait counted as one call lasting its whole length.
      if (agent) await agentCalled(ctx, live.agents, id, user);
    }
    return readTranscript(ctx.storage.db, id, query);
  });

  app.post('/v1/tasks/:id/end', async (request) => {
    const user = await requireUser(request);
    const { id } = parseWith(IdParams, request.params);
    const { reason, resolution } = parseWith(EndTaskBody, request.body ?? {});
    const task = await visibleTask(ctx, user, id, 'participate');
    const endedBy = roleIn(task, user);
    if (endedBy === 'guide') throw new ApiError('E_FORBIDDEN', 'A guide cannot end the session; take it over first.');
    const note = endResolution(endedBy, resolution);
    await endTask(ctx, id, endedBy, reason?.trim() || defaultEndReason(endedBy), undefined, note);
    return taskView(ctx, user, await visibleTask(ctx, user, id, 'view'));
  });

  app.post('/v1/tasks/:id/rating', async (request) => {
    const user = await requireRole(request, 'customer');
    const { id } = parseWith(IdParams, request.params);
    const { rating, feedback } = parseWith(RatingBody, request.body);
    return rateTask(ctx, user, id, rating, feedback);
  });

  app.get('/v1/queue', async (request) => {
    await requireRole(request, 'engineer');
    return { tasks: await listQueue(ctx) };
  });

  app.post('/v1/tasks/:id/claim', async (request) => {
    const user = await requireRole(request, 'engineer');
    const { id } = parseWith(IdParams, request.params);
    return claimTask(ctx, user, id);
  });
}
