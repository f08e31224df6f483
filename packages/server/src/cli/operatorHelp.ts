import { ExitCode } from '@codevf/protocol';
import type { Command, Help } from 'commander';

/**
 * Help in the layout of `codevf --help` (packages/cli/src/core/help.ts): a one-line summary,
 * the longer description, Usage, Commands or Flags as aligned two-column tables, Examples, and
 * on the root the exit codes. Commander parses; only its text is replaced.
 */

const pad = (text: string, width: number) => text + ' '.repeat(Math.max(2, width - text.length));

function table(rows: Array<[string, string]>): string {
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return rows.map(([left, right]) => `  ${pad(left, width)}${right}`).join('\n');
}

const EXAMPLES = new WeakMap<Command, string[]>();

/** Examples shown under a command's help. */
export function withExamples(cmd: Command, examples: string[]): Command {
  EXAMPLES.set(cmd, examples);
  return cmd;
}

/** `user passwd` for the command `passwd` under `user` under the root. */
function path(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

function flagLabel(flags: string): string {
  // Commander spells them "-h, --help" or "--email <email>"; align long-only flags under longs.
  return flags.startsWith('--') ? `    ${flags}` : flags;
}

export function formatOperatorHelp(cmd: Command, helper: Help, version: string, color: boolean): string {
  const b = (t: string) => (color ? `\x1b[1m${t}\x1b[0m` : t);
  const isRoot = !cmd.parent;
  const subcommands = helper.visibleCommands(cmd).filter((c) => c.name() !== 'help');
  const lines: string[] = [];
  if (isRoot) lines.push(`${cmd.name()} ${version} — ${cmd.description()}`, '');
  else {
    lines.push(cmd.summary() || cmd.description(), '');
    if (cmd.summary() && cmd.description()) lines.push(cmd.description(), '');
  }
  const usage = subcommands.length > 0 ? `${path(cmd)} <command> [flags]` : `${path(cmd)} [flags]`;
  lines.push(`${b('Usage:')} ${usage}`, '');
  if (subcommands.length > 0) {
    lines.push(b('Commands:'), table(subcommands.map((c) => [c.name(), c.summary() || c.description()])), '');
  }
  const options = helper.visibleOptions(cmd);
  // Flags of the parent that apply here too (--data-dir on the root).
  helper.showGlobalOptions = true;
  const inherited = isRoot ? [] : helper.visibleGlobalOptions(cmd).filter((o) => o.long !== '--version');
  const flagRows = [...options, ...inherited].map((o): [string, string] => [
    flagLabel(o.flags),
    helper.optionDescription(o),
  ]);
  if (flagRows.length > 0) lines.push(b('Flags:'), table(flagRows), '');
  const examples = EXAMPLES.get(cmd);
  if (examples?.length) lines.push(b('Examples:'), ...examples.map((e) => `  ${e}`), '');
  if (isRoot) {
    lines.push(
      b('Exit codes:'),
      table([
        [String(ExitCode.ok), 'success'],
        [String(ExitCode.error), 'error (unknown account, conflict, database unreachable)'],
        [String(ExitCode.usage), 'usage error (bad flag, argument or input)'],
      ]),
      '',
      `Run ${b(`${cmd.name()} <command> --help`)} for a command's flags. Admin commands with --json print one ` +
        'document: {"ok":true,"data":…} or {"ok":false,"error":{code,message,hint}}.',
      '',
    );
  }
  return lines.join('\n');
}
