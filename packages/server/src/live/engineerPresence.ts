import type { AuthUser } from '../auth/guards';
import type { AppContext } from '../context';
import { withTaskLock } from '../tasks/taskTransaction';

/** An engineer's socket, as presence sees it. */
export interface EngineerSocket {
  readonly taskId: string;
  /** When its hello succeeded (on the app's clock: billing counts from it). */
  readonly welcomedAt: Date | null;
}

/** Engineer sockets on this instance that said hello, by task: who is present, for the transcript and billing. */
export class EngineerPresence {
  private readonly byTask = new Map<string, Set<EngineerSocket>>();

  /** Records an engineer's socket after hello; true when it is the first one here for the task. */
  arrived(c: EngineerSocket): boolean {
    const set = this.byTask.get(c.taskId) ?? new Set();
    this.byTask.set(c.taskId, set);
    set.add(c);
    return set.size === 1;
  }

  /** Forgets an engineer's socket; true when it was the last one here for the task. */
  left(c: EngineerSocket): boolean {
    const set = this.byTask.get(c.taskId);
    if (!set?.delete(c)) return false;
    if (set.size > 0) return false;
    this.byTask.delete(c.taskId);
    return true;
  }

  /** Tasks with an engineer connected here, with when the earliest of those sockets said hello. */
  since(): Map<string, Date> {
    const out = new Map<string, Date>();
    for (const [taskId, set] of this.byTask) {
      let since: Date | undefined;
      for (const c of set) if (c.welcomedAt && (!since || c.welcomedAt < since)) since = c.welcomedAt;
      if (since) out.set(taskId, since);
    }
    return out;
  }
}

/** Records engineer_connected / engineer_disconnected — only for an active task (not after session_end). */
export async function announceEngineer(
  ctx: AppContext,
  taskId: string,
  user: AuthUser,
  type: 'engineer_connected' | 'engineer_disconnected',
): Promise<void> {
  await withTaskLock(
    ctx,
    taskId,
    ctx.clock.now(),
    async (tx) => {
      if (tx.task.status !== 'active') return;
      if (type === 'engineer_connected') {
        await tx.append('engineer_connected', {
          engineer: { id: user.id, name: user.name, title: user.title },
          kind: 'human',
        });
      } else {
        await tx.append('engineer_disconnected', { engineerId: user.id });
      }
    },
    'head',
  );
}
