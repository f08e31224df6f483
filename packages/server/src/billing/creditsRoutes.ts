import type { CreditsView } from '@codevf/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireUser } from '../auth/guards';
import type { AppContext } from '../context';
import { parseWith } from '../http/validate';

const Query = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) });

/**
 * `GET /v1/credits`: the caller's balance and newest ledger rows (grants positive, charges
 * negative; a charge says whose minute it was, a free AI minute being a charge of 0).
 */
export async function creditsRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get('/v1/credits', async (request): Promise<CreditsView> => {
    const user = await requireUser(request);
    const { limit } = parseWith(Query, request.query);
    const db = ctx.storage.db;
    const [me, rows] = await Promise.all([
      db.selectFrom('users').select('credits').where('id', '=', user.id).executeTakeFirst(),
      db
        .selectFrom('credit_ledger')
        .selectAll()
        .where('user_id', '=', user.id)
        .orderBy('created_at', 'desc')
        .orderBy('minute_index', 'desc')
        .limit(limit)
        .execute(),
    ]);
    return {
      balance: Number(me?.credits ?? 0),
      ledger: rows.map((r) => ({
        id: r.id,
        amount: Number(r.amount),
        kind: r.kind,
        help: r.help,
        taskId: r.task_id,
        minuteIndex: r.minute_index === null ? null : Number(r.minute_index),
        note: r.note,
        createdAt: r.created_at,
      })),
    };
  });
}
