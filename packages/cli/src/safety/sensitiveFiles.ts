/**
 * Files that hold secrets by convention. `codevf fix` asks the customer to type the file name
 * before uploading one; snapshots never include them. One list, used by both.
 */
const SENSITIVE_BASENAME = [
  /^\.env($|\.)/i, // .env, .env.local, .env.production …
  /\.pem$/i,
  /\.key$/i,
  /^id_(rsa|dsa|ecdsa|ed25519)/i,
  /\.p12$/i,
  /\.pfx$/i,
  /\.jks$/i,
  /\.keystore$/i,
  /^\.npmrc$/i,
  /^\.pypirc$/i,
  /^\.netrc$/i,
  /^\.pgpass$/i,
  /^\.htpasswd$/i,
  /^credentials/i,
  /^secrets?\.(json|ya?ml|toml)$/i,
  /^\.git-credentials$/i,
  /^\.dockercfg$/i,
  /\.tfstate(\.backup)?$/i,
  /^service-account.*\.json$/i,
];

/**
 * Directories whose whole content is sensitive, as path segments (lower case). CodeVF's own
 * user configuration directory holds the customer's login tokens (core/paths.ts): under
 * `~/.config` or `$XDG_CONFIG_HOME`, and `%APPDATA%` on Windows. A project's `.codevf/` holds
 * only settings and is not listed.
 */
const SENSITIVE_DIRS: readonly (readonly string[])[] = [
  ['.aws'],
  ['.ssh'],
  ['.gnupg'],
  ['.docker'],
  ['.kube'],
  ['.azure'],
  ['.config', 'gcloud'],
  ['.config', 'codevf'],
  ['appdata', 'roaming', 'codevf'],
];

/** CodeVF's login file, wherever `$XDG_CONFIG_HOME` puts its directory. */
const CODEVF_AUTH_FILE = ['codevf', 'auth.json'];

/**
 * True when a path (relative, `/`- or `\`-separated) names a sensitive file, either by its
 * own name or because it sits inside a sensitive directory.
 */
export function isSensitivePath(relativePath: string): boolean {
  const parts = relativePath.split(/[\\/]+/).filter((p) => p && p !== '.');
  const base = parts.at(-1) ?? '';
  if (SENSITIVE_BASENAME.some((re) => re.test(base))) return true;
  const lower = parts.map((p) => p.toLowerCase());
  const dirs = lower.slice(0, -1);
  if (SENSITIVE_DIRS.some((dir) => containsRun(dirs, dir))) return true;
  return lower.length >= 2 && containsRun(lower.slice(-2), CODEVF_AUTH_FILE);
}

function containsRun(parts: readonly string[], run: readonly string[]): boolean {
  for (let i = 0; i + run.length <= parts.length; i++) {
    if (run.every((r, j) => parts[i + j] === r)) return true;
  }
  return false;
}
