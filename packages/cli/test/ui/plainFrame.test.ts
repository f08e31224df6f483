import { PassThrough } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import type { ServerMessage, ServerMessageType, ServerPayload } from '@codevf/protocol';
import { describe, expect, it } from 'vitest';
import { createStore } from '../../src/session/store';
import type { SessionActions } from '../../src/ui/keyRouter';
import { frameLines, showPlainFrame } from '../../src/ui/plainFrame';
import { HUMAN_HINT } from '../../src/ui/screenText';
import { sessionReducer } from '../../src/ui/sessionReducer';
import { type Action, initialSessionState } from '../../src/ui/sessionState';

/**
 * The live screen's first frame, drawn without Ink: what it shows of the session, that someone
 * else's text is drawn with visible markers, that no line can wrap, and how it leaves the
 * terminal to the full screen.
 */

const T0 = Date.parse('2025-01-01T12:00:00.000Z');
const at = new Date(T0).toISOString();
const ev = <T extends ServerMessageType>(type: T, payload: ServerPayload<T>, seq: number): Action => ({
  type: 'frame',
  frame: { type, timestamp: at, payload, seq } as unknown as ServerMessage,
  now: T0,
});
const created: Action = { type: 'taskCreated', taskId: 't1', status: 'active', at };
const aiJoins = ev(
  'engineer_connected',
  { engineer: { id: 'codevf-ai', name: 'Codie', title: 'qwen2.5-coder' }, kind: 'ai' },
  1,
);
const aiSays = (text: string) => ev('engineer_message', { text }, 2);

function store(...actions: Action[]) {
  const s = createStore(sessionReducer, initialSessionState({ customerName: 'Ann', now: T0 }));
  for (const a of actions) s.dispatch(a);
  return s;
}

/** A session over the store whose actions are recorded (setDraft also updates the draft). */
function sessionOf(s: ReturnType<typeof store>) {
  const calls: Array<[string, unknown]> = [];
  const session = new Proxy(
    { store: s },
    {
      get: (t, k) =>
        k === 'store'
          ? t.store
          : (arg: unknown) => {
              calls.push([String(k), arg]);
              if (k === 'setDraft') s.dispatch({ type: 'draft', text: arg as string });
            },
    },
  ) as unknown as SessionActions & { store: typeof s };
  return { session, calls };
}

/** A terminal's streams: writes collected, a size, and a stdin that records its raw mode. */
function terminal(columns = 80, rows = 24) {
  const out = Object.assign(new PassThrough(), { columns, rows, isTTY: true });
  let written = '';
  out.on('data', (d: Buffer) => {
    written += d.toString('utf8');
  });
  const raw: boolean[] = [];
  const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: (on: boolean) => raw.push(on) });
  return {
    streams: { stdin: stdin as unknown as NodeJS.ReadStream, stdout: out as unknown as NodeJS.WriteStream },
    written: () => written,
    raw,
  };
}

const plain = (lines: string[]) => lines.map((l) => stripVTControlCharacters(l));

