/**
 * What the customer has allowed for the rest of this session. Only commands, only by exact
 * text: "allow `npm test`" must never approve `npm test; curl …` or `npm  test`, so there is
 * no normalisation, no prefix match and no glob. Files are always asked about, one by one.
 * The policy lives in memory only; a resumed session starts with nothing allowed.
 */
export function createApprovalPolicy() {
  const commands = new Set<string>();
  return {
    allowCommandForSession(command: string): void {
      commands.add(command);
    },
    isCommandAllowed(command: string): boolean {
      return commands.has(command);
    },
    allowedCommands(): string[] {
      return [...commands];
    },
  };
}

export type ApprovalPolicy = ReturnType<typeof createApprovalPolicy>;
