import { Text } from 'ink';

/** How a one-line text field looks; the keys reach it through the App's key router. */
export function TextInput({
  value,
  isActive,
  placeholder,
}: {
  value: string;
  isActive: boolean;
  placeholder?: string;
}) {
  return (
    <Text>
      {value ? value : <Text dimColor>{placeholder ?? ''}</Text>}
      {isActive ? <Text inverse> </Text> : null}
    </Text>
  );
}
