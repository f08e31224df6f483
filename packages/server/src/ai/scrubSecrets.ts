/**
 * Provider error texts can quote what they were sent: "Incorrect API key provided: sk-…",
 * an echoed Authorization header, a URL with a key in its query. Before such text is logged or
 * stored (the `handoff` event's detail), the configured secrets and anything shaped like a
 * credential are masked.
 */
const CREDENTIAL_SHAPES: readonly [RegExp, string][] = [
  [/\bBearer\s+[A-Za-z0-9._~+/=-]{6,}/gi, 'Bearer [secret]'],
  [/\b(?:sk|pk|rk)-[A-Za-z0-9_-]{6,}/g, '[secret]'],
  [/\b(api[_-]?key|key|token|secret|password)=[^\s&"']{4,}/gi, '$1=[secret]'],
  [/\/\/[^/\s:@]+:[^/\s@]+@/g, '//[secret]@'],
];

export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length > 0) out = out.split(s).join('[secret]');
  for (const [shape, mask] of CREDENTIAL_SHAPES) out = out.replace(shape, mask);
  return out;
}
