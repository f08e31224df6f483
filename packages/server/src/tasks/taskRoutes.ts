import { CreateTaskBody, EndTaskBody, RatingBody, TaskStatus } from '@codevf/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { PAGE_DEFAULT, PAGE_MAX, readTranscript } from '../audit/transcript';
import { requireRole, requireUser } from '../auth/guards';
import type { AppContext } from '../context';
import { ApiError } from '../http/errors';
import { parseWith } from '../http/validate';
import {
  claimTask,
  createTask,
  defaultEndReason,
  endResolution,
  endTask,
  listQueue,
  listTasks,
  rateTask,
  roleIn,
  taskView,
  visibleTask,
} from './taskService';

const IdParams = z.object({ id: z.string().min(1).max(64) });
const ListQuery = z.object({ status: TaskStatus.optional() });
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
});

/** Tasks and the engineer queue (docs/PROTOCOL.md §2). */
export async function taskRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.post('/v1/tasks', async (request, reply) => {
    const user = await requireRole(request, 'customer');
    const body = parseWith(CreateTaskBody, request.body);
    return reply.code(201).send(await createTask(ctx, user, body));
  });

  app.get('/v1/tasks', async (request) => {
    const user = await requireUser(request);
    const { status } = parseWith(ListQuery, request.query);
    return { tasks: await listTasks(ctx, user, status) };
  });

  app.get('/v1/tasks/:id', async (request) => {
    const user = await requireUser(request);
    const { id } = parseWith(IdParams, request.params);
    return taskView(ctx, user, await visibleTask(ctx, user, id, 'view'));
  });

  app.get('/v1/tasks/:id/events', async (request) => {
    const user = await requireUser(request);
    const { id } = parseWith(IdParams, request.params);
    const query = parseWith(EventsQuery, request.query);
    await visibleTask(ctx, user, id, 'participate');
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
