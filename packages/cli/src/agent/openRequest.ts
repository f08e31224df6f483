import { checkTransition, type EngineerRequest } from '@codevf/protocol/shared';
import type { ApiClient } from '../core/api';
import { CodevfError } from '../core/errors';
import { readAllEvents } from './taskApi';
import { findRequest } from './taskDigest';

/** How the agent means to answer: share output or a file of that kind, or decline. */
export type Answer = { share: EngineerRequest['kind'] } | { decline: true };

const shareVerb = (kind: EngineerRequest['kind']) => (kind === 'command' ? 'share-output' : 'share-file');

/**
 * The engineer request `requestId` of the task, as the events fold it, when it can still be
 * answered that way: pending; for a share also approved (running, once output has begun) when
 * an earlier share stopped half way, which the request lifecycle lets be used but no longer
 * decided. Anything else is a clear error before anything is read or sent.
 */
export async function openRequest(
  api: ApiClient,
  taskId: string,
  requestId: string,
  answer: Answer,
): Promise<EngineerRequest> {
  const request = findRequest(await readAllEvents(api, taskId), requestId);
  if (!request) {
    throw new CodevfError('E_NOT_FOUND', `Task ${taskId} has no request ${requestId}.`, {
      hint: `Run: codevf messages ${taskId} to see its requests.`,
    });
  }
  if ('share' in answer && request.kind !== answer.share) {
    throw new CodevfError('E_VALIDATION', `Request ${requestId} asks for a ${request.kind}, not a ${answer.share}.`, {
      hint: `Answer it with: codevf ${shareVerb(request.kind)} ${taskId} ${requestId}`,
    });
  }
  if (request.state === 'expired') {
    throw new CodevfError('E_REQUEST_EXPIRED', `Request ${requestId} expired; it counts as declined.`);
  }
  if (request.state === 'pending') return request;
  if (!checkTransition(request.state, 'use').ok) {
    throw new CodevfError('E_CONFLICT', `Request ${requestId} is already ${request.state}.`, {
      hint: `Run: codevf messages ${taskId} to see what is still open.`,
    });
  }
  if ('decline' in answer) {
    throw new CodevfError('E_CONFLICT', `Request ${requestId} is already approved; it can no longer be declined.`, {
      hint: `Finish it with: codevf ${shareVerb(request.kind)} ${taskId} ${requestId}${request.kind === 'command' ? ' --file F' : ''}`,
    });
  }
  return request;
}
