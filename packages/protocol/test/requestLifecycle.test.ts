import { describe, expect, it } from 'vitest';
import {
  checkTransition,
  isPastExpiry,
  nextRequestState,
  type RequestAction,
  type RequestState,
} from '../src/shared/requestLifecycle';

const STATES: RequestState[] = ['pending', 'approved', 'running', 'denied', 'expired', 'completed', 'unanswered'];
const ACTIONS: RequestAction[] = ['decide', 'expire', 'use', 'finish', 'end'];

describe('request lifecycle', () => {
  it('allows exactly the transitions of the diagram', () => {
    const allowed = STATES.flatMap((s) =>
      ACTIONS.filter((a) => checkTransition(s, a).ok).map((a) => `${s} -${a}-> ${nextRequestState(s, a)}`),
    );
    expect(allowed).toEqual([
      'pending -decide-> approved',
      'pending -expire-> expired',
      'pending -end-> unanswered',
      'approved -use-> running',
      'approved -finish-> completed',
      'running -use-> running',
      'running -finish-> completed',
      'unanswered -expire-> expired',
    ]);
    expect(nextRequestState('pending', 'decide', false)).toBe('denied');
  });

  it('refuses with the codes the server answers', () => {
    expect(checkTransition('expired', 'decide')).toMatchObject({ ok: false, code: 'E_REQUEST_EXPIRED' });
    expect(checkTransition('expired', 'use')).toMatchObject({ ok: false, code: 'E_REQUEST_EXPIRED' });
    expect(checkTransition('approved', 'decide')).toMatchObject({ ok: false, code: 'E_CONFLICT' });
    expect(checkTransition('pending', 'use')).toMatchObject({ ok: false, code: 'E_FORBIDDEN' });
    expect(checkTransition('denied', 'finish')).toMatchObject({ ok: false, code: 'E_FORBIDDEN' });
    expect(checkTransition('completed', 'use')).toMatchObject({ ok: false, code: 'E_CONFLICT' });
    expect(nextRequestState('completed', 'use')).toBeNull();
  });

  it('counts a request as expired from its expiry on, and never without one', () => {
    expect(isPastExpiry(1_000, 999)).toBe(false);
    expect(isPastExpiry(1_000, 1_000)).toBe(true);
    expect(isPastExpiry(null, Number.MAX_SAFE_INTEGER)).toBe(false);
  });
});
