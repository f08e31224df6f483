import { z } from 'zod';
import { ERROR_CODE_NAMES, type ErrorCode } from './errors';

/**
 * The CLI's `--json` envelope (PROTOCOL.md §4): stdout holds exactly one of these documents.
 */
export const CliError = z.object({
  code: z.enum(ERROR_CODE_NAMES as [ErrorCode, ...ErrorCode[]]),
  message: z.string(),
  hint: z.string().optional(),
});
export type CliError = z.infer<typeof CliError>;

export const cliSuccess = <T extends z.ZodTypeAny>(data: T) => z.object({ ok: z.literal(true), data });
export const CliFailure = z.object({ ok: z.literal(false), error: CliError });
export type CliEnvelope<T> = { ok: true; data: T } | { ok: false; error: CliError };

/** `codevf whoami --json` data. */
export const WhoamiData = z.object({
  loggedIn: z.boolean(),
  baseUrl: z.string().optional(),
  user: z
    .object({ id: z.string(), email: z.string(), name: z.string(), role: z.string(), credits: z.number().optional() })
    .optional(),
  /** Whether the server confirmed the login just now (false when offline: local identity only). */
  verified: z.boolean().optional(),
  serverReachable: z.boolean().optional(),
  expiresAt: z.string().optional(),
});
export type WhoamiData = z.infer<typeof WhoamiData>;

/** `codevf logout --json` data. */
export const LogoutData = z.object({
  wasLoggedIn: z.boolean(),
  /** True when the server confirmed the revocation; false when it could not be told (offline). */
  revoked: z.boolean(),
});
export type LogoutData = z.infer<typeof LogoutData>;

/** `codevf login` result (printed in JSON only when --json is given). */
export const LoginData = z.object({
  loggedIn: z.literal(true),
  alreadyLoggedIn: z.boolean(),
  baseUrl: z.string(),
  user: z.object({ id: z.string(), email: z.string(), name: z.string(), role: z.string() }),
});
export type LoginData = z.infer<typeof LoginData>;
