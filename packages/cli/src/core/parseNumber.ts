import { CodevfError } from './errors';

/**
 * A whole number from a flag or a tool argument, within [min, max]; anything else is
 * E_VALIDATION naming the flag and the range. `undefined` stays undefined (flag not given).
 */
export function parseWholeNumber(
  name: string,
  raw: string | number | undefined,
  range: { min: number; max?: number },
): number | undefined {
  if (raw === undefined) return undefined;
  const text = typeof raw === 'number' ? String(raw) : raw.trim();
  const n = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
  const span = range.max === undefined ? `${range.min} or more` : `from ${range.min} to ${range.max}`;
  if (!Number.isSafeInteger(n) || n < range.min || (range.max !== undefined && n > range.max)) {
    throw new CodevfError('E_VALIDATION', `${name} must be a whole number ${span}; got ${JSON.stringify(raw)}.`);
  }
  return n;
}

/** A task or request id as given by the user: trimmed, non-empty, one word. */
export function parseId(name: string, raw: string | undefined): string {
  const id = raw?.trim() ?? '';
  if (!id || id.length > 64 || /\s/.test(id)) {
    throw new CodevfError('E_VALIDATION', `${name} must be an id such as 01J9Z3…; got ${JSON.stringify(raw ?? '')}.`, {
      hint: name === 'taskId' ? 'Run: codevf tasks' : 'Run: codevf messages <taskId> to see the requests.',
    });
  }
  return id;
}
