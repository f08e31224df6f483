import { MAX_COMMAND_CHARS } from '@codevf/protocol';
import { describe, expect, it } from 'vitest';
import { budgetSpent } from '../src/ai/aiBudget';
import {
  NEWEST_OUTPUT_CHARS,
  OLDER_OUTPUT_CHARS,
  type TaskBrief,
  type TranscriptEvent,
  transcriptMessages,
  trimMiddle,
} from '../src/ai/aiPrompt';
import { AI_TOOLS, parseToolCall } from '../src/ai/aiTools';
import { lastAiAction, lastTrigger, wouldLoop } from '../src/ai/aiTranscript';
import { scrubSecrets } from '../src/ai/scrubSecrets';
import { resolveConfig } from '../src/config';

const AI = 'codevf-ai';
const CUSTOMER = 'cust-1';
const brief: TaskBrief = {
  description: 'npm test fails',
  projectType: 'node',
  testCommand: 'npm test',
  buildCommand: '',
  aiName: 'CodeVF AI',
};

/** A transcript from [type, sender, payload] triples, numbered from seq 1. */
function transcript(...rows: [TranscriptEvent['type'], string | null, Record<string, unknown>][]): TranscriptEvent[] {
  return rows.map(([type, senderId, payload], i) => ({
    seq: i + 1,
    type,
    senderId,
    payload,
    timestamp: '2026-01-01T00:00:00.000Z',
  }));
}

const request = (requestId: string, command: string) =>
  ['request_command', AI, { requestId, command, reason: 'why', expiresAt: '2026-01-01T00:02:00.000Z' }] as const;

