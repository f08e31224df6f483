import { type HandoffReason, MAX_CHAT_CHARS } from '@codevf/protocol';
import type { AppContext } from '../context';
import { ApiError } from '../http/errors';
import { handOff } from '../tasks/handoff';
import { actAsAi } from './aiActions';
import { budgetSpent, countCall, readStanding, recordOutcome } from './aiBudget';
import { pushMessage, type TaskBrief, type TranscriptEvent, transcriptMessages } from './aiPrompt';
import { AI_TOOLS, parseToolCall } from './aiTools';
import { actionKey, lastAiAction, lastTrigger, readBrief, readTranscript, wouldLoop } from './aiTranscript';
import { AI_USER_ID, isAiLed } from './aiUser';
import { type ChatMessage, type ModelClient, ModelError, type ModelToolCall, type ModelTurn } from './modelClient';

/** Failed model turns in a row (errors, timeouts, refused or malformed tool calls) before the AI hands over. */
export const MAX_FAILURES = 3;
/** Wait before retrying after a failed call: doubled for each failure in the streak. */
const RETRY_BASE_MS = 500;

export interface PilotDeps {
  ctx: AppContext;
  model: ModelClient;
  /** Re-checks this instance's lease right before the model's answer is acted on. */
  holdsLease(taskId: string): Promise<boolean>;
  /** The pilot stopped for good (the task is no longer the AI's, or the lease is gone). */
  done(taskId: string): void;
}

interface TurnOutcome {
  /** Problems to tell the model (it is asked again at once). */
  scratch: ChatMessage[];
  /** The first problem, for the hand-over's detail. */
  problem?: string;
  /** The task left the AI (hand-over) during the turn. */
  over: boolean;
}

