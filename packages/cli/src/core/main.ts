import { COMMANDS } from '../commands/registry';
import type { RegisteredCommand } from './command';
import { type ContextOverrides, createContext } from './context';
import { CodevfError } from './errors';
import { commandHelp, errorsHelp, rootHelp } from './help';
import type { IO } from './io';
import { writeFailure, writeSuccess } from './output';
import { parseCommandLine, usage } from './parse';
import { VERSION } from './version';

export interface MainOptions {
  io: IO;
  /** Aborted on Ctrl+C. */
  signal?: AbortSignal;
  overrides?: ContextOverrides;
  /** Defaults to the registry; tests may pass their own commands. */
  commands?: RegisteredCommand[];
}

/** Runs one command line and returns the exit code. Never throws. */
export async function main(argv: string[], options: MainOptions): Promise<number> {
  const { io } = options;
  const commands = options.commands ?? COMMANDS;
  const signal = options.signal ?? new AbortController().signal;
  // Before parsing we do not know whether the command speaks JSON; trust the flag's presence.
  let json = argv.includes('--json');
  try {
    const [first, ...rest] = argv;
    if (first === '--version' || first === '-v' || first === '-V') {
      io.out(`${VERSION}\n`);
      return 0;
    }
    // Bare `codevf` in a terminal starts a session and asks "What issue are you facing?".
    if (first === undefined && io.canPrompt && io.stdoutIsTTY && commands.some((c) => c.name === 'fix')) {
      return main(['fix'], options);
    }
    if (first === undefined || first === '--help' || first === '-h') {
      io.out(rootHelp(io, commands, VERSION));
      return 0;
    }
    if (first === 'help') {
      const topic = rest[0];
      if (topic === undefined) io.out(rootHelp(io, commands, VERSION));
      else if (topic === 'errors' || topic === 'exit-codes') io.out(errorsHelp(io));
      else {
        const entry = findCommand(commands, topic);
        io.out(commandHelp(io, entry, (await entry.load()).default));
      }
      return 0;
    }
    if (first.startsWith('-')) throw usage(undefined, `Unknown flag ${first}; flags come after the command.`);

    const entry = findCommand(commands, first);
    const command = (await entry.load()).default;
    const line = parseCommandLine(entry.name, command, rest);
    json = line.json;
    if (line.help) {
      io.out(commandHelp(io, entry, command));
      return 0;
    }
    const ctx = createContext({ io, json, baseUrlFlag: line.baseUrl, signal, overrides: options.overrides });
    const result = await command.handler(line.parsed, ctx);
    if (json) writeSuccess(io, true, result);
    else command.human?.(result, ctx);
    return 0;
  } catch (err) {
    return writeFailure(io, json, err);
  }
}

function findCommand(commands: RegisteredCommand[], name: string): RegisteredCommand {
  const entry = commands.find((c) => c.name === name);
  if (entry) return entry;
  const near = commands.find((c) => c.name.startsWith(name.slice(0, 2)) || editDistance(c.name, name) <= 2);
  throw new CodevfError('E_VALIDATION', `Unknown command ${JSON.stringify(name)}.`, {
    hint: near ? `Did you mean: codevf ${near.name}?` : 'Run: codevf --help',
  });
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        (prev[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}
