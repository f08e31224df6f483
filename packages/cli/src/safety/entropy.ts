/**
 * Shannon entropy in bits per character: how evenly a string uses its characters. A random
 * string of n distinct characters scores log2(n); "changeme" scores 2.75, "aaaaaa" scores 0.
 * The redactor uses it to tell generated secrets from words and placeholders.
 */
export function shannonEntropy(value: string): number {
  if (value.length === 0) return 0;
  // Hot path of the redactor: count UTF-16 units in a reused table instead of a Map.
  // Characters outside the BMP (surrogate pairs) take the slower, exact path.
  if (/[\ud800-\udfff]/.test(value)) return entropyOfCounts([...value]);
  const touched: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (COUNTS[c] === 0) touched.push(c);
    COUNTS[c] = (COUNTS[c] ?? 0) + 1;
  }
  let bits = 0;
  for (const c of touched) {
    const p = (COUNTS[c] ?? 0) / value.length;
    bits -= p * Math.log2(p);
    COUNTS[c] = 0;
  }
  return bits;
}

const COUNTS = new Uint32Array(0x10000);

function entropyOfCounts(chars: string[]): number {
  const counts = new Map<string, number>();
  for (const ch of chars) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const c of counts.values()) {
    const p = c / chars.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** How many of lower-case, upper-case, digit and other characters a string mixes (0–4). */
export function characterClasses(value: string): number {
  return (
    Number(/[a-z]/.test(value)) +
    Number(/[A-Z]/.test(value)) +
    Number(/[0-9]/.test(value)) +
    Number(/[^A-Za-z0-9]/.test(value))
  );
}
