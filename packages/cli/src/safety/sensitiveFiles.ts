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

/** Directories whose whole content is sensitive. */
const SENSITIVE_DIR = new Set(['.aws', '.ssh', '.gnupg', '.docker', '.kube', '.azure', '.config/gcloud']);

/**
 * True when a path (relative, `/`- or `\`-separated) names a sensitive file, either by its
 * own name or because it sits inside a sensitive directory.
 */
export function isSensitivePath(relativePath: string): boolean {
  const parts = relativePath.split(/[\\/]+/).filter((p) => p && p !== '.');
  const base = parts.at(-1) ?? '';
  if (SENSITIVE_BASENAME.some((re) => re.test(base))) return true;
  for (let i = 0; i < parts.length - 1; i++) {
    if (SENSITIVE_DIR.has((parts[i] ?? '').toLowerCase())) return true;
    if (i + 1 < parts.length - 1 && SENSITIVE_DIR.has(`${parts[i]}/${parts[i + 1]}`.toLowerCase())) return true;
  }
  return false;
}
