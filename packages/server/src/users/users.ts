import type { AdminUser, Me, Role } from '@codevf/protocol';
import { hashPassword } from '../auth/passwords';
import type { Clock } from '../clock';
import { ApiError } from '../http/errors';
import { newId } from '../ids';
import type { UserRow } from '../storage/schema';
import { isUniqueViolation, type Storage } from '../storage/storage';

/** Account operations shared by the HTTP admin API and the `codevf-server` admin CLI. */

export interface NewUserInput {
  email: string;
  name: string;
  role: Role;
  password?: string;
  title?: string | null;
  credits?: number;
}

export function toMe(u: UserRow): Me {
  return { id: u.id, email: u.email, name: u.name, role: u.role, credits: u.credits, title: u.title };
}

export function toAdminView(u: UserRow): AdminUser {
  return { ...toMe(u), disabled: u.disabled === 1, createdAt: u.created_at };
}

export async function createUser(storage: Storage, clock: Clock, input: NewUserInput): Promise<UserRow> {
  const row: UserRow = {
    id: newId(),
    email: input.email.trim().toLowerCase(),
    name: input.name.trim(),
    title: input.title ?? null,
    role: input.role,
    password_hash: input.password ? await hashPassword(input.password) : null,
    disabled: 0,
    credits: 0,
    created_at: clock.now().toISOString(),
  };
  try {
    await storage.db.insertInto('users').values(row).execute();
  } catch (err) {
    if (isUniqueViolation(err)) throw new ApiError('E_CONFLICT', `A user with email ${row.email} already exists.`);
    throw err;
  }
  if (input.credits) return grantCredits(storage, clock, row.email, input.credits, 'initial credits');
  return row;
}

export async function findUserByEmail(storage: Storage, email: string): Promise<UserRow | undefined> {
  return storage.db.selectFrom('users').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
}

export async function findUserById(storage: Storage, id: string): Promise<UserRow | undefined> {
  return storage.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listUsers(storage: Storage): Promise<UserRow[]> {
  return storage.db.selectFrom('users').selectAll().orderBy('created_at').orderBy('email').execute();
}

export async function updateUser(
  storage: Storage,
  id: string,
  patch: { role?: Role; disabled?: boolean; name?: string; title?: string | null; password?: string },
): Promise<UserRow> {
  const update: Record<string, unknown> = {};
  if (patch.role) update.role = patch.role;
  if (patch.disabled !== undefined) update.disabled = patch.disabled ? 1 : 0;
  if (patch.name) update.name = patch.name;
  if (patch.title !== undefined) update.title = patch.title;
  if (patch.password) update.password_hash = await hashPassword(patch.password);
  if (Object.keys(update).length > 0) {
    await storage.db.updateTable('users').set(update).where('id', '=', id).execute();
  }
  if (patch.disabled) {
    // Disabling signs the user out everywhere at once.
    await storage.db.deleteFrom('web_sessions').where('user_id', '=', id).execute();
    await storage.db
      .updateTable('token_families')
      .set({ revoked_at: new Date().toISOString(), revoked_reason: 'user disabled' })
      .where('user_id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
  }
  const row = await findUserById(storage, id);
  if (!row) throw new ApiError('E_NOT_FOUND', 'No such user.');
  return row;
}

/**
 * Replaces an account's password and ends its console sessions — all of them, or all but the
 * one that made the change (`keepSessionHash`), since a password change is how a user shuts
 * out someone who learnt the old one. CLI logins (device flow) are separate and stay.
 * Returns how many console sessions ended.
 */
export async function setPassword(
  storage: Storage,
  userId: string,
  password: string,
  options: { keepSessionHash?: string } = {},
): Promise<number> {
  const hash = await hashPassword(password);
  return storage.db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ password_hash: hash }).where('id', '=', userId).execute();
    let del = trx.deleteFrom('web_sessions').where('user_id', '=', userId);
    if (options.keepSessionHash) del = del.where('id', '!=', options.keepSessionHash);
    const ended = await del.executeTakeFirst();
    return Number(ended.numDeletedRows);
  });
}

/** Adds credits and records a ledger row, atomically. */
export async function grantCredits(
  storage: Storage,
  clock: Clock,
  email: string,
  amount: number,
  note?: string,
): Promise<UserRow> {
  if (!Number.isInteger(amount) || amount <= 0 || amount > 1_000_000) {
    throw new ApiError('E_VALIDATION', 'amount must be a whole number from 1 to 1000000.');
  }
  return storage.db.transaction().execute(async (trx) => {
    const user = await trx
      .selectFrom('users')
      .selectAll()
      .where('email', '=', email.trim().toLowerCase())
      .executeTakeFirst();
    if (!user) throw new ApiError('E_NOT_FOUND', `No user with email ${email}.`);
    await trx
      .updateTable('users')
      .set((eb) => ({ credits: eb('credits', '+', amount) }))
      .where('id', '=', user.id)
      .execute();
    await trx
      .insertInto('credit_ledger')
      .values({
        id: newId(),
        user_id: user.id,
        task_id: null,
        minute_index: null,
        amount,
        kind: 'grant',
        note: note ?? null,
        created_at: clock.now().toISOString(),
      })
      .execute();
    return { ...user, credits: user.credits + amount };
  });
}
