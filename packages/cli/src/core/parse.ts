import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { CommandModule, FlagSpecs, ParsedArgs } from './command';
import { CodevfError } from './errors';

/** Flags every command accepts, whatever it declares. */
export const GLOBAL_FLAGS = {
  help: { type: 'boolean', short: 'h', description: 'Show help for the command.' },
  'base-url': {
    type: 'string',
    valueName: 'url',
    description: "CodeVF server address (default: CODEVF_API_URL, the last login's server, http://127.0.0.1:7878).",
  },
} as const satisfies FlagSpecs;

export const JSON_FLAG = {
  json: {
    type: 'boolean',
    description: 'Print one JSON document on stdout: {"ok":true,"data":…} or {"ok":false,"error":…}.',
  },
} as const satisfies FlagSpecs;

export interface ParsedCommandLine {
  parsed: ParsedArgs<FlagSpecs>;
  help: boolean;
  json: boolean;
  baseUrl?: string;
}

/** All flags of a command, the global ones included. */
export function allFlags(command: CommandModule): FlagSpecs {
  return { ...(command.flags ?? {}), ...(command.json ? JSON_FLAG : {}), ...GLOBAL_FLAGS };
}

/**
 * node:util parseArgs: strict (unknown flags are errors), costs nothing to load. Any problem
 * with the command line is E_VALIDATION, exit 2.
 */
export function parseCommandLine(name: string, command: CommandModule, argv: string[]): ParsedCommandLine {
  const specs = allFlags(command);
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const [flag, spec] of Object.entries(specs)) {
    options[flag] = {
      type: spec.type,
      ...(spec.short ? { short: spec.short } : {}),
      ...(spec.multiple ? { multiple: true } : {}),
    };
  }
  let values: Record<string, unknown>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: splitOptionalValues(argv, specs),
      options,
      strict: true,
      allowPositionals: true,
    }));
  } catch (err) {
    if (!command.json && argv.includes('--json')) {
      throw usage(name, `codevf ${name} does not support --json (it is interactive).`);
    }
    throw usage(name, (err as Error).message);
  }
  const help = values.help === true;
  const args: Record<string, string | string[] | undefined> = {};
  const declared = command.args ?? [];
  let rest = positionals;
  for (const spec of declared) {
    if (spec.variadic) {
      args[spec.name] = rest;
      rest = [];
      if (spec.required && (args[spec.name] as string[]).length === 0 && !help) {
        throw usage(name, `Missing <${spec.name}>.`);
      }
      continue;
    }
    const [first, ...others] = rest;
    rest = others;
    if (first === undefined && spec.required && !help) throw usage(name, `Missing <${spec.name}>.`);
    args[spec.name] = first;
  }
  if (rest.length > 0 && !help) throw usage(name, `Unexpected argument: ${JSON.stringify(rest[0])}.`);
  const flags: Record<string, unknown> = {};
  for (const key of Object.keys(command.flags ?? {})) flags[key] = values[key];
  return {
    parsed: { args, flags: flags as ParsedArgs<FlagSpecs>['flags'] },
    help,
    json: values.json === true,
    baseUrl: typeof values['base-url'] === 'string' ? values['base-url'] : undefined,
  };
}

/** `--flag=value` of an `optionalValue` flag as `--flag value` (before a `--`, after which all are words). */
function splitOptionalValues(argv: string[], specs: FlagSpecs): string[] {
  const end = argv.indexOf('--');
  return argv.flatMap((word, i) => {
    const m = /^--([^=]+)=(.*)$/s.exec(word);
    const spec = m && (end < 0 || i < end) ? specs[m[1] as string] : undefined;
    return m && spec?.optionalValue ? [`--${m[1]}`, m[2] as string] : [word];
  });
}

export function usage(name: string | undefined, message: string): CodevfError {
  return new CodevfError('E_VALIDATION', message, {
    hint: name ? `Run: codevf ${name} --help` : 'Run: codevf --help',
  });
}
