// The soak's checks must be able to fail: each promise it verifies, broken once.
import { describe, expect, it } from 'vitest';
import { ResumingParticipant } from './resumingParticipant.mjs';
import { verifySession } from './verifySession.mjs';

const participant = () =>
  new ResumingParticipant({ label: 'c', role: 'customer', taskId: 't', token: 'x', pickUrl: () => 'http://unused' });
const event = (seq, text) => ({ type: 'customer_message', seq, payload: { text } });

describe('ResumingParticipant', () => {
  it('accepts events in seq order across connections', () => {
    const p = participant();
    for (const seq of [1, 2, 3]) p.receive(event(seq, `m${seq}`));
    expect(p.violations).toEqual([]);
    expect(p.lastSeq).toBe(3);
  });

  it('reports a duplicate and a gap', () => {
    const p = participant();
    p.receive(event(1, 'a'));
    p.receive(event(1, 'a'));
    p.receive(event(3, 'c'));
    expect(p.violations).toEqual(['c: duplicate: seq 1 after 1', 'c: gap: seq 3 after 1']);
    expect(p.events.map((e) => e.seq)).toEqual([1, 3]);
  });

  it('reports an id acknowledged with two seqs, an unknown id and an error', () => {
    const p = participant();
    p.say('hello');
    const [id] = p.sent.keys();
    p.receive({ type: 'ack', payload: { id, seq: 4 } });
    p.receive({ type: 'ack', payload: { id, seq: 4 } });
    expect(p.violations).toEqual([]);
    expect(p.unacked()).toBe(0);
    p.receive({ type: 'ack', payload: { id, seq: 5 } });
    p.receive({ type: 'ack', payload: { id: 'nope', seq: 6 } });
    p.receive({ type: 'error', payload: { code: 'E_INTERNAL', message: 'boom' } });
    expect(p.violations).toEqual([
      `c: id ${id} acknowledged as seq 4, then as seq 5`,
      'c: ack for an id never sent: nope',
      'c: error E_INTERNAL: boom',
    ]);
  });
});

describe('verifySession', () => {
  const sent = (...pairs) => new Map(pairs.map(([text, seq], i) => [`id${i}`, { text, seq }]));
  const seen = (...types) => types.map((type, i) => ({ seq: i + 1, type }));
  const transcript = (...texts) => ({
    chain: { verified: true },
    events: texts.map((text, i) => ({
      seq: i + 1,
      type: text ? 'customer_message' : 'engineer_connected',
      payload: { text },
    })),
  });
  const types = ['engineer_connected', 'customer_message', 'customer_message'];

  it('passes a session where everything arrived once and in order', () => {
    const p = { label: 'c', events: seen(...types), sent: sent(['a', 2], ['b', 3]) };
    expect(verifySession('s', transcript(undefined, 'a', 'b'), [p])).toEqual([]);
  });

  it('reports a message stored twice, one never stored, and one out of sending order', () => {
    const twice = { label: 'c', events: [], sent: sent(['a', 2]) };
    expect(verifySession('s', transcript(undefined, 'a', 'a'), [twice])).toEqual([
      'c: "a" stored 2 times (acknowledged as seq 2)',
    ]);
    const lost = { label: 'c', events: [], sent: sent(['z', undefined]) };
    expect(verifySession('s', transcript(undefined), [lost])).toContain(
      'c: "z" stored 0 times (acknowledged as seq undefined)',
    );
    const swapped = { label: 'c', events: [], sent: sent(['b', 3], ['a', 2]) };
    expect(verifySession('s', transcript(undefined, 'a', 'b'), [swapped])).toEqual(['c: stored out of sending order']);
  });

  it('reports a participant whose view differs from the log, a broken chain and a hole in the seqs', () => {
    const p = {
      label: 'e',
      events: seen('engineer_connected', 'customer_message', 'engineer_message'),
      sent: new Map(),
    };
    const broken = transcript(undefined, 'a', 'b');
    broken.chain.verified = false;
    broken.events[2].seq = 4;
    expect(verifySession('s', broken, [p])).toEqual([
      's: hash chain does not verify',
      's: stored seqs are not 1..n',
      'e: event 3 differs from the stored log',
    ]);
  });
});
