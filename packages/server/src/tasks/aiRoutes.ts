import { type AiInfo, type AiTaskList, clientPayloads } from '@codevf/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AI_USER_ID } from '../ai/aiUser';
import { requireRole, requireUser } from '../auth/guards';
import { freeAiMinutesLeft } from '../billing/aiAllowance';
import { aiConfigured } from '../config';
import type { AppContext } from '../context';
import { parseWith } from '../http/validate';
import { joinAsGuide, takeOver } from './guideActions';
import { guidesOf } from './guides';
import { handOff } from './handoff';
import { taskView, visibleTask } from './taskService';
import { selectTasks, type TaskRecord, toTask } from './taskView';

const IdParams = z.object({ id: z.string().min(1).max(64) });
/** AI-led tasks listed at once; engineers pick from the longest-running first. */
const AI_TASKS_MAX = 200;

/**
 * The AI participant's REST side (docs/PROTOCOL.md §2.6): what the server offers, the customer's
 * way to a human, and vibe mode — engineers guiding an AI-led task or taking it over.
 */
export async function aiRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get('/v1/ai', async (request): Promise<AiInfo> => {
    const user = await requireUser(request);
    const { ai } = ctx.config;
    const available = aiConfigured(ai);
    // Never the provider's address or key: only what a participant needs to know.
    return {
      available,
      name: available ? ai.name : null,
      model: available ? (ai.model ?? null) : null,
      vendor: available ? ai.vendor : null,
      freeMinutesPerDay: ai.freeMinutesPerDay,
      freeMinutesLeft:
        user.role === 'customer' ? await freeAiMinutesLeft(ctx.storage.db, ai, user.id, ctx.clock.now()) : null,
      aiCreditsPerMinute: ai.creditsPerMinute,
      humanCreditsPerMinute: ctx.config.creditsPerMinute,
    };
  });

  app.get('/v1/ai/tasks', async (request): Promise<AiTaskList> => {
    await requireRole(request, 'engineer');
    const db = ctx.storage.db;
    const rows = (await selectTasks(db)
      .where('t.status', '=', 'active')
      .where('t.engineer_id', '=', AI_USER_ID)
      .orderBy('t.created_at', 'asc')
      .orderBy('t.id', 'asc')
      .limit(AI_TASKS_MAX)
      .execute()) as TaskRecord[];
    const ids = rows.map((r) => r.id);
    const [denied, guides] = await Promise.all([
      ids.length === 0
        ? []
        : db
            .selectFrom('task_requests')
            .select(['task_id', (eb) => eb.fn.countAll<number>().as('n')])
            .where('task_id', 'in', ids)
            .where('state', 'in', ['denied', 'expired'])
            .groupBy('task_id')
            .execute(),
      guidesOf(db, ids),
    ]);
    const deniedBy = new Map(denied.map((d) => [d.task_id, Number(d.n)]));
    const now = ctx.clock.now();
    return {
      tasks: rows.map((r) => ({
        ...toTask(r, now),
        deniedRequests: deniedBy.get(r.id) ?? 0,
        guides: guides.get(r.id) ?? [],
      })),
    };
  });

  app.post('/v1/tasks/:id/human', async (request) => {
    const user = await requireRole(request, 'customer');
    const { id } = parseWith(IdParams, request.params);
    const { reason } = parseWith(clientPayloads.request_human, request.body ?? {});
    await visibleTask(ctx, user, id, 'participate');
    const asked = reason?.trim();
    await handOff(ctx, id, {
      reason: 'customer_asked',
      ...(asked ? { detail: `The customer said: ${asked}` } : {}),
      senderId: user.id,
    });
    return taskView(ctx, user, await visibleTask(ctx, user, id, 'view'));
  });

  app.post('/v1/tasks/:id/guide', async (request) => {
    const user = await requireRole(request, 'engineer');
    const { id } = parseWith(IdParams, request.params);
    await visibleTask(ctx, user, id, 'view');
    await joinAsGuide(ctx, user, id);
    return taskView(ctx, user, await visibleTask(ctx, user, id, 'view'));
  });

  app.post('/v1/tasks/:id/takeover', async (request) => {
    const user = await requireRole(request, 'engineer');
    const { id } = parseWith(IdParams, request.params);
    await visibleTask(ctx, user, id, 'view');
    await takeOver(ctx, user, id);
    return taskView(ctx, user, await visibleTask(ctx, user, id, 'view'));
  });
}
