import { renderToString } from 'ink';
import { describe, expect, it } from 'vitest';
import { createStore } from '../../src/session/store';
import { App } from '../../src/ui/App';
import { sessionReducer } from '../../src/ui/sessionReducer';
import { type Action, initialSessionState } from '../../src/ui/sessionState';
import { liveScreenAt, sessionOver } from './liveScreen';

const T0 = Date.now();
const { ev, frame, screen } = liveScreenAt(T0);
const live: Action[] = [
  frame(ev('welcome', { taskId: 'task-1', status: 'active', role: 'customer', lastSeq: 0 })),
  { type: 'connection', state: { kind: 'connected' } },
  frame(ev('engineer_connected', { engineer: { id: 'e', name: 'Maria', title: 'ex-FAANG' }, kind: 'human' }, 1)),
  frame(ev('billing_update', { creditsUsed: 3, balance: 97, ratePerMinute: 1, minutes: 3 }, 2)),
];

describe('the live screen', () => {
  it('has the header, the chat, the input line and the footer of the mock-up', () => {
    const out = screen([
      ...live,
      frame(ev('engineer_message', { text: "Hello! I see you're having authentication issues..." }, 3)),
    ]);
    expect(out).toContain('Engineer connected: Maria (ex-FAANG)');
    expect(out).toContain('● online');
    expect(out).toContain('Billing: 1 credit/min · You can chat below. Press CTRL+C to exit');
    expect(out).toMatch(/\[\d\d:\d\d\] Maria: Hello! I see you're having authentication issues\.\.\./);
    expect(out).toContain('> Type a message and press Enter');
    expect(out).toContain('Credits used: 3 · Balance: 97');
  });

  it('frames a command request with the exact command, the reason, a countdown and the keys', () => {
    const out = screen([
      ...live,
      frame(
        ev(
          'request_command',
          {
            requestId: 'r',
            command: 'npm test -- --grep "auth"',
            reason: 'see the failing test',
            expiresAt: new Date(T0 + 90_000).toISOString(),
          },
          3,
        ),
      ),
    ]);
    expect(out).toMatch(/╔═+╗/);
    expect(out).toContain('Engineer requests to run:');
    expect(out).toContain('npm test -- --grep "auth"');
    expect(out).toContain('Reason: see the failing test');
    expect(out).toMatch(/Expires in 1:3\d/);
    expect(out).toContain('[y] run once · [a] allow this exact command for the session · [n] deny');
    expect(out).toContain('Answer the question above first');
  });

  it('asks for the name of a sensitive file, and says so when the typed name was wrong', () => {
    const out = screen([
      ...live,
      frame(
        ev(
          'request_file',
          {
            requestId: 'f',
            path: 'config/.env.production',
            reason: 'check the URL',
            expiresAt: new Date(T0 + 60_000).toISOString(),
          },
          3,
        ),
      ),
      { type: 'fileChecked', requestId: 'f', size: 2048, sensitive: true },
      { type: 'confirmDraft', text: 'prod' },
      { type: 'confirmMismatch' },
    ]);
    expect(out).toContain('Engineer requests file: config/.env.production (2 KiB)');
    expect(out).toContain('This file usually holds secrets');
    expect(out).toContain('Type the file name (.env.production) to send it, or press Esc to deny: prod');
    expect(out).toContain('That is not the file name.');
  });

  it('shows the reconnect banner while the connection is down', () => {
    const out = screen([
      ...live,
      {
        type: 'connection',
        state: { kind: 'reconnecting', attempt: 2, maxAttempts: 8, delayMs: 1500, reason: 'closed' },
      },
    ]);
    expect(out).toContain('Warning: Connection lost. Reconnecting… (attempt 2 of 8, next try in 1.5 s)');
    expect(out).toContain('○ reconnecting');
  });

  it('shows the queue and the "continue waiting?" question', () => {
    const out = screen([
      frame(ev('welcome', { taskId: 'task-1', status: 'queued', role: 'customer', lastSeq: 0 })),
      frame(ev('task_status', { status: 'queued', queuePosition: 3, estimatedWaitSeconds: 300 }, 1)),
      { type: 'askKeepWaiting' },
    ]);
    expect(out).toContain('Engineer connecting… (position 3 in the queue, estimated wait 5 minutes)');
    expect(out).toContain('No engineers available right now.');
    expect(out).toContain('Average wait time: 5 minutes');
    expect(out).toContain('Continue waiting? (y/n)');
  });

  it('shows the summary and asks for a rating at the end', () => {
    const out = screen([
      ...live,
      frame(
        ev(
          'session_end',
          { endedBy: 'customer', reason: '', summary: { engineer: 'Maria', durationSeconds: 720, creditsUsed: 12 } },
          3,
        ),
      ),
    ]);
    expect(out).toMatch(
      /Session Summary[\s\S]*Engineer: Maria[\s\S]*Time: 12 min[\s\S]*Credits Used: 12[\s\S]*Rate engineer \(1-5\):/,
    );
  });

  it('shows outcomes of requests in the chat: output tail while running, then the result', () => {
    const running: Action[] = [
      ...live,
      frame(
        ev(
          'request_command',
          { requestId: 'r', command: 'npm test', reason: '', expiresAt: new Date(T0 + 60_000).toISOString() },
          3,
        ),
      ),
      { type: 'decided', requestId: 'r', approved: true, scope: 'once' },
      { type: 'commandStarted', requestId: 'r' },
    ];
    const out = screen([
      ...running,
      { type: 'commandOutput', requestId: 'r', data: Array.from({ length: 10 }, (_, i) => `line ${i}`).join('\n') },
    ]);
    expect(out).toContain('▶ Running: npm test');
    expect(out).toContain('line 9');
    expect(out).not.toContain('line 3'); // only the last lines
    const done = screen([
      ...running,
      { type: 'commandOutput', requestId: 'r', data: 'FAIL auth.test.js\n  expected 200, got 500\n' },
      {
        type: 'commandFinished',
        requestId: 'r',
        exitCode: 1,
        signal: null,
        durationMs: 2300,
        truncated: true,
        redactions: 2,
      },
    ]);
    expect(done).toContain('! npm test — exit 1 in 2.3 s, output sent (truncated at the output cap) (2 values masked)');
    // The last lines stay on screen after the command ends.
    expect(done).toContain('expected 200, got 500');
  });

  it('asks "What issue are you facing?" when started without one', () => {
    const store = createStore(sessionReducer, initialSessionState({ customerName: 'Ann', now: T0, askIssue: true }));
    store.dispatch({ type: 'draft', text: 'tests fail' });
    const out = renderToString(<App session={sessionOver(store)} />, { columns: 80 });
    expect(out).toContain('What issue are you facing?');
    expect(out).toContain('> tests fail');
  });

  it('keeps the live part shorter than the terminal however much is in flight; finished lines are above it', () => {
    const sending: Action[] = Array.from({ length: 40 }, (_, i) => ({
      type: 'chatSent',
      localId: `m${i}`,
      text: `unsent ${i}`,
      redactions: 0,
      at: new Date(T0).toISOString(),
    }));
    const out = screen([...live, frame(ev('engineer_message', { text: 'written once' }, 3)), ...sending]);
    // Written above the live part (the header is its first line), once.
    expect(out.indexOf('Maria: written once')).toBeLessThan(out.indexOf('╭'));
    const livePart = out.slice(out.indexOf('╭')).split('\n');
    // 24 rows (no terminal here): the live part takes at most 23, the newest lines in flight kept.
    expect(livePart.length).toBeLessThanOrEqual(23);
    expect(out).toContain('You: unsent 39 (sending…)');
    expect(out).not.toContain('You: unsent 0 ');
  });
});
