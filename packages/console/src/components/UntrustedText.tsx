import { untrustedSegments } from '@codevf/protocol/shared';

/**
 * Text another person controls (chat, a command, a path, a name, a task description, output).
 * React already escapes HTML; what it does not do is show what the reader cannot see: bidi
 * overrides that reverse a command, zero-width characters, control characters. Each is drawn
 * as a marker (`<U+202E>`, `␛`, `\r`) in a style of its own, so it cannot pass for typed text.
 */
export function UntrustedText({ text, keepNewlines = false }: { text: string; keepNewlines?: boolean }) {
  const segments = untrustedSegments(text, { keepNewlines });
  return (
    <>
      {segments.map((s, i) =>
        s.escaped ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: positional runs of one string
          <span key={i} className="untrusted-mark" title="Invisible or control character">
            {s.text}
          </span>
        ) : (
          s.text
        ),
      )}
    </>
  );
}
