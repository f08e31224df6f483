import { basename } from 'node:path';
import type { ProjectType } from '@codevf/protocol';
import { PROJECT_TYPES } from '@codevf/protocol/constants';
import { CodevfError } from '../core/errors';
import type { Detection } from './detectProject';
import type { ProjectConfig } from './projectConfig';

/**
 * The AI tools a customer may allow (spec §4.2 step 5); `other` covers self-hosted and other
 * models. A server's AI participant counts as one of them (its CODEVF_AI_VENDOR), and helps on
 * a project only when that one is allowed.
 */
export const AI_TOOLS = ['claude', 'gemini', 'gpt', 'other'] as const;
const AI_TOOL_NAMES: Record<(typeof AI_TOOLS)[number], string> = {
  claude: 'Claude',
  gemini: 'Gemini',
  gpt: 'GPT',
  other: 'Other (self-hosted or other models)',
};

const TYPE_NAMES: Record<ProjectType, string> = {
  node: 'Node.js',
  python: 'Python',
  go: 'Go',
  rust: 'Rust',
  ruby: 'Ruby',
  java: 'Java / Kotlin (JVM)',
  php: 'PHP',
  dotnet: '.NET',
  elixir: 'Elixir',
  other: 'Other',
};

export interface InitAnswers {
  name: string;
  type: ProjectType;
  testCommand: string;
  buildCommand: string;
  allowedTools: string[];
  /** Upload a snapshot now and git bundles on sync. */
  upload: boolean;
  /** Engineers get the codevf branch only. */
  branchOnly: boolean;
}

/** Answers given on the command line; undefined = not given. */
export type InitFlags = Partial<InitAnswers>;

/** The few prompt kinds the wizard uses; @inquirer/prompts in the CLI, scripted in tests. */
export interface Prompter {
  confirm(message: string, defaultValue: boolean): Promise<boolean>;
  input(message: string, defaultValue: string): Promise<string>;
  select<T extends string>(message: string, choices: { value: T; name: string }[], defaultValue: T): Promise<T>;
  checkbox<T extends string>(message: string, choices: { value: T; name: string; checked: boolean }[]): Promise<T[]>;
}

/** The flag that answers each question, for the E_NO_TTY message. */
const FLAG_FOR: Record<keyof InitAnswers, string> = {
  name: '--name <name>',
  type: '--type <type>',
  testCommand: '--test-command <cmd>',
  buildCommand: '--build-command <cmd>',
  allowedTools: '--tools <claude,gemini,gpt,other|none>',
  upload: '--upload / --no-upload',
  branchOnly: '--branch-only / --any-branch',
};

/** Reads `--type`, `--tools` and the paired booleans into answers; bad values are usage errors. */
export function parseInitFlags(flags: {
  name?: string;
  type?: string;
  'test-command'?: string;
  'build-command'?: string;
  tools?: string;
  upload?: boolean;
  'no-upload'?: boolean;
  'branch-only'?: boolean;
  'any-branch'?: boolean;
}): InitFlags {
  const out: InitFlags = {};
  const usage = (message: string) => new CodevfError('E_VALIDATION', message, { hint: 'Run: codevf init --help' });
  if (flags.name !== undefined) {
    const name = flags.name.trim();
    if (!name || name.length > 200) throw usage('--name must be 1 to 200 characters.');
    out.name = name;
  }
  if (flags.type !== undefined) {
    const type = flags.type.trim().toLowerCase();
    if (!(PROJECT_TYPES as readonly string[]).includes(type)) {
      throw usage(`--type must be one of ${PROJECT_TYPES.join(', ')}; got ${JSON.stringify(flags.type)}.`);
    }
    out.type = type as ProjectType;
  }
  if (flags['test-command'] !== undefined) out.testCommand = flags['test-command'].trim();
  if (flags['build-command'] !== undefined) out.buildCommand = flags['build-command'].trim();
  if (flags.tools !== undefined) {
    const tools = flags.tools
      .split(',')
      .map((t) => t.trim().toLowerCase())
      .filter(Boolean);
    if (tools.length === 1 && tools[0] === 'none') out.allowedTools = [];
    else {
      const bad = tools.filter((t) => !(AI_TOOLS as readonly string[]).includes(t));
      if (bad.length > 0 || tools.length === 0) {
        throw usage(
          `--tools takes a comma-separated list of ${AI_TOOLS.join(', ')}, or none; got ${JSON.stringify(flags.tools)}.`,
        );
      }
      out.allowedTools = [...new Set(tools)];
    }
  }
  if (flags.upload && flags['no-upload']) throw usage('Give --upload or --no-upload, not both.');
  if (flags.upload || flags['no-upload']) out.upload = Boolean(flags.upload);
  if (flags['branch-only'] && flags['any-branch']) throw usage('Give --branch-only or --any-branch, not both.');
  if (flags['branch-only'] || flags['any-branch']) out.branchOnly = Boolean(flags['branch-only']);
  return out;
}

