/**
 * Finds every occurrence of many short ASCII keywords in one pass over a text: an Aho–Corasick
 * automaton, compiled once into a table of byte transitions, run over the text's UTF-16 units
 * (their low bytes). The redactor uses it to gate its rules (redactor.ts).
 *
 *   const scan = keywordScanner([{ words: ['ghp_', 'gho_'], ignoreCase: false }, …]);
 *   const starts = scan(text);   // starts[g]: sorted start offsets of group g's words
 *
 * A case-insensitive group matches as a regex with the `i` flag and without `u` does: ASCII
 * letters in either case, nothing else (the Kelvin sign, U+212A, is not a `k`). Every hit is
 * checked against the text itself, so a unit whose low byte happens to be a keyword's letter
 * (`ŧ`, U+0167, and `g`) never counts. The scan is synchronous: the byte buffer it reuses is
 * never shared by two scans at once.
 */

export interface KeywordGroup {
  /** Printable ASCII or tab, no line break, at least one character each. */
  words: readonly string[];
  ignoreCase: boolean;
}

export type KeywordScan = (text: string) => number[][];

interface Output {
  word: string;
  ignoreCase: boolean;
  group: number;
}

const ALPHABET = 128;
/** Where the text is copied, a piece at a time, to be read as bytes (no allocation per scan). */
const CHUNK = Buffer.allocUnsafe(64 * 1024);
/** Unused by any keyword: the units outside ASCII move the automaton as this character does. */
const NOT_A_KEYWORD_CHAR = 0;

export function keywordScanner(groups: readonly KeywordGroup[]): KeywordScan {
  // The trie of the lower-cased words, one row of ALPHABET transitions per state (-1: none yet).
  const next: Int32Array[] = [new Int32Array(ALPHABET).fill(-1)];
  const outputs: Output[][] = [[]];
  groups.forEach(({ words, ignoreCase }, group) => {
    for (const word of words) {
      if (!isScannable(word)) throw new Error(`keyword ${JSON.stringify(word)}: printable ASCII only`);
      let state = 0;
      for (const code of lowerCaseCodes(word)) {
        const row = next[state] as Int32Array;
        if ((row[code] as number) < 0) {
          row[code] = next.length;
          next.push(new Int32Array(ALPHABET).fill(-1));
          outputs.push([]);
        }
        state = row[code] as number;
      }
      outputs[state]?.push({ word, ignoreCase, group });
    }
  });

  // Failure links, breadth first; missing transitions then follow them, and each state also
  // reports the words that end in it by way of its failure chain (suffixes of its own word).
  const fail = new Int32Array(next.length);
  const queue: number[] = [];
  const root = next[0] as Int32Array;
  for (let c = 0; c < ALPHABET; c++) {
    const s = root[c] as number;
    if (s < 0) root[c] = 0;
    else queue.push(s);
  }
  for (let head = 0; head < queue.length; head++) {
    const r = queue[head] as number;
    const row = next[r] as Int32Array;
    const failRow = next[fail[r] as number] as Int32Array;
    for (let c = 0; c < ALPHABET; c++) {
      const s = row[c] as number;
      if (s < 0) {
        row[c] = failRow[c] as number;
        continue;
      }
      // The root's children (queued first) keep failing to the root; deeper states fail to
      // where their longest proper suffix leads.
      fail[s] = failRow[c] as number;
      outputs[s] = [...(outputs[s] ?? []), ...(outputs[fail[s] as number] ?? [])];
      queue.push(s);
    }
  }

  // Renumber so that the states that report something come last: the scan loop then tests
  // one comparison per unit. Rows hold 256 entries, one per low byte, with upper-case
  // letters folded and bytes 0x80–0xff sent where NOT_A_KEYWORD_CHAR goes.
  const count = next.length;
  if (count > 0xffff) throw new Error('too many keyword states for the scan table');
  const order = [...Array(count).keys()].sort(
    (a, b) => Number((outputs[a]?.length ?? 0) > 0) - Number((outputs[b]?.length ?? 0) > 0) || a - b,
  );
  const renamed = new Int32Array(count);
  order.forEach((old, i) => {
    renamed[old] = i;
  });
  const firstReporting = order.findIndex((s) => (outputs[s]?.length ?? 0) > 0);
  const reportsFrom = firstReporting < 0 ? count : firstReporting;
  const table = new Uint16Array(count * 256);
  for (let s = 0; s < count; s++) {
    const row = next[s] as Int32Array;
    const base = (renamed[s] as number) * 256;
    for (let b = 0; b < 256; b++) {
      const c = b >= 0x80 ? NOT_A_KEYWORD_CHAR : b >= 0x41 && b <= 0x5a ? b + 0x20 : b;
      table[base + b] = renamed[row[c] as number] as number;
    }
  }
  const reports: Output[][] = order.map((s) => outputs[s] ?? []);
  const start = renamed[0] as number;

  return (text) => {
    const starts: number[][] = groups.map(() => []);
    let unsorted = false;
    let state = start;
    for (let offset = 0; offset < text.length; offset += CHUNK.length) {
      // One byte per UTF-16 unit (its low byte), so `offset + i` is an offset into `text`.
      const length = CHUNK.write(text.slice(offset, offset + CHUNK.length), 'latin1');
      for (let i = 0; i < length; i++) {
        state = table[(state << 8) | (CHUNK[i] as number)] as number;
        if (state < reportsFrom) continue;
        for (const { word, ignoreCase, group } of reports[state] as Output[]) {
          const at = offset + i - word.length + 1;
          if (!occursAt(text, word, at, ignoreCase)) continue;
          const list = starts[group] as number[];
          const last = list.at(-1);
          if (last !== undefined && at <= last) {
            if (at === last) continue;
            unsorted = true;
          }
          list.push(at);
        }
      }
    }
    // A group whose words lie inside one another (`ab`, `xaby`) reports by end, not by start.
    if (unsorted) {
      for (let g = 0; g < starts.length; g++) starts[g] = [...new Set(starts[g])].sort((a, b) => a - b);
    }
    return starts;
  };
}

/** Whether `word` can be a keyword: printable ASCII or tab, at least one character. */
export function isScannable(word: string): boolean {
  return /^[\t\x20-\x7e]+$/.test(word);
}

function lowerCaseCodes(word: string): number[] {
  return [...word.toLowerCase()].map((c) => c.charCodeAt(0));
}

function occursAt(text: string, word: string, at: number, ignoreCase: boolean): boolean {
  for (let k = 0; k < word.length; k++) {
    let c = text.charCodeAt(at + k);
    const w = word.charCodeAt(k);
    if (c === w) continue;
    if (!ignoreCase) return false;
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (c !== (w >= 0x41 && w <= 0x5a ? w + 0x20 : w)) return false;
  }
  return true;
}
