import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config';

describe('presence settings', () => {
  it('takes the customer-gone time in minutes, fractions included, and the grace in seconds', () => {
    expect(resolveConfig({}, {})).toMatchObject({ customerGoneMinutes: 5, presenceGraceSeconds: 30 });
    const short = resolveConfig({}, { CODEVF_CUSTOMER_GONE_MINUTES: '0.25', CODEVF_PRESENCE_GRACE_SECONDS: '2' });
    expect(short).toMatchObject({ customerGoneMinutes: 0.25, presenceGraceSeconds: 2 });
  });

  it('refuses a customer-gone time of 0 or less and a negative grace, naming the variable', () => {
    expect(() => resolveConfig({}, { CODEVF_CUSTOMER_GONE_MINUTES: '0' })).toThrow(
      'CODEVF_CUSTOMER_GONE_MINUTES must be above 0 (a fraction is allowed: 0.5 = 30 s); it is 0.',
    );
    expect(() => resolveConfig({}, { CODEVF_CUSTOMER_GONE_MINUTES: '-1' })).toThrow(/CODEVF_CUSTOMER_GONE_MINUTES/);
    expect(() => resolveConfig({}, { CODEVF_PRESENCE_GRACE_SECONDS: '-5' })).toThrow(
      'CODEVF_PRESENCE_GRACE_SECONDS must be 0 or more; it is -5.',
    );
    expect(() => resolveConfig({}, { CODEVF_CUSTOMER_GONE_MINUTES: 'soon' })).toThrow(/expected a number/);
  });
});
