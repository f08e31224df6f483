import { checkTransition, type EngineerRequest } from '@codevf/protocol/shared';
import type { ApiClient } from '../core/api';
import { CodevfError } from '../core/errors';
import { readAllEvents } from './taskApi';
import { findRequest } from './taskDigest';

/**
 * The engineer request `requestId` of the task, as the events fold it, when it can still be
 * answered: pending, or approved (running, once output has begun) when an earlier share stopped
 * half way. Anything else is a clear error before anything is read or sent.
 */
export async function openRequest(
  api: ApiClient,
  taskId: string,
  requestId: string,
  kind?: EngineerRequest['kind'],
): Promise<EngineerRequest> {
  const request = findRequest(await readAllEvents(api, taskId), requestId);
  if (!request) {
    throw new CodevfError('E_NOT_FOUND', `Task ${taskId} has no request ${requestId}.`, {
      hint: `Run: codevf messages ${taskId} to see its requests.`,
    });
  }
  if (kind && request.kind !== kind) {
    const verb = request.kind === 'command' ? 'share-output' : 'share-file';
    throw new CodevfError('E_VALIDATION', `Request ${requestId} asks for a ${request.kind}, not a ${kind}.`, {
      hint: `Answer it with: codevf ${verb} ${taskId} ${requestId}`,
    });
  }
  if (request.state === 'expired') {
    throw new CodevfError('E_REQUEST_EXPIRED', `Request ${requestId} expired; it counts as declined.`);
  }
  if (request.state !== 'pending' && !checkTransition(request.state, 'use').ok) {
    throw new CodevfError('E_CONFLICT', `Request ${requestId} is already ${request.state}.`, {
      hint: `Run: codevf messages ${taskId} to see what is still open.`,
    });
  }
  return request;
}
