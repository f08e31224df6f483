import type { WhoamiData } from '@codevf/protocol';

/**
 * Checks a `GET /v1/me` answer. Checked by hand rather than with zod: `login` and `whoami` are
 * fast paths, and loading zod would double `whoami`'s start-up time.
 */
export function parseMe(value: unknown): NonNullable<WhoamiData['user']> {
  const v = (value ?? {}) as Record<string, unknown>;
  if (
    typeof v.id !== 'string' ||
    typeof v.email !== 'string' ||
    typeof v.name !== 'string' ||
    typeof v.role !== 'string'
  ) {
    throw new Error('not a user');
  }
  return {
    id: v.id,
    email: v.email,
    name: v.name,
    role: v.role,
    ...(typeof v.credits === 'number' ? { credits: v.credits } : {}),
  };
}
