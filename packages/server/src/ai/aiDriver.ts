import { aiConfigured } from '../config';
import type { AppContext } from '../context';
import { every } from '../periodic';
import type { StoredEvent } from '../tasks/eventLog';
import { type LeaseTerms, releaseLease, renewLease, takeLease, unleasedAiTasks } from './aiLease';
import { AiPilot } from './aiPilot';
import { AI_USER_ID } from './aiUser';
import { createModelClient, type ModelClient } from './modelClient';

/** How often an instance looks for AI-led tasks nobody drives (new on another instance, or orphaned). */
const SCAN_MS = 1_000;
/** Tasks taken per scan: a burst of new tasks is spread over a few seconds and instances. */
const SCAN_BATCH = 20;

/**
 * The AI participant's job on one instance. Every instance runs it; a task's AI is driven by
 * the instance holding its lease in `task_ai` (aiLease.ts). A task created here is taken at once
 * (`notice`), others by the scan; a held lease is renewed every third of its length — each
 * renewal also wakes the pilot, the safety net for a lost bus message and the clock for the
 * minutes budget — and released on shutdown, so another instance resumes the AI without waiting.
 * Events of a held task reach its pilot through the bus, from whichever instance committed them.
 */
export class AiDriver {
  private readonly pilots = new Map<string, { pilot: AiPilot; unsubscribe: () => void }>();
  private readonly taking = new Set<string>();
  private model: ModelClient | null = null;
  private timers: NodeJS.Timeout[] = [];
  private stopping = false;
  /** Lease and release writes started outside a step, which stop() waits for. */
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    private readonly ctx: AppContext,
    readonly instanceId: string,
  ) {}

  private terms(): LeaseTerms {
    return { instanceId: this.instanceId, now: this.ctx.clock.now(), leaseSeconds: this.ctx.config.ai.leaseSeconds };
  }

  /** Tasks whose AI this instance drives now (tests, diagnostics). */
  driving(): string[] {
    return [...this.pilots.keys()];
  }

  start(): void {
    const ai = this.ctx.config.ai;
    if (this.model || this.stopping || !aiConfigured(ai) || !ai.driver) return;
    this.model = createModelClient(ai);
    const repeat = (ms: number, job: () => Promise<void>, name: string) =>
      this.timers.push(every(ms, job, name, { log: this.ctx.log, stopped: () => this.stopping }));
    repeat(SCAN_MS, () => this.scan(), 'AI lease scan');
    repeat(Math.max(200, (ai.leaseSeconds * 1000) / 3), () => this.renew(), 'AI lease renewal');
  }

  /** Events committed on this instance: a task the AI just joined is taken without waiting for the scan. */
  notice(taskId: string, events: readonly StoredEvent[]): void {
    if (!this.model || this.stopping || this.pilots.has(taskId)) return;
    const joined = events.some(
      (e) => e.type === 'engineer_connected' && (JSON.parse(e.payloadJson) as { kind?: string }).kind === 'ai',
    );
    if (joined) void this.track(this.take(taskId));
  }

  /** Takes the leases of AI-led tasks nobody drives. */
  async scan(): Promise<void> {
    if (!this.model || this.stopping) return;
    const free = await unleasedAiTasks(this.ctx.storage.db, AI_USER_ID, this.ctx.clock.now(), SCAN_BATCH);
    for (const taskId of free) await this.track(this.take(taskId));
  }

  /** Renews every held lease and wakes its pilot; a lease lost meanwhile stops the pilot. */
  async renew(): Promise<void> {
    for (const [taskId, { pilot }] of [...this.pilots]) {
      if (this.stopping) return;
      if (await renewLease(this.ctx.storage.db, taskId, this.terms())) pilot.wake();
      else await this.drop(taskId, false);
    }
  }

  /** One deterministic round (tests): take free tasks, renew and wake the held ones. */
  async tick(): Promise<void> {
    await this.scan();
    await this.renew();
  }

  private async take(taskId: string): Promise<void> {
    const model = this.model;
    if (!model || this.stopping || this.pilots.has(taskId) || this.taking.has(taskId)) return;
    this.taking.add(taskId);
    try {
      if (!(await takeLease(this.ctx.storage.db, taskId, this.terms()))) return;
      if (this.stopping) {
        await releaseLease(this.ctx.storage.db, taskId, this.instanceId);
        return;
      }
      const pilot = new AiPilot(
        {
          ctx: this.ctx,
          model,
          holdsLease: (id) => renewLease(this.ctx.storage.db, id, this.terms()),
          done: (id) => void this.track(this.drop(id, true)),
        },
        taskId,
      );
      const unsubscribe = this.ctx.bus.subscribe(taskId, () => pilot.wake());
      this.pilots.set(taskId, { pilot, unsubscribe });
      this.ctx.log.info({ taskId, instanceId: this.instanceId }, 'AI driving task');
      // Subscribed before the first read: no event can fall between the read and the bus.
      await this.ctx.bus.subscribed(taskId);
      pilot.wake();
    } finally {
      this.taking.delete(taskId);
    }
  }

  /** Forgets a task's pilot; `release` gives the lease up for another instance. */
  private async drop(taskId: string, release: boolean): Promise<void> {
    const held = this.pilots.get(taskId);
    if (!held) return;
    this.pilots.delete(taskId);
    held.unsubscribe();
    await held.pilot.stop();
    if (release) await releaseLease(this.ctx.storage.db, taskId, this.instanceId);
  }

  /** Counts a lease change until it settles, so that stop() can wait for it; failures are logged. */
  private track(p: Promise<unknown>): Promise<unknown> {
    const settled = p.catch((err: unknown) => this.ctx.log.error({ err }, 'AI lease change failed'));
    this.pending.add(settled);
    void settled.finally(() => this.pending.delete(settled));
    return settled;
  }

  /** Stops every pilot (aborting model calls in flight) and releases their leases. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    // A lease being taken right now ends up in `pilots` or released: loop until both are empty.
    while (this.pilots.size > 0 || this.pending.size > 0) {
      await Promise.all([...this.pilots.keys()].map((taskId) => this.drop(taskId, true)));
      await Promise.all([...this.pending]);
    }
  }
}
