import type { ServerPayload } from '@codevf/protocol';
import { describe, expect, it } from 'vitest';
import { rateLine } from '../../src/ui/rateLine';
import { requestFits } from '../../src/ui/requestLayout';
import { HUMAN_HINT } from '../../src/ui/screenText';
import type { Action, SessionState } from '../../src/ui/sessionState';
import { AI_TERMS } from '../support/aiTerms';
import { liveScreenAt } from './liveScreen';

/**
 * A session with the AI participant, as the screen's state and as drawn: who speaks on each
 * line, the rate that applies now, /human while the AI leads, the hand-over and the human
 * who follows.
 */

const T0 = Date.parse('2025-01-01T12:00:00.000Z');
const at = new Date(T0).toISOString();
const ui = liveScreenAt(T0);
const { ev, frame, run } = ui;
const screen = (actions: Action[]) => ui.screen(actions, 110);

const start: Action[] = [
  { type: 'taskCreated', taskId: 't1', status: 'active', at },
  frame(ev('welcome', { taskId: 't1', status: 'active', role: 'customer', lastSeq: 0 })),
  { type: 'connection', state: { kind: 'connected' } },
];
const aiJoins = frame(
  ev('engineer_connected', { engineer: { id: 'codevf-ai', name: 'Codie', title: 'qwen2.5-coder' }, kind: 'ai' }, 1),
);
const aiSays = frame(ev('engineer_message', { text: 'Hi! Let me look at the failing test.' }, 2));
const guideSays = frame(
  ev('guide_message', { text: 'Check the session cookie first.', guide: { id: 'g1', name: 'Sam' } }, 3),
);
const handoff = (reason: ServerPayload<'handoff'>['reason'], detail?: string) =>
  frame(
    ev(
      'handoff',
      {
        from: 'ai',
        reason,
        summary: 'Login fails after deploy; cookie domain changed.',
        ...(detail ? { detail } : {}),
      },
      4,
    ),
  );
const aiLeaves = frame(ev('engineer_disconnected', { engineerId: 'codevf-ai' }, 5));
const queued = frame(ev('task_status', { status: 'queued', queuePosition: 2, estimatedWaitSeconds: 240 }, 6));
const mariaJoins = frame(
  ev('engineer_connected', { engineer: { id: 'e1', name: 'Maria', title: 'ex-FAANG' }, kind: 'human' }, 7),
);
const mariaSays = frame(ev('engineer_message', { text: 'Hi, I have read the transcript.' }, 8));

/** The AI leads with a guide's help, hands over, and Maria takes the task. */
const aiThenGuideThenMaria: Action[] = [
  ...start,
  aiJoins,
  aiSays,
  guideSays,
  handoff('ai_decided'),
  aiLeaves,
  queued,
  mariaJoins,
  mariaSays,
];

const messages = (s: SessionState) =>
  s.entries.flatMap((e) => (e.kind === 'message' ? [{ who: e.who, name: e.name, kind: e.speakerKind }] : []));
const systemTexts = (s: SessionState) => s.entries.flatMap((e) => (e.kind === 'system' ? [e.text] : []));

describe('who is speaking', () => {
  it('marks the AI, a guide and a human engineer on each of their lines, as they were when they spoke', () => {
    const s = run(aiThenGuideThenMaria);
    expect(messages(s)).toEqual([
      { who: 'engineer', name: 'Codie', kind: 'ai' },
      { who: 'guide', name: 'Sam', kind: undefined },
      { who: 'engineer', name: 'Maria', kind: 'human' },
    ]);
  });

  it('draws the AI with an AI tag, a guide as guiding the AI, a person by name', () => {
    const out = screen(aiThenGuideThenMaria);
    expect(out).toMatch(/\[\d\d:\d\d\] {2}AI {2}Codie: Hi! Let me look at the failing test\./);
    expect(out).toMatch(/\[\d\d:\d\d\] Sam \(guiding the AI\): Check the session cookie first\./);
    expect(out).toMatch(/\[\d\d:\d\d\] Maria: Hi, I have read the transcript\./);
  });

  it('announces the AI as the AI, and its departure as leaving, not as a lost connection', () => {
    const s = run([...start, aiJoins, handoff('ai_decided'), aiLeaves]);
    expect(systemTexts(s)).toEqual([
      'AI assistant connected: Codie (qwen2.5-coder)',
      'The AI is handing your session to a human engineer.',
      'Codie (AI) left.',
    ]);
  });
});

