import type { EventPayload } from '@codevf/protocol/shared';

export type HandoffReason = EventPayload<'handoff'>['reason'];

/** Why the AI handed a task over, as an engineer reads it in the queue and on the summary card. */
export const HANDOFF_REASON_LABELS: Record<HandoffReason, string> = {
  ai_decided: 'The AI decided a human should take over',
  customer_asked: 'The customer asked for a human',
  model_failed: 'The AI could not continue (the model failed)',
  budget_exhausted: "The AI used up this task's AI budget",
  engineer_took_over: 'An engineer took over from the AI',
};

/** The label of a reason; a reason this console does not know (a newer server) reads as a plain hand-over. */
export function handoffReasonLabel(reason: string): string {
  return Object.hasOwn(HANDOFF_REASON_LABELS, reason)
    ? HANDOFF_REASON_LABELS[reason as HandoffReason]
    : 'The AI handed the task over';
}
