import { useId, useState } from 'react';
import { MessageText } from './MessageText';

/** The first `max` characters of `text`, cut at a word when one ends near the cut. */
export function previewOf(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.7 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/**
 * Long text someone else wrote (an AI's hand-over summary), shown cut short with a button that
 * shows all of it. Short text shows whole, without the button.
 */
export function ExpandableText({ text, max = 200, what = 'text' }: { text: string; max?: number; what?: string }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  const long = text.length > max;
  return (
    <div className="expandable">
      <p className="expandable-text" id={id}>
        <MessageText text={open || !long ? text : previewOf(text, max)} />
      </p>
      {long ? (
        <button
          type="button"
          className="btn ghost small"
          aria-expanded={open}
          aria-controls={id}
          onClick={() => setOpen((o) => !o)}
        >
          {open ? 'Show less' : `Show the whole ${what}`}
        </button>
      ) : null}
    </div>
  );
}