function chunks(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/**
 * Drives one AI-led task on the instance holding its lease: reads the transcript as it grows,
 * calls the model when something the AI must answer arrived (or it owes a greeting or a retry),
 * and acts on the answer strictly as a human engineer could (actAsAi). Everything it decides
 * from is in the database — the transcript and `task_ai` — so another instance taking over the
 * lease resumes from there; only the model's refused tool calls of the current streak (which
 * the model must see to correct them) live here.
 */
export class AiPilot {
  private events: TranscriptEvent[] = [];
  private brief: TaskBrief | undefined;
  /** Last seq the model was shown; triggers after it are unanswered. Null until the first read. */
  private seenThrough: number | null = null;
  /** A call is owed regardless of triggers: the greeting, or a retry after a failure. */
  private owed = false;
  private retryAt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private scratch: ChatMessage[] = [];
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  /** Steps in a row that threw (the database failing, a bug): the AI must not sit silent forever. */
  private stepErrors = 0;
  private readonly abort = new AbortController();

  constructor(
    private readonly deps: PilotDeps,
    readonly taskId: string,
  ) {}

  /** Something may have changed: run a step now, or right after the one running. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
  }

  /** Stops driving (shutdown, lease lost): aborts a model call in flight and waits for the step. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.abort.abort();
    await this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.step();
        this.stepErrors = 0;
      } catch (err) {
        // The next wake (the lease renewal at the latest) tries again; a step that keeps failing
        // hands the customer to a human rather than leaving them waiting for an AI that never speaks.
        if (this.stopped) return;
        this.deps.ctx.log.error({ err, taskId: this.taskId }, 'AI step failed');
        if (++this.stepErrors >= MAX_FAILURES)
          await this.handOver('model_failed', undefined, 'The AI failed on the server.').catch((e: unknown) =>
            this.deps.ctx.log.error({ err: e, taskId: this.taskId }, 'AI hand-over failed'),
          );
      }
    } while (this.again && !this.stopped);
  }

  private finish(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.deps.done(this.taskId);
  }

  private async readNew(): Promise<void> {
    const after = this.events[this.events.length - 1]?.seq ?? 0;
    this.events.push(...(await readTranscript(this.deps.ctx.storage.db, this.taskId, after)));
  }

  private async step(): Promise<void> {
    const { ctx } = this.deps;
    const db = ctx.storage.db;
    await this.readNew();
    const task = await db
      .selectFrom('tasks')
      .select(['status', 'engineer_id'])
      .where('id', '=', this.taskId)
      .executeTakeFirst();
    const standing = await readStanding(db, this.taskId);
    if (!task || !isAiLed(task) || !standing || standing.ended) return this.finish();
    this.brief ??= await readBrief(db, this.taskId, ctx.config.ai.name);
    if (!this.brief) return this.finish();
    const lastAi = lastAiAction(this.events, AI_USER_ID);
    if (this.seenThrough === null) {
      this.seenThrough = lastAi;
      this.owed = lastAi === 0;
    }
    const needed = this.owed || lastTrigger(this.events) > this.seenThrough;
    const spent = budgetSpent(standing, ctx.config.ai, ctx.clock.now());
    // Minutes run out while waiting too; calls and tokens only matter when a call is due.
    if (spent && (needed || spent.always)) return this.handOver('budget_exhausted', undefined, spent.detail);
    if (!needed || this.stopped) return;
    if (Date.now() < this.retryAt) return;
    await this.turn(lastAi === 0);
  }

  private async turn(first: boolean): Promise<void> {
    const { ctx, model } = this.deps;
    const db = ctx.storage.db;
    const brief = this.brief as TaskBrief;
    const messages = transcriptMessages(brief, this.events, AI_USER_ID);
    for (const m of this.scratch) pushMessage(messages, { ...m });
    const seen = this.events[this.events.length - 1]?.seq ?? 0;
    // A lease lost since the last renewal (this instance stalled) must not cost a model call.
    if (!(await this.deps.holdsLease(this.taskId))) return this.finish();
    this.owed = false;
    let reply: ModelTurn;
    try {
      reply = await model.complete(messages, AI_TOOLS, this.abort.signal);
    } catch (err) {
      if (!(err instanceof ModelError)) throw err;
      if (err.kind === 'aborted' || this.stopped) return;
      await countCall(db, this.taskId, 0);
      ctx.log.warn({ taskId: this.taskId, kind: err.kind, status: err.status }, `AI model call failed: ${err.message}`);
      if (first && err.kind === 'unreachable')
        return this.handOver('model_failed', undefined, `The model could not be reached: ${err.message}`);
      return this.failed(err.message);
    }
    await countCall(db, this.taskId, reply.tokens);
    this.seenThrough = seen;
    if (this.stopped) return;
    if (!(await this.deps.holdsLease(this.taskId))) return this.finish();
    const outcome = await this.apply(reply);
    if (outcome.over) return;
    if (outcome.scratch.length === 0) {
      this.scratch = [];
      await recordOutcome(db, this.taskId, false);
      return;
    }
    this.scratch.push(...outcome.scratch);
    return this.failed(outcome.problem ?? 'the reply was refused');
  }

  /** A failed turn: the streak grows; at MAX_FAILURES the AI hands over, else it is asked again. */
  private async failed(problem: string): Promise<void> {
    const streak = await recordOutcome(this.deps.ctx.storage.db, this.taskId, true);
    if (streak >= MAX_FAILURES)
      return this.handOver('model_failed', undefined, `The model failed ${streak} times in a row; last: ${problem}`);
    this.owed = true;
    const wait = RETRY_BASE_MS * 2 ** (streak - 1);
    this.retryAt = Date.now() + wait;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.wake(), wait);
    this.retryTimer.unref();
  }

  /** Acts on the model's answer: its text as chat, then each tool call; refusals go back to the model. */
  private async apply(reply: ModelTurn): Promise<TurnOutcome> {
    const out: TurnOutcome = { scratch: [], over: false };
    const text = reply.text.trim();
    if (!text && reply.toolCalls.length === 0) {
      out.problem = 'the reply was empty';
      out.scratch.push({
        role: 'user',
        content: '[CodeVF] Your last reply was empty: answer the customer in plain text or call one of your tools.',
      });
      return out;
    }
    if (text) {
      if (wouldLoop(this.events, AI_USER_ID, actionKey('engineer_message', { text }))) return this.handOverLoop(out);
      for (const part of chunks(text, MAX_CHAT_CHARS)) {
        const sent = await actAsAi(this.deps.ctx, this.taskId, 'engineer_message', { text: part });
        if (!sent.ok) {
          out.problem ??= sent.error;
          out.scratch.push({ role: 'user', content: `[CodeVF] Your message was not delivered: ${sent.error}` });
          break;
        }
      }
      await this.readNew();
    }
    const refused: { call: ModelToolCall; error: string }[] = [];
    for (const call of reply.toolCalls) {
      const parsed = parseToolCall(call);
      if (!parsed.ok) {
        refused.push({ call, error: parsed.error });
        continue;
      }
      const action = parsed.action;
      if (action.kind === 'hand_off') {
        const summary = action.reason ? `${action.summary}\n\nWhy: ${action.reason}` : action.summary;
        await this.handOver('ai_decided', summary);
        out.over = true;
        return out;
      }
      if (wouldLoop(this.events, AI_USER_ID, actionKey(action.kind, action.payload))) return this.handOverLoop(out);
      const sent = await actAsAi(this.deps.ctx, this.taskId, action.kind, action.payload);
      if (!sent.ok) refused.push({ call, error: sent.error });
      await this.readNew();
    }
    if (refused.length > 0) {
      out.problem ??= refused[0]?.error;
      out.scratch.push(
        {
          role: 'assistant',
          content: null,
          tool_calls: refused.map(({ call }) => ({
            id: call.id,
            type: 'function' as const,
            function: { name: call.name.slice(0, 64), arguments: call.arguments.slice(0, 2_000) },
          })),
        },
        ...refused.map(({ call, error }) => ({
          role: 'tool' as const,
          tool_call_id: call.id,
          content: `Error: ${error} Nothing was sent to the customer.`,
        })),
      );
    }
    return out;
  }

  private async handOverLoop(out: TurnOutcome): Promise<TurnOutcome> {
    await this.handOver('model_failed', undefined, 'The AI repeated the same action three times in a row (a loop).');
    out.over = true;
    return out;
  }

  /** Hands the task to a human (tasks/handoff.ts); a task that already left the AI is left as it is. */
  private async handOver(reason: HandoffReason, summary?: string, detail?: string): Promise<void> {
    try {
      await handOff(this.deps.ctx, this.taskId, { reason, summary, detail });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
    }
    this.finish();
  }
}
