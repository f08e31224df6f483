import { Writable } from 'node:stream';
import { showUntrusted } from '@codevf/protocol/shared';
import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * pino with redaction: credentials can appear in headers and in a few bodies; none of them is
 * ever written to a log. Request logs carry method, path and status, never bodies.
 */
const SECRET_KEYS = [
  'password',
  'currentPassword',
  'newPassword',
  'access_token',
  'refresh_token',
  'device_code',
  'token',
  'apiKey',
];
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  // pino's `*.key` matches one level down only, so the top-level key is listed as well.
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
];

/** `json`: one JSON object a line (for log collectors); `pretty`: one short line for people. */
export type LogFormat = 'json' | 'pretty';
export const LOG_FORMATS: readonly LogFormat[] = ['json', 'pretty'];

/**
 * The flag wins, then CODEVF_LOG_FORMAT, then the kind of output: a terminal gets the short
 * lines, anything else (a file, journald, a container's log driver) gets JSON lines.
 */
export function resolveLogFormat(flag: string | undefined, env: NodeJS.ProcessEnv, isTTY: boolean): LogFormat {
  for (const [value, source] of [
    [flag, '--log-format'],
    [env.CODEVF_LOG_FORMAT, 'CODEVF_LOG_FORMAT'],
  ] as const) {
    if (value === undefined || value === '') continue;
    if ((LOG_FORMATS as readonly string[]).includes(value)) return value as LogFormat;
    throw new Error(`${source} must be ${LOG_FORMATS.join(' or ')}, got ${JSON.stringify(value)}`);
  }
  return isTTY ? 'pretty' : 'json';
}

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const LEVEL_COLORS: Record<number, string> = { 40: '33', 50: '31', 60: '31', 20: '2', 10: '2' };
/** Fields every line has or that say nothing to a person reading a terminal. */
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'reqId']);

/**
 * Log fields can hold strings from clients: everything goes through the one renderer of
 * untrusted text, so no escape sequence or bidi control reaches the operator's terminal.
 */
function fieldText(value: unknown): string {
  if (typeof value === 'string')
    return showUntrusted(/[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value);
  if (value !== null && typeof value === 'object') {
    const err = value as { type?: string; message?: string; stack?: string };
    // pino's err serializer: the message is what an operator needs on one line.
    if (typeof err.message === 'string' && typeof err.stack === 'string')
      return showUntrusted(JSON.stringify(err.message));
    return showUntrusted(JSON.stringify(value));
  }
  return String(value);
}

/** One pino JSON line as `12:04:05 WARN message key=value …` (already redacted by pino). */
export function formatPrettyLine(line: string, color: boolean): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line);
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const level = typeof entry.level === 'number' ? entry.level : 30;
  const time = new Date(typeof entry.time === 'number' ? entry.time : Date.now()).toISOString().slice(11, 19);
  const name = (LEVEL_NAMES[level] ?? String(level)).padEnd(5);
  const tint = (code: string | undefined, t: string) => (color && code ? `\x1b[${code}m${t}\x1b[0m` : t);
  const fields = Object.entries(entry)
    .filter(([k, v]) => !HIDDEN.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${fieldText(v)}`);
  const msg = typeof entry.msg === 'string' ? showUntrusted(entry.msg) : '';
  const rest = fields.length ? ` ${tint('2', fields.join(' '))}` : '';
  return `${tint('2', time)} ${tint(LEVEL_COLORS[level], name)} ${msg}${rest}\n`;
}

/** A pino destination that writes `formatPrettyLine` output; no dependency beyond node:stream. */
export function prettyDestination(out: NodeJS.WritableStream = process.stdout, color = false): DestinationStream {
  return new Writable({
    write(chunk, _enc, cb) {
      // pino writes whole lines; a chunk may hold several.
      for (const line of String(chunk).split('\n')) if (line) out.write(formatPrettyLine(line, color));
      cb();
    },
  });
}

export function createLogger(
  options: { level?: string; destination?: DestinationStream; format?: LogFormat } = {},
): Logger {
  const level = options.level ?? process.env.CODEVF_LOG_LEVEL ?? 'info';
  const opts = {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      // Log the path only: query strings may carry user codes or other identifiers.
      req: (req: { method: string; url: string; ip?: string }) => ({
        method: req.method,
        path: req.url.split('?')[0],
        ip: req.ip,
      }),
    },
  };
  if (options.format === 'pretty') {
    const out = (options.destination as NodeJS.WritableStream | undefined) ?? process.stdout;
    const color = out === process.stdout && Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
    return pino(opts, prettyDestination(out, color));
  }
  return options.destination ? pino(opts, options.destination) : pino(opts);
}
