/** The subset of Ink's key object that line editing looks at. */
export interface KeyInfo {
  return?: boolean;
  escape?: boolean;
  backspace?: boolean;
  delete?: boolean;
  ctrl?: boolean;
  meta?: boolean;
  tab?: boolean;
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
}

export type Edit =
  | { kind: 'change'; value: string }
  | { kind: 'submit'; value: string }
  | { kind: 'escape' }
  | { kind: 'none' };

/**
 * One key applied to a one-line text field (cursor always at the end). Pasted text arrives as
 * one multi-character input; line breaks and control characters in it become nothing or a space.
 */
export function editText(value: string, input: string, key: KeyInfo, maxLength = 8_000): Edit {
  if (key.escape) return { kind: 'escape' };
  if (key.return) return { kind: 'submit', value };
  if (key.backspace || key.delete) return { kind: 'change', value: [...value].slice(0, -1).join('') };
  if (key.ctrl || key.meta || key.tab || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow)
    return { kind: 'none' };
  if (!input) return { kind: 'none' };
  // Several keys can arrive in one read (fast typing, a terminal under load, a paste): apply
  // them one by one. Enter as the last key submits; a line break inside pasted text is a space.
  let next = value;
  const chars = [...input];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    if (ch === '\x7f' || ch === '\b') next = [...next].slice(0, -1).join('');
    else if (ch === '\r' || ch === '\n') {
      if (i === chars.length - 1) return { kind: 'submit', value: next.slice(0, maxLength) };
      if (!next.endsWith(' ')) next += ' ';
    } else if (ch === '\t') next += ' ';
    else if (ch >= ' ' && ch !== '\x7f') next += ch;
  }
  next = next.slice(0, maxLength);
  return next === value ? { kind: 'none' } : { kind: 'change', value: next };
}
