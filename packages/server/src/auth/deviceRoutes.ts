import {
  DeviceDecisionBody,
  type DeviceInfo,
  formatUserCode,
  normalizeUserCode,
  USER_CODE_ALPHABET,
  USER_CODE_LENGTH,
} from '@codevf/protocol';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context';
import { ApiError } from '../http/errors';
import { parseWith } from '../http/validate';
import type { DeviceCodesTable } from '../storage/schema';
import { requireUser } from './guards';
import { clientName } from './oauthRoutes';
import { hitRateLimit } from './rateLimit';

const CODE_RE = new RegExp(`^[${USER_CODE_ALPHABET}]{${USER_CODE_LENGTH}}$`);

/**
 * The console's device-approval page: a signed-in user looks up the code shown in their
 * terminal, checks who is asking, and approves or denies. Every lookup of a code counts
 * against a per-user limit, so user codes (20^8 of them) cannot be brute-forced.
 */
export async function deviceRoutes(app: FastifyInstance, ctx: AppContext) {
  async function findPending(userId: string, raw: string | undefined) {
    await hitRateLimit(
      ctx.storage,
      ctx.clock,
      `device:${userId}`,
      ctx.config.deviceCodeAttemptsPerWindow,
      ctx.config.rateLimitWindowSeconds,
    );
    const code = normalizeUserCode(raw ?? '');
    if (!CODE_RE.test(code)) {
      throw new ApiError('E_VALIDATION', `A code looks like XXXX-XXXX, using only the letters ${USER_CODE_ALPHABET}.`);
    }
    const row = await ctx.storage.db
      .selectFrom('device_codes')
      .selectAll()
      .where('user_code', '=', code)
      .executeTakeFirst();
    if (!row) throw new ApiError('E_NOT_FOUND', 'No sign-in request has this code. Check it against your terminal.');
    return row;
  }

  function statusOf(row: { status: DeviceCodesTable['status']; expires_at: string }): DeviceInfo['status'] {
    if (row.status === 'used') return 'approved';
    if (row.status === 'pending' && row.expires_at <= ctx.clock.now().toISOString()) return 'expired';
    return row.status;
  }

  app.get('/v1/device', async (request) => {
    const user = await requireUser(request);
    const row = await findPending(user.id, (request.query as Record<string, string | undefined>).user_code);
    const info: DeviceInfo = {
      userCode: formatUserCode(row.user_code),
      clientId: row.client_id,
      clientName: clientName(row.client_id),
      requestedAt: row.created_at,
      expiresAt: row.expires_at,
      ip: row.ip,
      userAgent: row.user_agent,
      status: statusOf(row),
    };
    return info;
  });

  for (const decision of ['approve', 'deny'] as const) {
    app.post(`/v1/device/${decision}`, async (request) => {
      const user = await requireUser(request);
      const body = parseWith(DeviceDecisionBody, request.body);
      const row = await findPending(user.id, body.user_code);
      const status = statusOf(row);
      if (status === 'expired') throw new ApiError('E_CONFLICT', 'This code expired. Run codevf login again.');
      if (status !== 'pending') throw new ApiError('E_CONFLICT', `This request was already ${status}.`);
      // Conditional on still pending: a double click or a race decides once.
      const res = await ctx.storage.db
        .updateTable('device_codes')
        .set({ status: decision === 'approve' ? 'approved' : 'denied', user_id: user.id })
        .where('id', '=', row.id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) throw new ApiError('E_CONFLICT', 'This request was already decided.');
      request.log.info({ userId: user.id, decision }, 'device authorization decided');
      return { userCode: formatUserCode(row.user_code), status: decision === 'approve' ? 'approved' : 'denied' };
    });
  }
}
