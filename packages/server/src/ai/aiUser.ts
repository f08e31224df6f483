import type { AppContext } from '../context';
import type { Sender } from '../live/sender';

/**
 * The AI participant's account. It is a real `users` row so that a task's `engineer_id`, the
 * transcript's `sender_id` and every join keep working unchanged; it has no password and no
 * login, so nobody can sign in as it.
 */
export const AI_USER_ID = 'codevf-ai';
const AI_EMAIL = 'ai@codevf.invalid';

/** Whether a task is led by the AI now (active, its engineer the AI). */
export function isAiLed(task: { status: string; engineer_id: string | null }): boolean {
  return task.status === 'active' && task.engineer_id === AI_USER_ID;
}

/** Creates the AI's account, or refreshes its name and title (the model) from the settings. */
export async function ensureAiUser(ctx: Pick<AppContext, 'storage' | 'clock' | 'config'>): Promise<void> {
  const { name, model } = ctx.config.ai;
  const title = model ?? null;
  await ctx.storage.db
    .insertInto('users')
    .values({
      id: AI_USER_ID,
      email: AI_EMAIL,
      name,
      title,
      role: 'engineer',
      password_hash: null,
      disabled: 0,
      credits: 0,
      created_at: ctx.clock.now().toISOString(),
    })
    .onConflict((oc) => oc.column('id').doUpdateSet({ name, title, password_hash: null }))
    .execute();
}

/**
 * The AI as the sender of a live message: it acts only through `handleMessage`, with the same
 * role checks, schemas and rules as a human engineer's socket.
 */
export function aiSender(taskId: string): Sender {
  // The handlers show no engineer's name (a guide's only); the AI's comes from its account.
  return { user: { id: AI_USER_ID, name: 'AI' }, role: 'engineer', taskId };
}
