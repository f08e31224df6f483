import { commandAllowanceKey } from '@codevf/protocol/shared';

/** A command request as the policy matches it. */
export interface AllowedCommand {
  command: string;
  cwd?: string;
  timeoutSeconds?: number;
}

/**
 * What the customer has allowed for the rest of this session. Only commands, only by exact
 * text, folder and time limit: "allow `npm test`" must never approve `npm test; curl …`,
 * `npm  test`, or `npm test` in another folder (another package's scripts), so there is no
 * normalisation, no prefix match and no glob. Files are always asked about, one by one. The
 * policy lives in memory only; a resumed session starts with nothing allowed.
 */
export function createApprovalPolicy() {
  const commands = new Map<string, AllowedCommand>();
  return {
    allowCommandForSession(r: AllowedCommand): void {
      commands.set(commandAllowanceKey(r), { command: r.command, cwd: r.cwd, timeoutSeconds: r.timeoutSeconds });
    },
    isCommandAllowed(r: AllowedCommand): boolean {
      return commands.has(commandAllowanceKey(r));
    },
    allowedCommands(): AllowedCommand[] {
      return [...commands.values()];
    },
  };
}

export type ApprovalPolicy = ReturnType<typeof createApprovalPolicy>;
