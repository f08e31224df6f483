import type { ErrorCode } from '../errors';

/** A refusal or failure of the live client, with the protocol's error code. */
export class LiveClientError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'LiveClientError';
  }
}