describe('the prompt: the transcript as chat messages', () => {
  it('shows the task, the chat, the requests as tool calls and their outcomes in order, and nothing else', () => {
    const events = transcript(
      ['task_status', null, { status: 'active' }],
      ['engineer_connected', null, { engineer: { id: AI, name: 'CodeVF AI', title: 'm' }, kind: 'ai' }],
      ['customer_connected', null, { customerId: CUSTOMER }],
      ['engineer_message', AI, { text: 'Hi! Let me run the tests.' }],
      [...request('r1', 'npm test')],
      ['customer_message', CUSTOMER, { text: 'ok go', redactions: 1 }],
      ['approve_command', CUSTOMER, { requestId: 'r1', approved: true, scope: 'once' }],
      ['command_output', CUSTOMER, { requestId: 'r1', stream: 'stdout', data: 'FAIL a\n' }],
      ['command_output', CUSTOMER, { requestId: 'r1', stream: 'stderr', data: 'boom\n' }],
      ['billing_update', null, { creditsUsed: 1, balance: 9, ratePerMinute: 1, minutes: 1 }],
      ['command_result', CUSTOMER, { requestId: 'r1', exitCode: 1, durationMs: 10, truncated: false, redactions: 0 }],
      ['guide_message', 'eng-1', { text: 'look at the router', guide: { id: 'eng-1', name: 'Maria' } }],
    );
    const messages = transcriptMessages(brief, events, AI);
    expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'user']);
    expect(messages[0]!.content).toContain('Test command: npm test');
    expect(messages[0]!.content).toContain('Build command: none configured');
    expect(messages[1]!.content).toContain('npm test fails');
    expect(messages[2]).toEqual({
      role: 'assistant',
      content: 'Hi! Let me run the tests.',
      tool_calls: [
        {
          id: 'req_r1',
          type: 'function',
          function: { name: 'run_command', arguments: JSON.stringify({ command: 'npm test', reason: 'why' }) },
        },
      ],
    });
    expect(messages[3]).toMatchObject({ role: 'tool', tool_call_id: 'req_r1' });
    const after = String(messages[4]!.content);
    const order = [
      'Customer: ok go',
      '1 secret value(s) in this message were masked',
      'The customer approved request r1 (run `npm test`)',
      'Result of request r1 (run `npm test`): exit code 1',
      '<output>\nFAIL a\nboom\n\n</output>',
      '[Guidance from engineer Maria] look at the router',
    ].map((s) => after.indexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const all = JSON.stringify(messages);
    for (const hidden of ['billing', 'creditsUsed', CUSTOMER, 'customer_connected']) expect(all).not.toContain(hidden);
  });

  it('reports denials, refusals by the CLI, expiries and files', () => {
    const events = transcript(
      [...request('r1', 'rm -rf /')],
      ['request_file', AI, { requestId: 'r2', path: '.env', reason: 'config', expiresAt: 'x' }],
      ['request_file', AI, { requestId: 'r3', path: 'src/app.js', reason: 'code', expiresAt: 'x' }],
      [...request('r4', 'npm ls')],
      ['approve_command', CUSTOMER, { requestId: 'r1', approved: false }],
      ['approve_file', CUSTOMER, { requestId: 'r2', approved: false, refusedReason: 'outside the project' }],
      ['approve_file', CUSTOMER, { requestId: 'r3', approved: true }],
      [
        'file_upload',
        CUSTOMER,
        {
          requestId: 'r3',
          path: 'src/app.js',
          size: 9,
          sha256: 'a'.repeat(64),
          encoding: 'utf8',
          content: 'app()',
          redactions: 2,
        },
      ],
      ['request_expired', null, { requestId: 'r4' }],
    );
    const messages = transcriptMessages(brief, events, AI);
    const calls = messages.flatMap((m) => ('tool_calls' in m && m.tool_calls ? m.tool_calls : []));
    expect(calls.map((c) => (c.type === 'function' ? c.function.name : ''))).toEqual([
      'run_command',
      'read_file',
      'read_file',
      'run_command',
    ]);
    const text = JSON.stringify(messages.at(-1));
    expect(text).toContain('The customer denied request r1 (run `rm -rf /`)');
    expect(text).toContain("The customer's CLI refused request r2 (read .env) without asking: outside the project");
    expect(text).toContain('File src/app.js (request r3, 9 bytes, 2 secret value(s) masked)');
    expect(text).toContain(
      'request r4 (run `npm ls`) expired without a decision from the customer; treat it as denied',
    );
  });

  it('trims long output in the middle with a visible note, older output harder than the newest', () => {
    const long = (tag: string) => `${tag}-START ${'x'.repeat(50_000)} ${tag}-END`;
    const events = transcript(
      [...request('r1', 'a')],
      ['approve_command', CUSTOMER, { requestId: 'r1', approved: true }],
      ['command_output', CUSTOMER, { requestId: 'r1', stream: 'stdout', data: long('OLD') }],
      ['command_result', CUSTOMER, { requestId: 'r1', exitCode: 0, durationMs: 1, truncated: true, redactions: 0 }],
      [...request('r2', 'b')],
      ['approve_command', CUSTOMER, { requestId: 'r2', approved: true }],
      ['command_output', CUSTOMER, { requestId: 'r2', stream: 'stdout', data: long('NEW') }],
      ['command_result', CUSTOMER, { requestId: 'r2', exitCode: 0, durationMs: 1, truncated: false, redactions: 0 }],
    );
    const text = JSON.stringify(transcriptMessages(brief, events, AI));
    for (const s of ['OLD-START', 'OLD-END', 'NEW-START', 'NEW-END', "the customer's CLI truncated the output"])
      expect(text).toContain(s);
    expect(text.length).toBeLessThan(NEWEST_OUTPUT_CHARS + OLDER_OUTPUT_CHARS + 6_000);
    expect(trimMiddle('abcdefghij', 6)).toBe('ab\n[… 4 characters omitted by CodeVF …]\nghij');
    expect(trimMiddle('short', 6)).toBe('short');
  });
});

describe('tool calls', () => {
  it('offers exactly the three tools an engineer has', () => {
    expect(AI_TOOLS.map((t) => t.function.name)).toEqual(['run_command', 'read_file', 'hand_off']);
  });

  it('turns valid calls into requests checked by the protocol schemas', () => {
    expect(parseToolCall({ id: '1', name: 'run_command', arguments: '{"command":"npm test","reason":"r"}' })).toEqual({
      ok: true,
      action: { kind: 'request_command', payload: { command: 'npm test', reason: 'r' } },
    });
    expect(
      parseToolCall({ id: '1b', name: 'run_command', arguments: '{"command":"ls","reason":"r","cwd":"packages/api"}' }),
    ).toEqual({
      ok: true,
      action: { kind: 'request_command', payload: { command: 'ls', reason: 'r', cwd: 'packages/api' } },
    });
    const outside = parseToolCall({
      id: '1c',
      name: 'run_command',
      arguments: '{"command":"ls","reason":"r","cwd":"../x"}',
    });
    expect(outside).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^run_command: cwd: must not contain \.\./),
    });
    expect(parseToolCall({ id: '2', name: 'read_file', arguments: '{"path":"a.js"}' })).toMatchObject({
      ok: true,
      action: { kind: 'request_file', payload: { path: 'a.js', reason: '' } },
    });
    expect(parseToolCall({ id: '3', name: 'hand_off', arguments: '{"summary":"s","reason":"r"}' })).toMatchObject({
      ok: true,
      action: { kind: 'hand_off', summary: 's', reason: 'r' },
    });
  });

  it('refuses unknown tools, bad JSON and what the schemas refuse, with an error for the model', () => {
    const refused = (name: string, args: string) => {
      const r = parseToolCall({ id: 'x', name, arguments: args });
      if (r.ok) throw new Error(`${name} ${args} was accepted`);
      return r.error;
    };
    expect(refused('approve_command', '{"requestId":"r1","approved":true}')).toContain('There is no tool named');
    expect(refused('end_session', '{}')).toContain('customer');
    expect(refused('run_command', '{"command": "npm')).toContain('not valid JSON');
    expect(refused('run_command', '["npm test"]')).toContain('one JSON object');
    expect(refused('run_command', '{"reason":"r"}')).toMatch(/^run_command: command/);
    expect(refused('run_command', JSON.stringify({ command: 'ls\u001b[2J' }))).toContain('control characters');
    expect(refused('run_command', JSON.stringify({ command: 'x'.repeat(MAX_COMMAND_CHARS + 1) }))).toContain('command');
    expect(refused('read_file', JSON.stringify({ path: 'a\nb' }))).toContain('path');
    expect(refused('hand_off', '{"summary":"  "}')).toContain('summary');
  });
});

