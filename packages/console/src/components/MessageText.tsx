import { splitRedactions } from '@codevf/protocol/shared';
import { RedactedMark } from './RedactedMark';
import { UntrustedText } from './UntrustedText';

/** Chat-like text someone else wrote: redaction markers drawn as such, the rest as untrusted text. */
export function MessageText({ text }: { text: string }) {
  return (
    <>
      {splitRedactions(text).map((p, i) =>
        p.redacted !== undefined ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: positional parts of one message
          <RedactedMark key={i} text={p.text} />
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: positional parts of one message
          <UntrustedText key={i} text={p.text} keepNewlines />
        ),
      )}
    </>
  );
}