describe('the header while the AI leads', () => {
  it('names the AI and its model, and how to ask for a human, in the footer and the input line', () => {
    const out = screen([...start, { type: 'aiInfo', info: AI_TERMS }, aiJoins, aiSays]);
    expect(out).toContain('AI assistant: Codie (qwen2.5-coder)');
    expect(out).toContain('Billing: AI free — 12 free minutes left today · You can chat below.');
    expect(out).toContain('Want a person? Type /human (or /human <reason>) to ask for a human engineer.');
    expect(out).toContain('> Type a message and press Enter, or /human for a person');
  });

  it('has no /human hint with a human engineer', () => {
    const out = screen([...start, mariaJoins]);
    expect(out).toContain('Engineer connected: Maria (ex-FAANG)');
    expect(out).not.toContain('/human');
  });

  it('counts the hint and a wrapped rate line when deciding whether a request fits', () => {
    const s = run([
      ...start,
      { type: 'aiInfo', info: AI_TERMS },
      aiJoins,
      frame(
        ev(
          'request_command',
          { requestId: 'r', command: 'npm test', reason: '', expiresAt: new Date(T0 + 60_000).toISOString() },
          2,
        ),
      ),
    ]);
    const r = s.requests.r;
    if (r?.kind !== 'command') throw new Error('no request');
    const size = { columns: 60, rows: 100 };
    const plain = requestFits(r, size).needRows;
    expect(requestFits(r, size, { footerHint: HUMAN_HINT }).needRows).toBe(plain + 2);
    expect(
      requestFits(r, size, { headerDetail: `${rateLine(s)} · You can chat below. Press CTRL+C to exit` }).needRows,
    ).toBe(plain + 1);
  });

  it('hides the hint once a human was asked for', () => {
    const out = screen([...start, aiJoins, { type: 'humanAsked', at }]);
    expect(out).toContain('Asking for a human engineer…');
    expect(out).not.toContain('Want a person?');
  });
});

describe('the rate that applies now', () => {
  const billing = (p: Partial<ServerPayload<'billing_update'>>, seq: number) =>
    frame(ev('billing_update', { creditsUsed: 0, balance: 100, ratePerMinute: 0, minutes: 1, ...p }, seq));

  it('AI: free while free minutes are left, from GET /v1/ai and then from each billing update', () => {
    expect(rateLine(run([...start, { type: 'aiInfo', info: AI_TERMS }, aiJoins]))).toBe(
      'Billing: AI free — 12 free minutes left today',
    );
    expect(
      rateLine(
        run([...start, { type: 'aiInfo', info: AI_TERMS }, aiJoins, billing({ help: 'ai', freeMinutesLeft: 1 }, 2)]),
      ),
    ).toBe('Billing: AI free — 1 free minute left today');
    // Without the terms (an older server, or not read yet), the billing update alone says it.
    expect(rateLine(run([...start, aiJoins, billing({ help: 'ai', freeMinutesLeft: 3 }, 2)]))).toBe(
      'Billing: AI free — 3 free minutes left today',
    );
  });

  it('AI: its credits per minute once the free minutes are used up (the last free minute cost 0)', () => {
    const used = billing({ help: 'ai', ratePerMinute: 0, freeMinutesLeft: 0 }, 2);
    expect(rateLine(run([...start, { type: 'aiInfo', info: AI_TERMS }, aiJoins, used]))).toBe(
      'Billing: AI 2 credits/min (free AI minutes used up today)',
    );
    const paid = billing({ help: 'ai', ratePerMinute: 3, freeMinutesLeft: 0, creditsUsed: 3 }, 3);
    expect(rateLine(run([...start, { type: 'aiInfo', info: AI_TERMS }, aiJoins, used, paid]))).toBe(
      'Billing: AI 3 credits/min (free AI minutes used up today)',
    );
    expect(
      rateLine(
        run([...start, { type: 'aiInfo', info: { ...AI_TERMS, freeMinutesPerDay: 0, freeMinutesLeft: 0 } }, aiJoins]),
      ),
    ).toBe('Billing: AI 2 credits/min (free AI minutes used up today)');
    expect(rateLine(run([...start, aiJoins]))).toBe('Billing: AI per minute');
  });

  it('human: their rate, named as a human engineer when the AI is part of the session', () => {
    const afterAi = [
      ...start,
      { type: 'aiInfo', info: AI_TERMS } as Action,
      aiJoins,
      handoff('ai_decided'),
      aiLeaves,
      queued,
    ];
    expect(rateLine(run(afterAi))).toBe('Billing paused until a human engineer joins (human engineer 5 credits/min)');
    expect(rateLine(run([...afterAi, mariaJoins]))).toBe('Billing: human engineer 5 credits/min');
    expect(
      rateLine(run([...afterAi, mariaJoins, billing({ help: 'human', ratePerMinute: 6, creditsUsed: 6 }, 8)])),
    ).toBe('Billing: human engineer 6 credits/min');
  });

  it('a plain human session reads as before', () => {
    expect(rateLine(run([...start, mariaJoins, billing({ ratePerMinute: 1 }, 8)]))).toBe('Billing: 1 credit/min');
    expect(rateLine(run([...start, mariaJoins]))).toBe('Billing: per minute while the engineer is here');
    expect(rateLine(run([...start, frame(ev('task_status', { status: 'queued' }, 1))]))).toBe(
      'Billing starts when an engineer joins',
    );
    const noAi = { ...AI_TERMS, available: false, name: null, model: null, vendor: null };
    expect(rateLine(run([...start, { type: 'aiInfo', info: noAi }, mariaJoins]))).toBe('Billing: 5 credits/min');
  });
});

