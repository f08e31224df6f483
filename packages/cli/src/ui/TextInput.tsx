import { Text, useInput } from 'ink';

interface Props {
  value: string;
  onChange(value: string): void;
  onSubmit(value: string): void;
  onEscape?(): void;
  isActive: boolean;
  placeholder?: string;
  maxLength?: number;
}

/**
 * A one-line text field drawn and fed by Ink (so there is a single reader of stdin). The
 * cursor stays at the end: enough for chat lines and short answers.
 */
export function TextInput({ value, onChange, onSubmit, onEscape, isActive, placeholder, maxLength = 8_000 }: Props) {
  useInput(
    (input, key) => {
      if (key.ctrl || key.meta || key.tab || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow) return;
      if (key.escape) {
        onEscape?.();
        return;
      }
      if (key.return) {
        onSubmit(value);
        return;
      }
      if (key.backspace || key.delete) {
        onChange([...value].slice(0, -1).join(''));
        return;
      }
      if (!input) return;
      // Pasted text can hold line breaks and control characters; a chat line cannot.
      const clean = input.replace(/[\r\n\t]+/g, ' ').replace(/[\u0000-\u001f\u007f]/g, '');
      if (clean) onChange((value + clean).slice(0, maxLength));
    },
    { isActive },
  );
  return (
    <Text>
      {value ? value : <Text dimColor>{placeholder ?? ''}</Text>}
      {isActive ? <Text inverse> </Text> : null}
    </Text>
  );
}
