import { describe, expect, it } from 'vitest';
import { CodevfError } from '../../src/core/errors';
import type { Detection } from '../../src/project/detectProject';
import { defaultAnswers, type Prompter, parseInitFlags, resolveAnswers } from '../../src/project/initAnswers';
import type { ProjectConfig } from '../../src/project/projectConfig';

const node: Detection = {
  type: 'node',
  tool: 'pnpm',
  label: 'Node.js (pnpm)',
  testCommand: 'pnpm test',
  buildCommand: 'pnpm run build',
  explicit: { test: true, build: true },
  evidence: ['package.json'],
};
const python: Detection = {
  ...node,
  type: 'python',
  tool: 'uv',
  label: 'Python (uv)',
  testCommand: 'uv run pytest',
  buildCommand: 'uv build',
};

/** A prompter that answers from a script and records the questions, in order. */
function scripted(answers: unknown[]): Prompter & { asked: string[] } {
  const asked: string[] = [];
  const next = <T>(message: string): Promise<T> => {
    asked.push(message);
    if (answers.length === 0) throw new Error(`unexpected question: ${message}`);
    return Promise.resolve(answers.shift() as T);
  };
  return {
    asked,
    confirm: (m) => next(m),
    input: (m) => next(m),
    select: (m) => next(m),
    checkbox: (m) => next(m),
  };
}

describe('parseInitFlags', () => {
  it('reads every answer', () => {
    expect(
      parseInitFlags({
        name: ' shop ',
        type: 'Go',
        'test-command': ' go test ./... ',
        'build-command': '',
        tools: 'claude, gpt,claude',
        'no-upload': true,
        'any-branch': true,
      }),
    ).toEqual({
      name: 'shop',
      type: 'go',
      testCommand: 'go test ./...',
      buildCommand: '',
      allowedTools: ['claude', 'gpt'],
      upload: false,
      branchOnly: false,
    });
    expect(parseInitFlags({ tools: 'none', upload: true, 'branch-only': true })).toEqual({
      allowedTools: [],
      upload: true,
      branchOnly: true,
    });
    expect(parseInitFlags({})).toEqual({});
  });

  it('takes `other` (self-hosted or other models) among the AI tools, alone or with the others', () => {
    expect(parseInitFlags({ tools: 'other' })).toEqual({ allowedTools: ['other'] });
    expect(parseInitFlags({ tools: 'Claude,OTHER' })).toEqual({ allowedTools: ['claude', 'other'] });
    expect(() => parseInitFlags({ tools: 'others' })).toThrow(
      '--tools takes a comma-separated list of claude, gemini, gpt, other, or none; got "others".',
    );
  });

  it.each([
    [{ type: 'cobol' }],
    [{ tools: 'claude,copilot' }],
    [{ tools: ',' }],
    [{ tools: 'none,claude' }],
    [{ upload: true, 'no-upload': true }],
    [{ 'branch-only': true, 'any-branch': true }],
    [{ name: '' }],
  ])('refuses %j', (flags) => {
    expect(() => parseInitFlags(flags)).toThrow(CodevfError);
  });
});

describe('resolveAnswers', () => {
  const defaults = defaultAnswers('/work/shop', [node, python], null);

  it('defaults to detected commands, no AI tools, no upload, codevf branch only', () => {
    expect(defaults).toEqual({
      name: 'shop',
      type: 'node',
      testCommand: 'pnpm test',
      buildCommand: 'pnpm run build',
      allowedTools: [],
      upload: false,
      branchOnly: true,
    });
  });

  it('takes the current settings as defaults when run again', () => {
    const existing: ProjectConfig = {
      version: '1',
      projectId: 'p',
      name: 'old',
      type: 'go',
      allowedTools: ['gemini'],
      testCommand: 'make test',
      buildCommand: '',
      repoUploaded: true,
      branchMode: 'any',
      createdAt: 'x',
    };
    expect(defaultAnswers('/x', [node], existing)).toEqual({
      name: 'old',
      type: 'go',
      testCommand: 'make test',
      buildCommand: '',
      allowedTools: ['gemini'],
      upload: true,
      branchOnly: false,
    });
  });

  it('offers the four AI tools, `other` among them, with the current ones ticked', async () => {
    const offered: { value: string; name: string; checked: boolean }[][] = [];
    const prompter = scripted([true, 'pnpm test', '', false, true]);
    prompter.checkbox = (m, choices) => {
      prompter.asked.push(m);
      offered.push(choices);
      return Promise.resolve(['other'] as never);
    };
    const answers = await resolveAnswers({
      flags: {},
      defaults: { ...defaults, allowedTools: ['gpt'] },
      detections: [node],
      yes: false,
      prompter,
    });
    expect(offered[0]).toEqual([
      { value: 'claude', name: 'Claude', checked: false },
      { value: 'gemini', name: 'Gemini', checked: false },
      { value: 'gpt', name: 'GPT', checked: true },
      { value: 'other', name: 'Other (self-hosted or other models)', checked: false },
    ]);
    expect(answers.allowedTools).toEqual(['other']);
  });

  it('asks the spec’s questions in order', async () => {
    const prompter = scripted([true, 'pnpm vitest', '', ['claude'], true, false]);
    const answers = await resolveAnswers({ flags: {}, defaults, detections: [node], yes: false, prompter });
    expect(answers).toEqual({
      name: 'shop',
      type: 'node',
      testCommand: 'pnpm vitest',
      buildCommand: '',
      allowedTools: ['claude'],
      upload: true,
      branchOnly: false,
    });
    expect(prompter.asked.map((q) => q.split(' ')[0])).toEqual([
      'Detected',
      'Test',
      'Build',
      'Which',
      'Upload',
      'Allow',
    ]);
  });

  it('offers the type list when the detection is rejected, with that type’s commands as defaults', async () => {
    const prompter = scripted([false, 'python', 'uv run pytest -x', 'uv build', [], false, true]);
    const answers = await resolveAnswers({ flags: {}, defaults, detections: [node, python], yes: false, prompter });
    expect(answers).toMatchObject({ type: 'python', testCommand: 'uv run pytest -x' });
    expect(prompter.asked[1]).toMatch(/What kind of project/);
  });

  it('does not ask what the flags answer', async () => {
    const prompter = scripted(['npm test']);
    const answers = await resolveAnswers({
      flags: { type: 'node', buildCommand: 'x', allowedTools: [], upload: false, branchOnly: true },
      defaults,
      detections: [node],
      yes: false,
      prompter,
    });
    expect(prompter.asked).toEqual(['Test command (empty for none):']);
    expect(answers.buildCommand).toBe('x');
  });

  it('never asks with --yes or when every answer is a flag, and needs one or the other without a terminal', async () => {
    const none = scripted([]);
    expect(
      await resolveAnswers({ flags: { upload: true }, defaults, detections: [node], yes: true, prompter: none }),
    ).toEqual({
      ...defaults,
      upload: true,
    });
    const all = {
      type: 'go' as const,
      testCommand: 't',
      buildCommand: 'b',
      allowedTools: [],
      upload: false,
      branchOnly: true,
    };
    expect(await resolveAnswers({ flags: all, defaults, detections: [], yes: false, prompter: null })).toMatchObject(
      all,
    );

    const err = await resolveAnswers({
      flags: { type: 'go' },
      defaults,
      detections: [],
      yes: false,
      prompter: null,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CodevfError);
    expect((err as CodevfError).code).toBe('E_NO_TTY');
    expect((err as CodevfError).hint).toContain('--test-command');
    expect((err as CodevfError).hint).not.toContain('--type');
  });
});
