// The soak's final check of one live session against its stored transcript: the transcript is
// intact, each participant saw it from the start in order, and every message a participant sent
// is stored exactly once, at the seq it was acknowledged with, in the order it was sent.

/**
 * @param {string} label
 * @param {{ events: { seq: number, type: string, payload: { text?: string } }[], chain: { verified: boolean } }} transcript
 *   GET /v1/tasks/:id/events
 * @param {{ label: string, events: { seq: number, type: string }[], sent: Map<string, { text: string, seq?: number }> }[]} participants
 * @returns {string[]} violations, as sentences
 */
export function verifySession(label, transcript, participants) {
  const out = [];
  const stored = transcript.events;
  if (!transcript.chain.verified) out.push(`${label}: hash chain does not verify`);
  if (stored.some((ev, i) => ev.seq !== i + 1)) out.push(`${label}: stored seqs are not 1..n`);
  const copies = new Map();
  for (const ev of stored) {
    const text = ev.payload.text;
    if (text !== undefined) copies.set(text, (copies.get(text) ?? 0) + 1);
  }
  for (const p of participants) {
    // What it saw is the stored log from the start (later events — its own leaving — unseen).
    const mismatch = p.events.findIndex((ev, i) => stored[i]?.seq !== ev.seq || stored[i]?.type !== ev.type);
    if (mismatch >= 0) out.push(`${p.label}: event ${mismatch + 1} differs from the stored log`);
    const seqs = [...p.sent.values()].map((m) => m.seq);
    if (seqs.some((seq, i) => i > 0 && !(seq > seqs[i - 1]))) out.push(`${p.label}: stored out of sending order`);
    for (const m of p.sent.values()) {
      const n = copies.get(m.text) ?? 0;
      if (n !== 1 || stored[m.seq - 1]?.payload.text !== m.text) {
        out.push(`${p.label}: "${m.text}" stored ${n} times (acknowledged as seq ${m.seq})`);
      }
    }
  }
  return out;
}