describe('when the AI must answer, and loops', () => {
  it('answers customer lines, guidance and outcomes, not approvals, output chunks or bookkeeping', () => {
    const events = transcript(
      ['engineer_message', AI, { text: 'hi' }],
      [...request('r1', 'npm test')],
      ['approve_command', CUSTOMER, { requestId: 'r1', approved: true }],
      ['command_output', CUSTOMER, { requestId: 'r1', stream: 'stdout', data: 'x' }],
      ['billing_update', null, {}],
    );
    expect(lastAiAction(events, AI)).toBe(2);
    expect(lastTrigger(events)).toBe(0);
    const more = [
      ...events,
      ...transcript(['command_result', CUSTOMER, { requestId: 'r1' }]).map((e) => ({ ...e, seq: 6 })),
    ];
    expect(lastTrigger(more)).toBe(6);
  });

  it('calls the third identical request in a row a loop, but not a retry after something else', () => {
    const twice = transcript(
      [...request('r1', 'npm test')],
      ['approve_command', CUSTOMER, { requestId: 'r1', approved: false }],
      ['engineer_message', AI, { text: 'may I?' }],
      [...request('r2', 'npm test ')],
    );
    expect(wouldLoop(twice, AI, 'command:npm test')).toBe(true);
    expect(wouldLoop(twice, AI, 'command:npm ls')).toBe(false);
    const between = transcript(
      [...request('r1', 'npm test')],
      [...request('r2', 'npm ls')],
      [...request('r3', 'npm test')],
    );
    expect(wouldLoop(between, AI, 'command:npm test')).toBe(false);
    expect(wouldLoop(transcript([...request('r1', 'npm test')]), AI, 'command:npm test')).toBe(false);
  });
});

describe('budget and secrets', () => {
  const ai = { ...resolveConfig({}, {}).ai, maxCallsPerTask: 3, maxTokensPerTask: 1000, maxMinutesPerTask: 10 };
  const start = '2026-01-01T00:00:00.000Z';
  const at = (minutes: number) => new Date(Date.parse(start) + minutes * 60_000);
  const standing = { modelCalls: 0, tokens: 0, failures: 0, startedAt: start, ended: false };

  it('says which budget is spent, and that minutes end the AI even while it waits', () => {
    expect(budgetSpent(standing, ai, at(1))).toBeUndefined();
    expect(budgetSpent({ ...standing, modelCalls: 3 }, ai, at(1))).toEqual({
      detail: 'The AI used all 3 model calls of this task.',
      always: false,
    });
    expect(budgetSpent({ ...standing, tokens: 1000 }, ai, at(1))?.detail).toContain('1000 tokens');
    expect(budgetSpent(standing, ai, at(10))).toEqual({
      detail: "The AI's 10 minutes for this task are up.",
      always: true,
    });
  });

  it('masks the configured key and credential shapes in provider texts', () => {
    const key = 'my-key-1234567890';
    const text = scrubSecrets(
      `bad key ${key}; Authorization: Bearer abc.def.ghi123; sk-proj-ABCDEF123456; https://u:p4ss@host/x?api_key=zzzz9999`,
      [key],
    );
    for (const leaked of [key, 'abc.def.ghi123', 'sk-proj-ABCDEF123456', 'p4ss', 'zzzz9999'])
      expect(text).not.toContain(leaked);
    expect(text).toContain('bad key [secret]');
  });
});