/**
 * What `--yes` takes: the current settings when the folder is already set up, else what the
 * detectors found. Uploads default to off: nothing leaves the machine without an explicit yes.
 */
export function defaultAnswers(root: string, detections: Detection[], existing: ProjectConfig | null): InitAnswers {
  const found = detections[0];
  return {
    name: existing?.name ?? basename(root),
    type: existing?.type ?? found?.type ?? 'other',
    testCommand: existing?.testCommand ?? found?.testCommand ?? '',
    buildCommand: existing?.buildCommand ?? found?.buildCommand ?? '',
    allowedTools: existing?.allowedTools ?? [],
    upload: existing?.repoUploaded ?? false,
    branchOnly: existing ? existing.branchMode === 'codevf' : true,
  };
}

export interface ResolveOptions {
  flags: InitFlags;
  defaults: InitAnswers;
  detections: Detection[];
  /** --yes: take the default for every question the flags do not answer. */
  yes: boolean;
  /** Null when nobody can answer (no terminal). */
  prompter: Prompter | null;
}

/**
 * The wizard of spec §4.2: confirm the detected type, then test and build commands, AI tools,
 * uploads and branch access. A question answered by a flag is not asked; without a terminal
 * every question must be answered by a flag or by --yes.
 */
export async function resolveAnswers(options: ResolveOptions): Promise<InitAnswers> {
  const { flags, defaults, detections, yes, prompter } = options;
  const missing = (Object.keys(FLAG_FOR) as (keyof InitAnswers)[]).filter(
    (k) => flags[k] === undefined && k !== 'name',
  );
  if (yes || missing.length === 0) return { ...defaults, ...flags };
  if (!prompter) {
    throw new CodevfError('E_NO_TTY', 'codevf init asks questions, and no terminal is attached to answer them.', {
      hint: `Pass --yes to take the defaults, or answer with flags: ${missing.map((k) => FLAG_FOR[k]).join(', ')}.`,
    });
  }

  const answers: InitAnswers = { ...defaults, ...flags };
  if (flags.type === undefined) {
    const found = detections.find((d) => d.type === defaults.type) ?? detections[0];
    let confirmed = false;
    if (found) {
      confirmed = await prompter.confirm(
        `Detected ${found.label} (${found.evidence.join(', ')}). Is that right?`,
        true,
      );
      if (confirmed) answers.type = found.type;
    }
    if (!confirmed) {
      answers.type = await prompter.select(
        'What kind of project is this?',
        PROJECT_TYPES.map((t) => ({ value: t, name: TYPE_NAMES[t] })),
        defaults.type,
      );
    }
    // A different type than the one the defaults came from brings its own default commands.
    const forType = detections.find((d) => d.type === answers.type);
    if (answers.type !== defaults.type && forType) {
      if (flags.testCommand === undefined) answers.testCommand = forType.testCommand;
      if (flags.buildCommand === undefined) answers.buildCommand = forType.buildCommand;
    }
  }
  if (flags.testCommand === undefined) {
    answers.testCommand = (await prompter.input('Test command (empty for none):', answers.testCommand)).trim();
  }
  if (flags.buildCommand === undefined) {
    answers.buildCommand = (await prompter.input('Build command (empty for none):', answers.buildCommand)).trim();
  }
  if (flags.allowedTools === undefined) {
    answers.allowedTools = await prompter.checkbox(
      'Which AI tools may help on this project? (none selected = no AI)',
      AI_TOOLS.map((t) => ({ value: t, name: AI_TOOL_NAMES[t], checked: defaults.allowedTools.includes(t) })),
    );
  }
  if (flags.upload === undefined) {
    answers.upload = await prompter.confirm('Upload code for faster debugging?', defaults.upload);
  }
  if (flags.branchOnly === undefined) {
    answers.branchOnly = await prompter.confirm(
      'Allow engineers access to the codevf branch only?',
      defaults.branchOnly,
    );
  }
  return answers;
}

export function typeName(type: ProjectType): string {
  return TYPE_NAMES[type];
}
