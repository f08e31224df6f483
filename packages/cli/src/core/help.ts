import { ERROR_CODE_NAMES, ERROR_CODES, ExitCode } from '@codevf/protocol/errors';
import type { CommandModule, FlagSpec, RegisteredCommand } from './command';
import type { IO } from './io';
import { allFlags, GLOBAL_FLAGS } from './parse';

const pad = (text: string, width: number) => text + ' '.repeat(Math.max(2, width - text.length));

function flagLabel(name: string, spec: FlagSpec): string {
  const short = spec.short ? `-${spec.short}, ` : '    ';
  const value =
    spec.type === 'string'
      ? ` <${spec.valueName ?? 'value'}>`
      : spec.optionalValue
        ? ` [${spec.valueName ?? 'value'}]`
        : '';
  return `${short}--${name}${value}`;
}

function table(rows: Array<[string, string]>): string {
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return rows.map(([left, right]) => `  ${pad(left, width)}${right}`).join('\n');
}

export function rootHelp(io: IO, commands: RegisteredCommand[], version: string): string {
  const b = (t: string) => io.style('bold', t);
  const globals = Object.entries(GLOBAL_FLAGS).map(([n, s]): [string, string] => [flagLabel(n, s), s.description]);
  return [
    `codevf ${version} — live help (an AI assistant, a human engineer) without leaving the terminal`,
    '',
    `${b('Usage:')} codevf <command> [flags]`,
    '',
    b('Commands:'),
    table(commands.map((c) => [c.name, c.summary])),
    '',
    b('Flags:'),
    table([...globals, ['-v, --version', 'Print the version.']]),
    '',
    b('Exit codes:'),
    table([
      [String(ExitCode.ok), 'success'],
      [String(ExitCode.error), 'error'],
      [String(ExitCode.usage), 'usage error (bad flag or argument)'],
      [String(ExitCode.auth), 'authentication needed (not logged in, login revoked)'],
      [String(ExitCode.unreachable), 'server unreachable or timed out'],
      [String(ExitCode.refused), 'refused (denied or cancelled)'],
      [String(ExitCode.interrupted), 'interrupted (Ctrl+C)'],
    ]),
    '',
    `Run ${b('codevf <command> --help')} for a command's flags, ${b('codevf help errors')} for the error codes.`,
    '',
  ].join('\n');
}

export function commandHelp(io: IO, entry: RegisteredCommand, command: CommandModule): string {
  const b = (t: string) => io.style('bold', t);
  const args = command.args ?? [];
  const argUsage = args.map((a) => {
    const word = a.variadic ? `${a.name}...` : a.name;
    return a.required ? `<${word}>` : `[${word}]`;
  });
  const lines = [entry.summary, ''];
  if (command.description) lines.push(command.description.trim(), '');
  lines.push(`${b('Usage:')} codevf ${[entry.name, ...argUsage, '[flags]'].join(' ')}`, '');
  if (args.length > 0) {
    lines.push(b('Arguments:'), table(args.map((a) => [a.name, a.description])), '');
  }
  const flags = Object.entries(allFlags(command)).map(([n, s]): [string, string] => [flagLabel(n, s), s.description]);
  lines.push(b('Flags:'), table(flags), '');
  if (command.examples?.length) lines.push(b('Examples:'), ...command.examples.map((e) => `  ${e}`), '');
  return lines.join('\n');
}

/** `codevf help errors`: the protocol's error table, readable in a terminal. */
export function errorsHelp(io: IO): string {
  const width = Math.max(...ERROR_CODE_NAMES.map((c) => c.length)) + 2;
  const lines = ERROR_CODE_NAMES.map((code) => {
    const info = ERROR_CODES[code];
    return `  ${pad(code, width)}exit ${info.exit}  ${info.meaning}\n  ${' '.repeat(width)}        ${io.style('dim', info.hint)}`;
  });
  return [`${io.style('bold', 'Error codes')} (the "code" of a --json error):`, '', ...lines, ''].join('\n');
}
