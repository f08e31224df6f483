/** A redaction marker in output, a file or a message, set apart so it is not read as the value itself. */
export function RedactedMark({ text, className }: { text: string; className?: string }) {
  return (
    <mark
      className={className ? `redacted ${className}` : 'redacted'}
      title="Redacted by the customer's side before it was sent"
    >
      {text}
    </mark>
  );
}
