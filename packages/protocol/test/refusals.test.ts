import { describe, expect, it } from 'vitest';
import { unansweredError, upgradeRefusal } from '../src/client';
import { finalCloseError } from '../src/shared';

describe('refusals (what the live client does about each)', () => {
  it('a refused upgrade: 401 refreshes once then fails; 403/404/426 and a reached limit are final; others retry', () => {
    expect(upgradeRefusal(401, 'E_UNAUTHORIZED', true)).toEqual({ do: 'refresh' });
    expect(upgradeRefusal(401, 'E_UNAUTHORIZED', false)).toEqual({ do: 'fail', code: 'E_UNAUTHORIZED' });
    expect(upgradeRefusal(401, 'E_NOT_LOGGED_IN', false)).toEqual({ do: 'fail', code: 'E_NOT_LOGGED_IN' });
    expect(upgradeRefusal(403, null, true)).toEqual({ do: 'fail', code: 'E_FORBIDDEN' });
    expect(upgradeRefusal(404, 'E_NOT_FOUND', true)).toEqual({ do: 'fail', code: 'E_NOT_FOUND' });
    expect(upgradeRefusal(426, null, true)).toEqual({ do: 'fail', code: 'E_PROTOCOL_VERSION' });
    expect(upgradeRefusal(503, 'E_INTERNAL', true)).toEqual({ do: 'retry' });
    expect(upgradeRefusal(429, 'E_RATE_LIMITED', true)).toEqual({ do: 'retry' });
    expect(upgradeRefusal(429, 'E_LIMIT_REACHED', true)).toEqual({ do: 'fail', code: 'E_LIMIT_REACHED' });
  });

  it('an error answering none of our messages: before the welcome it refuses the hello', () => {
    expect(unansweredError('E_VALIDATION', false, true)).toEqual({ do: 'fail', code: 'E_VALIDATION' });
    expect(unansweredError('E_PROTOCOL_VERSION', false, true)).toEqual({ do: 'fail', code: 'E_PROTOCOL_VERSION' });
    expect(unansweredError('E_INTERNAL', false, true)).toEqual({ do: 'retry' });
  });

  it('after the welcome: lost access is final, an expired login waits for the reconnect, the rest is shown', () => {
    expect(unansweredError('E_FORBIDDEN', true, true)).toEqual({ do: 'fail', code: 'E_FORBIDDEN' });
    expect(unansweredError('E_UNAUTHORIZED', true, true)).toEqual({ do: 'wait' });
    expect(unansweredError('E_UNAUTHORIZED', true, false)).toEqual({ do: 'fail', code: 'E_UNAUTHORIZED' });
    expect(unansweredError('E_CONFLICT', true, false)).toEqual({ do: 'relay' });
  });

  it('close codes: 1002, 1008, 1009, 4001 and 4003 are final; shutdown, delivery failure and shedding resume', () => {
    expect(finalCloseError(1002)).toBe('E_PROTOCOL_VERSION');
    expect(finalCloseError(4001)).toBe('E_UNAUTHORIZED');
    expect(finalCloseError(4003)).toBe('E_FORBIDDEN');
    expect(finalCloseError(1008)).toBe('E_FORBIDDEN');
    expect(finalCloseError(1009)).toBe('E_TOO_LARGE');
    for (const code of [1000, 1001, 1006, 1011, 1013]) expect(finalCloseError(code)).toBeNull();
  });
});
