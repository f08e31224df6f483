import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * pino with redaction: credentials can appear in headers and in a few bodies; none of them is
 * ever written to a log. Request logs carry method, path and status, never bodies.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.access_token',
  '*.refresh_token',
  '*.device_code',
  '*.token',
];

export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
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
  return options.destination ? pino(opts, options.destination) : pino(opts);
}
