import { ERROR_CODES, type ErrorCode, type ProblemDetails } from '@codevf/protocol';

/**
 * An error with a code from the protocol's table. Route code throws it; the error handler
 * turns it into RFC 9457 problem details with the table's HTTP status.
 */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly fieldErrors?: { path: string; message: string }[];
  readonly headers?: Record<string, string>;

  constructor(
    code: ErrorCode,
    detail: string,
    options: {
      status?: number;
      fieldErrors?: { path: string; message: string }[];
      headers?: Record<string, string>;
    } = {},
  ) {
    super(detail);
    this.name = 'ApiError';
    this.code = code;
    this.status = options.status ?? (ERROR_CODES[code].status as number);
    this.fieldErrors = options.fieldErrors;
    this.headers = options.headers;
  }
}

const TITLES: Partial<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  426: 'Upgrade Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function problem(
  code: ErrorCode,
  detail: string,
  status: number = ERROR_CODES[code].status,
  fieldErrors?: ApiError['fieldErrors'],
): ProblemDetails {
  return {
    type: `https://codevf.dev/errors/${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    ...(fieldErrors ? { errors: fieldErrors } : {}),
  };
}