describe('the plain first frame', () => {
  it('shows the header, the AI’s first words with its tag, and the /human hint', () => {
    const lines = plain(frameLines(store(created, aiJoins, aiSays('Hi Ann! Which test fails?')).getState(), 80, 24));
    expect(lines[0]).toBe('AI assistant: Codie (qwen2.5-coder)');
    expect(lines[1]).toMatch(/^Billing: AI .* · You can chat below\. Press CTRL\+C to exit$/);
    expect(lines[2]).toMatch(/^\[\d\d:\d\d\] AI assistant connected: Codie \(qwen2\.5-coder\)$/);
    const said = lines.find((l) => l.includes('Hi Ann!'));
    expect(said).toMatch(/^\[\d\d:\d\d\] {2}AI {2}Codie: Hi Ann! Which test fails\?$/);
    expect(lines.at(-1)).toBe(HUMAN_HINT);
  });

  it('draws control characters in someone else’s text as markers in inverse video, never as escapes', () => {
    const s = store(created, aiJoins, aiSays('ok\x1b[2J\x1b[8mhidden\u202Eevil'));
    const said = frameLines(s.getState(), 120, 24).find((l) => l.includes('hidden')) ?? '';
    // The only escapes left are our own SGR styles.
    expect(
      said
        .split('\x1b')
        .slice(1)
        .every((rest) => /^\[[0-9;]*m/.test(rest)),
    ).toBe(true);
    expect([...said].some((ch) => (ch < ' ' && ch !== '\x1b') || ch === '\x7f' || ch === '\u202E')).toBe(false);
    expect(stripVTControlCharacters(said)).toContain('ok␛[2J␛[8mhidden<U+202E>evil');
    expect(said).toContain('ok\x1b[7m␛\x1b[0m[2J\x1b[7m␛\x1b[0m[8mhidden\x1b[7m<U+202E>\x1b[0mevil');
  });

  it('cuts every line to the width (wide characters counted double), so none wraps', () => {
    const s = store(created, aiJoins, aiSays(`${'x'.repeat(200)}\n${'界'.repeat(100)}\nshort`));
    const lines = plain(frameLines(s.getState(), 40, 24));
    for (const l of lines) {
      const columns = [...l].reduce((n, ch) => n + (ch.charCodeAt(0) < 0x7f ? 1 : 2), 0);
      expect(columns).toBeLessThanOrEqual(39);
    }
    expect(lines.some((l) => l.endsWith('x…'))).toBe(true);
    expect(lines.some((l) => l.endsWith('界…'))).toBe(true);
    // The second and third lines of the message start under its first line's text.
    const first = lines.findIndex((l) => l.includes('xxx'));
    expect(lines[first + 2]?.trimStart()).toBe('short');
    expect(lines[first + 2]?.length).toBe((lines[first] ?? '').indexOf('x') + 'short'.length);
  });

  it('keeps the header and the newest lines when the chat is taller than the terminal', () => {
    const s = store(created, aiJoins, aiSays(Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n')));
    const lines = plain(frameLines(s.getState(), 80, 10));
    expect(lines).toHaveLength(9);
    expect(lines[0]).toContain('AI assistant: Codie');
    expect(lines.at(-2)).toContain('line 29');
    expect(lines.at(-1)).toBe(HUMAN_HINT);
  });

  it('redraws in place, resolves firstWords on the helper’s first message, and erases itself on hand-over', async () => {
    const s = store(created);
    const t = terminal(120);
    const frame = showPlainFrame(sessionOf(s).session, t.streams);
    expect(t.raw).toEqual([true]);
    expect(stripVTControlCharacters(t.written())).toBe(
      'Engineer connecting…\nBilling starts when an engineer joins · You can chat below. Press CTRL+C to exit\n',
    );
    let resolved = false;
    void frame.firstWords.then(() => {
      resolved = true;
    });
    s.dispatch(aiJoins);
    await Promise.resolve();
    expect(resolved).toBe(false);
    const before = t.written().length;
    s.dispatch(aiSays('Hi Ann!'));
    await Promise.resolve();
    expect(resolved).toBe(true);
    // The 4 rows drawn before (header, the AI joined, the hint) go, and the new frame follows.
    const redraw = t.written().slice(before);
    expect(redraw.startsWith('\x1b[4A\r\x1b[J')).toBe(true);
    expect(stripVTControlCharacters(redraw)).toContain('Codie: Hi Ann!');
    const rows = redraw.split('\n').length - 1;
    frame.handOver();
    expect(t.written().endsWith(`\x1b[${rows}A\r\x1b[J`)).toBe(true);
    // Nothing more is drawn once the full screen has the terminal.
    const after = t.written().length;
    s.dispatch(aiSays('More.'));
    expect(t.written().length).toBe(after);
  });

  it('resolves firstWords at once for a task waiting in the queue (no quick first words to wait for)', async () => {
    const s = store({ type: 'taskCreated', taskId: 't1', status: 'queued', queuePosition: 1, at });
    const frame = showPlainFrame(sessionOf(s).session, terminal().streams);
    await expect(frame.firstWords).resolves.toBeUndefined();
    frame.handOver();
  });

  it('types into the chat and sends on Enter; Ctrl+C interrupts; keys for a prompt not on this frame are dropped', async () => {
    const s = store(created, aiJoins, aiSays('Hi Ann!'), { type: 'connection', state: { kind: 'connected' } });
    const t = terminal(120);
    const { session, calls } = sessionOf(s);
    const frame = showPlainFrame(session, t.streams);
    const stdin = t.streams.stdin as unknown as PassThrough;
    stdin.write('thanks');
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([['setDraft', 'thanks']]);
    expect(stripVTControlCharacters(t.written())).toContain('> thanks\n');
    stdin.write('\r');
    await new Promise((r) => setImmediate(r));
    expect(calls.at(-1)).toEqual(['sendChat', 'thanks']);
    stdin.write('\x03');
    await new Promise((r) => setImmediate(r));
    expect(calls.at(-1)?.[0]).toBe('interrupt');
    frame.handOver();
    // After the hand-over the keyboard is the full screen's.
    stdin.write('more');
    await new Promise((r) => setImmediate(r));
    expect(calls.map(([name]) => name)).toEqual(['setDraft', 'setDraft', 'sendChat', 'interrupt']);

    // Queued and asked "Continue waiting?": that question is not on this frame, so "n" answers nothing.
    const q = store(
      { type: 'taskCreated', taskId: 't2', status: 'queued', queuePosition: 1, at },
      { type: 'askKeepWaiting' },
    );
    const t2 = terminal(120);
    const two = sessionOf(q);
    const second = showPlainFrame(two.session, t2.streams);
    (t2.streams.stdin as unknown as PassThrough).write('n');
    await new Promise((r) => setImmediate(r));
    expect(two.calls).toEqual([]);
    await expect(second.firstWords).resolves.toBeUndefined();
    second.handOver();
  });
});