describe('the hand-over', () => {
  it('says why, quotes the summary, then the queue position and wait, then the human joining', () => {
    const s = run([...start, aiJoins, aiSays, { type: 'humanAsked', at }, handoff('customer_asked'), aiLeaves, queued]);
    expect(s.humanAsked).toBe(false);
    expect(s.aiLeads).toBe(false);
    const notice = s.entries.find((e) => e.kind === 'system' && e.key === 'seq:4');
    expect(notice).toMatchObject({
      text: 'You asked for a human engineer: the AI is handing over.',
      quote: "The AI's summary for the engineer: Login fails after deploy; cookie domain changed.",
    });
    expect(systemTexts(s).at(-1)).toBe(
      'Waiting for a human engineer: position 2 in the queue, estimated wait 4 minutes.',
    );
    const out = screen([...start, aiJoins, handoff('customer_asked'), aiLeaves, queued]);
    expect(out).toContain('Bringing in a human engineer… (position 2 in the queue, estimated wait 4 minutes)');
    expect(out).not.toContain('/human');
    const joined = run([...start, aiJoins, handoff('customer_asked'), aiLeaves, queued, mariaJoins]);
    expect(systemTexts(joined).at(-1)).toBe('Human engineer connected: Maria (ex-FAANG)');
    expect(screen([...start, aiJoins, handoff('customer_asked'), aiLeaves, queued, mariaJoins])).toContain(
      'Human engineer connected: Maria (ex-FAANG)',
    );
  });

  it.each([
    ['ai_decided', undefined, 'The AI is handing your session to a human engineer.'],
    [
      'model_failed',
      'the model timed out 3 times',
      'The AI could not continue (the model timed out 3 times); a human engineer is being brought in.',
    ],
    [
      'budget_exhausted',
      'model calls: 40 of 40',
      "The AI reached this session's AI limit (model calls: 40 of 40); a human engineer is being brought in.",
    ],
    ['engineer_took_over', undefined, 'An engineer is taking over from the AI.'],
  ] as const)('words %s', (reason, detail, text) => {
    expect(systemTexts(run([...start, aiJoins, handoff(reason, detail)]))).toContain(text);
  });

  it('says where in the queue once, also when the events are replayed after a reconnect', () => {
    const events = [aiJoins, aiSays, handoff('ai_decided'), aiLeaves, queued];
    const s = run([...start, ...events, ...events]);
    expect(systemTexts(s).filter((t) => t.startsWith('Waiting for a human engineer'))).toHaveLength(1);
  });

  it('a resumed session rebuilds the same log from the whole transcript', () => {
    const all = [aiJoins, aiSays, guideSays, handoff('ai_decided'), aiLeaves, queued, mariaJoins, mariaSays];
    const live = run([...start, ...all]);
    const resumed = run([...start.slice(1), ...all]);
    expect(resumed.entries).toEqual(live.entries);
  });
});

describe('a task the server made human-only', () => {
  it('says why, once, at the top of the chat', () => {
    const s = run([
      {
        type: 'taskCreated',
        taskId: 't1',
        status: 'queued',
        queuePosition: 1,
        modeNote: 'This project does not allow GPT (allowed: claude).',
        at,
      },
      frame(ev('welcome', { taskId: 't1', status: 'queued', role: 'customer', lastSeq: 0 })),
    ]);
    expect(systemTexts(s)).toEqual([
      'Human engineers only for this task: This project does not allow GPT (allowed: claude).',
    ]);
  });

  it('shows a hostile note escaped', () => {
    const out = screen([{ type: 'taskCreated', taskId: 't1', status: 'queued', modeNote: 'no AI\x1b[2J here', at }]);
    expect(out).toContain('Human engineers only for this task: no AI␛[2J here');
  });
});

describe('untrusted AI text', () => {
  it('escapes the AI name, model, summary, detail and a guide name wherever they appear', () => {
    const evil = '\x1b]0;approved\x07';
    const out = screen([
      ...start,
      frame(
        ev(
          'engineer_connected',
          { engineer: { id: 'codevf-ai', name: `Co${evil}`, title: `m${evil}` }, kind: 'ai' },
          1,
        ),
      ),
      frame(ev('engineer_message', { text: `hi${evil}` }, 2)),
      frame(ev('guide_message', { text: 'x', guide: { id: 'g', name: `Sam${evil}` } }, 3)),
      frame(ev('handoff', { from: 'ai', reason: 'model_failed', summary: `sum${evil}`, detail: `d${evil}` }, 4)),
    ]);
    // BEL is drawn as `\a`, ESC as `␛`.
    expect(out).toContain('AI assistant: Co␛]0;approved\\a (m␛]0;approved\\a)');
    expect(out).toContain(' AI  Co␛]0;approved\\a: hi␛]0;approved\\a');
    expect(out).toContain('Sam␛]0;approved\\a (guiding the AI): x');
    expect(out).toContain('The AI could not continue (d␛]0;approved\\a)');
    expect(out).toContain("The AI's summary for the engineer: sum␛]0;approved\\a");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the raw escape must be absent
    expect(out).not.toMatch(/\x1b\]/);
  });
});
