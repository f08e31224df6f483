import { plural } from './format';
import type { SessionState } from './sessionState';

/**
 * What the help being given right now costs, for the header: the AI's free minutes while any
 * are left today, else the AI's rate, else a human engineer's. The latest `billing_update`
 * says what the last minute was and how many free AI minutes remain; before the first one the
 * server's terms from GET /v1/ai stand in. Kinds are named only when the AI is part of the
 * picture, so a plain human session reads as it always did.
 */
export function rateLine(state: SessionState): string {
  const b = state.billing;
  const ai = state.aiInfo;
  const engineer = state.engineer;
  if (state.aiLeads) {
    const lastWasAi = b?.help === 'ai';
    const freeLeft = lastWasAi && b.freeMinutesLeft !== undefined ? b.freeMinutesLeft : (ai?.freeMinutesLeft ?? null);
    if (freeLeft !== null && freeLeft > 0) return `Billing: AI free — ${plural(freeLeft, 'free minute')} left today`;
    // A free minute costs 0: the rate after the allowance is the server's AI rate.
    const rate = lastWasAi && b.ratePerMinute > 0 ? b.ratePerMinute : ai?.aiCreditsPerMinute;
    if (rate === undefined) return 'Billing: AI per minute';
    const usedUp = freeLeft === 0 ? ' (free AI minutes used up today)' : '';
    return rate === 0 ? 'Billing: AI free' : `Billing: AI ${plural(rate, 'credit')}/min${usedUp}`;
  }
  const aiInPlay = Boolean(ai?.available) || state.aiIds.length > 0;
  const human = aiInPlay ? 'human engineer ' : '';
  const humanRate = b && b.help !== 'ai' ? b.ratePerMinute : ai?.humanCreditsPerMinute;
  if (state.status === 'active' && engineer?.kind === 'human') {
    return humanRate === undefined
      ? 'Billing: per minute while the engineer is here'
      : `Billing: ${human}${plural(humanRate, 'credit')}/min`;
  }
  if (state.status === 'queued' || !engineer) {
    const then = humanRate === undefined ? '' : ` (${human}${plural(humanRate, 'credit')}/min)`;
    return state.view.handoff
      ? `Billing paused until a human engineer joins${then}`
      : `Billing starts when an engineer joins${then}`;
  }
  // Ended, or between the AI leaving and a taking-over engineer arriving: the last known rate.
  return b ? `Billing: ${plural(b.ratePerMinute, 'credit')}/min` : 'Billing: per minute while the engineer is here';
}
