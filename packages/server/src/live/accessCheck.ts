import { CLOSE_CODES, type SenderRole } from '@codevf/protocol';
import type { Kysely } from 'kysely';
import type { AuthUser } from '../auth/guards';
import type { Database } from '../storage/schema';

/** What the access check needs of a live socket. */
export interface AccessHolder {
  readonly user: AuthUser;
  readonly taskId: string;
  readonly role: SenderRole;
}

export interface LostAccess {
  code: (typeof CLOSE_CODES)['unauthorized' | 'forbidden'];
  /** The close reason the client shows (at most 123 bytes). */
  reason: string;
}

/**
 * Which of `holders` no longer have the access their socket was opened with, read from the
 * database: the account disabled (or gone) or its role changed → forbidden; the login of a
 * bearer socket revoked, or the console session of a cookie socket signed out or expired →
 * unauthorized; a guide's task no longer led by the AI (handed over, taken over, ended) →
 * forbidden. A socket rests on its login, not on the 15-minute access token that opened it:
 * the CLI refreshes that token as it goes, and a login lives until it is revoked.
 */
export async function lostAccess<H extends AccessHolder>(
  db: Kysely<Database>,
  now: Date,
  holders: readonly H[],
): Promise<Map<H, LostAccess>> {
  const lost = new Map<H, LostAccess>();
  if (holders.length === 0) return lost;
  const userIds = new Set<string>();
  const familyIds = new Set<string>();
  const sessionHashes = new Set<string>();
  const guidedTasks = new Set<string>();
  for (const { user, role, taskId } of holders) {
    userIds.add(user.id);
    if (role === 'guide') guidedTasks.add(taskId);
    if (user.grant.kind === 'login') familyIds.add(user.grant.familyId);
    else sessionHashes.add(user.grant.sessionHash);
  }
  const [users, families, sessions, guides] = await Promise.all([
    db
      .selectFrom('users')
      .select(['id', 'role', 'disabled'])
      .where('id', 'in', [...userIds])
      .execute(),
    familyIds.size === 0
      ? []
      : db
          .selectFrom('token_families')
          .select('id')
          .where('id', 'in', [...familyIds])
          .where('revoked_at', 'is', null)
          .execute(),
    sessionHashes.size === 0
      ? []
      : db
          .selectFrom('web_sessions')
          .select('id')
          .where('id', 'in', [...sessionHashes])
          .where('expires_at', '>', now.toISOString())
          .execute(),
    guidedTasks.size === 0
      ? []
      : db
          .selectFrom('task_guides')
          .select(['task_id', 'engineer_id'])
          .where('task_id', 'in', [...guidedTasks])
          .execute(),
  ]);
  const userById = new Map(users.map((u) => [u.id, u]));
  const liveFamilies = new Set(families.map((f) => f.id));
  const liveSessions = new Set(sessions.map((s) => s.id));
  const liveGuides = new Set(guides.map((g) => `${g.task_id} ${g.engineer_id}`));
  for (const h of holders) {
    const row = userById.get(h.user.id);
    const { grant } = h.user;
    if (!row || row.disabled) lost.set(h, { code: CLOSE_CODES.forbidden, reason: 'The account was disabled.' });
    else if (row.role !== h.user.role)
      lost.set(h, { code: CLOSE_CODES.forbidden, reason: `The account's role changed to ${row.role}.` });
    else if (grant.kind === 'login' && !liveFamilies.has(grant.familyId))
      lost.set(h, { code: CLOSE_CODES.unauthorized, reason: 'The login was revoked (signed out elsewhere).' });
    else if (grant.kind === 'webSession' && !liveSessions.has(grant.sessionHash))
      lost.set(h, { code: CLOSE_CODES.unauthorized, reason: 'The console session was signed out or expired.' });
    else if (h.role === 'guide' && !liveGuides.has(`${h.taskId} ${h.user.id}`))
      lost.set(h, { code: CLOSE_CODES.forbidden, reason: 'The AI no longer leads this task: nothing to guide.' });
  }
  return lost;
}
