import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODE_NAMES, ERROR_CODES, ExitCode, errorTableMarkdown, isErrorCode } from '../src/errors';

const root = join(import.meta.dirname, '../../..');

describe('the error-code table', () => {
  it('contains every code docs/PROTOCOL.md names', () => {
    const required = [
      'E_NOT_LOGGED_IN',
      'E_UNAUTHORIZED',
      'E_FORBIDDEN',
      'E_NOT_FOUND',
      'E_VALIDATION',
      'E_CONFLICT',
      'E_TOO_LARGE',
      'E_RATE_LIMITED',
      'E_UNREACHABLE',
      'E_TIMEOUT',
      'E_NO_PROJECT',
      'E_GIT_DIRTY',
      'E_GIT_WRONG_BRANCH',
      'E_INSUFFICIENT_CREDITS',
      'E_NO_ENGINEER',
      'E_REQUEST_EXPIRED',
      'E_PROTOCOL_VERSION',
      'E_NO_TTY',
      'E_INTERNAL',
    ];
    for (const code of required) expect(isErrorCode(code), code).toBe(true);
  });

  it('maps every code to a valid HTTP status, exit code and a hint', () => {
    const exits = new Set<number>(Object.values(ExitCode));
    for (const code of ERROR_CODE_NAMES) {
      const info = ERROR_CODES[code];
      expect(info.status).toBeGreaterThanOrEqual(400);
      expect(info.status).toBeLessThan(600);
      expect(exits.has(info.exit), code).toBe(true);
      expect(info.hint.length).toBeGreaterThan(5);
    }
    expect(ERROR_CODES.E_NOT_LOGGED_IN.exit).toBe(4);
    expect(ERROR_CODES.E_UNAUTHORIZED.exit).toBe(4);
    expect(ERROR_CODES.E_UNREACHABLE.exit).toBe(5);
    expect(ERROR_CODES.E_TIMEOUT.exit).toBe(5);
    expect(ERROR_CODES.E_NO_TTY.exit).toBe(2);
  });

  it('rejects things that are not codes', () => {
    expect(isErrorCode('E_NOPE')).toBe(false);
    expect(isErrorCode('toString')).toBe(false);
    expect(isErrorCode(42)).toBe(false);
  });

  it('is printed verbatim in the README', () => {
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain(errorTableMarkdown());
  });
});
