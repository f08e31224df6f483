import { type TextSegment, untrustedSegments } from '@codevf/protocol/shared';
import { Text } from 'ink';

/** Draws segments inside a <Text>: markers in inverse video, so a marker never passes for typed text. */
export function Segments({ segments }: { segments: TextSegment[] }) {
  return (
    <>
      {segments.map((s, i) =>
        s.escaped ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: positional runs of one string
          <Text key={i} inverse>
            {s.text}
          </Text>
        ) : (
          s.text
        ),
      )}
    </>
  );
}

/**
 * Text that someone else controls (engineer name, chat, command, path, reason, link, output),
 * inside a <Text>. Every control, escape, bidi or invisible character becomes a visible marker
 * (`␛[8m`, `\r`, `<U+202E>`); newlines and tabs stay layout only with `keepNewlines`.
 */
export function Untrusted({ text, keepNewlines = false }: { text: string; keepNewlines?: boolean }) {
  return <Segments segments={untrustedSegments(text, { keepNewlines })} />;
}
