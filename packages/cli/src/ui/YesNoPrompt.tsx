import { Box } from 'ink';
import type { ReactNode } from 'react';

/** The frame of a question answered with y or n (Esc counts as n). */
export function YesNoPrompt({ children, color = 'yellow' }: { children: ReactNode; color?: string }) {
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={color} paddingX={1}>
      {children}
    </Box>
  );
}
