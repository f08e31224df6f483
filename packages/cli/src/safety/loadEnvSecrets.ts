import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'dotenv';

/**
 * The values of the project's `.env*` files (top level only: `.env`, `.env.local`, `.envrc`,
 * `.env.production`, `.env.example` …), for `createRedactor({ extraValues })`: whatever the
 * project keeps there is masked wherever it shows up in output or files.
 *
 *   const extraValues = await loadEnvSecrets(projectRoot);
 *
 * Values that are obviously not secrets are left out, since masking them everywhere would
 * hide ordinary output ("[REDACTED] mode" instead of "development mode"): booleans, numbers,
 * environment names, log levels and localhost addresses (`NOT_SECRET_VALUE`). A multi-line value
 * (a PEM key in quotes) is returned whole and also line by line, so each line is masked even
 * when output breaks it apart. Unreadable files and files over 1 MiB are skipped: this never
 * fails a session, and the rule-based redactor still applies.
 */

/** `.env`, `.env.local`, `.env.production`, `.envrc` (direnv) … — what `.env*` matches. */
const ENV_FILE = /^\.env/;
const MAX_ENV_FILE_BYTES = 1024 * 1024;
const NOT_SECRET_VALUE =
  /^(?:true|false|yes|no|on|off|null|none|nil|undefined|development|production|staging|test|testing|local|debug|info|warn|warning|error|trace|localhost|127\.0\.0\.1|0\.0\.0\.0|::1|\d+(?:\.\d+)?|https?:\/\/(?:localhost|127\.0\.0\.1|0\.0\.0\.0)(?::\d+)?\/?)$/i;

export async function loadEnvSecrets(projectRoot: string): Promise<string[]> {
  let names: string[];
  try {
    names = (await readdir(projectRoot)).filter((n) => ENV_FILE.test(n)).sort();
  } catch {
    return [];
  }
  const values = new Set<string>();
  for (const name of names) {
    const file = join(projectRoot, name);
    try {
      const info = await stat(file);
      if (!info.isFile() || info.size > MAX_ENV_FILE_BYTES) continue;
      const parsed = parse(await readFile(file));
      for (const raw of Object.values(parsed)) {
        const value = raw.trim();
        if (!value || NOT_SECRET_VALUE.test(value)) continue;
        values.add(value);
        if (value.includes('\n')) {
          for (const line of value.split(/\r?\n/)) {
            const l = line.trim();
            // PEM armour lines are not secret; the private-key rule masks the block anyway.
            if (l && !NOT_SECRET_VALUE.test(l) && !l.startsWith('-----')) values.add(l);
          }
        }
      }
    } catch {
      // An unreadable .env file is not a reason to refuse the session (see above).
    }
  }
  return [...values];
}
