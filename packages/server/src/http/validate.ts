import type { z } from 'zod';
import { ApiError } from './errors';

/** Field-level problems of a failed parse, with `root` naming the whole value (path ''). */
export function fieldErrors(error: z.ZodError, root = '(body)'): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.join('.') || root, message: i.message }));
}

/** The first problem as one line ("path: message"), for answers that carry a single message. */
export function firstIssue(error: z.ZodError, root = '(body)'): string {
  const first = fieldErrors(error, root)[0];
  return first ? `${first.path}: ${first.message}` : 'invalid input';
}

/** Parses untrusted input with a protocol schema; failures become E_VALIDATION with field paths. */
export function parseWith<S extends z.ZodTypeAny>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  throw new ApiError('E_VALIDATION', firstIssue(result.error), { fieldErrors: fieldErrors(result.error) });
}
