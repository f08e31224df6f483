import type { ChangeEventHandler } from 'react';

/**
 * A labelled filter with "any" first: `options` are `[value, text]` pairs. The text is shown as
 * given; an <option> holds text only, so a remote party's text must come through `showUntrusted`.
 */
export function FilterSelect({
  label,
  value,
  onChange,
  options,
}: {
  label: string;
  value: string;
  onChange: ChangeEventHandler<HTMLSelectElement>;
  options: readonly (readonly [value: string, text: string])[];
}) {
  return (
    <label>
      {label}
      <select value={value} onChange={onChange}>
        <option value="">any</option>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}
