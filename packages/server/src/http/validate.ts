import type { z } from 'zod';
import { ApiError } from './errors';

/** Parses untrusted input with a protocol schema; failures become E_VALIDATION with field paths. */
export function parseWith<S extends z.ZodTypeAny>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const fieldErrors = result.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
  const first = fieldErrors[0];
  throw new ApiError('E_VALIDATION', first ? `${first.path}: ${first.message}` : 'invalid input', { fieldErrors });
}
