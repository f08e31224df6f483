import {
  type ClientMessageType,
  isClientMessageType,
  isServerMessageType,
  MAX_FILE_FRAME_BYTES,
  MESSAGE_ID,
  parseClientPayload,
} from '@codevf/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireUser } from '../auth/guards';
import type { AppContext } from '../context';
import { ApiError } from '../http/errors';
import { fieldErrors, parseWith } from '../http/validate';
import { agentCalled } from '../live/agentPresence';
import { liveRuntime } from '../live/liveRuntime';
import { handleMessage } from '../live/messageHandlers';
import { SENDS } from '../live/sender';
import { roleIn, visibleTask } from './taskService';

const IdParams = z.object({ id: z.string().min(1).max(64) });
const MessageBody = z.object({
  type: z.string().min(1).max(64),
  payload: z.record(z.unknown()).default({}),
  id: z.string().regex(MESSAGE_ID, 'expected 1 to 64 letters, digits, "_" or "-"').optional(),
});

/**
 * `POST /v1/tasks/:id/messages` — a customer's live message over REST, for a coding agent that
 * holds no socket (docs/PROTOCOL.md §2.4). It takes the socket's path: the role's allowed
 * types, the protocol schema, then `handleMessage` (its rules under the task lock, its events
 * published to every live socket). Answers `201 { seq }`; a re-sent `id` answers the first seq.
 */
export async function messageRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.post(
    '/v1/tasks/:id/messages',
    // A file_upload carries a whole file: the socket's largest frame, plus the envelope.
    { bodyLimit: MAX_FILE_FRAME_BYTES + 64 * 1024 },
    async (request, reply) => {
      const user = await requireUser(request);
      const { id: taskId } = parseWith(IdParams, request.params);
      const body = parseWith(MessageBody, request.body);
      const task = await visibleTask(ctx, user, taskId, 'participate');
      if (roleIn(task, user) !== 'customer')
        throw new ApiError(
          'E_FORBIDDEN',
          "Only the task's customer sends messages over REST; engineers and guides use the live session.",
        );
      const type = messageType(body.type);
      if (task.driver === 'agent' && user.via === 'bearer')
        await agentCalled(ctx, liveRuntime(ctx).agents, taskId, user);
      const parsed = parseClientPayload(type, body.payload);
      if (!parsed.success) {
        const errors = fieldErrors(parsed.error, '').map((e) => ({
          path: e.path ? `payload.${e.path}` : 'payload',
          message: e.message,
        }));
        const first = errors[0] ?? { path: 'payload', message: 'invalid' };
        throw new ApiError('E_VALIDATION', `${type}: ${first.path}: ${first.message}`, { fieldErrors: errors });
      }
      const result = await handleMessage(ctx, { user, role: 'customer', taskId }, type, parsed.data, body.id);
      // A decision that came after the request expired: nothing was stored.
      if (result.error) throw result.error;
      return reply.code(201).send({ seq: result.seq });
    },
  );
}

/** The customer's message types (less `hello`, which only opens a socket), or the error the socket would give. */
function messageType(type: string): Exclude<ClientMessageType, 'hello'> {
  if (type === 'hello')
    throw new ApiError('E_VALIDATION', 'type: hello opens a live socket; over REST, send the message itself.', {
      fieldErrors: [{ path: 'type', message: 'hello is not sent over REST' }],
    });
  if (isClientMessageType(type) && type !== 'hello' && SENDS.customer.includes(type)) return type;
  if (isClientMessageType(type) || isServerMessageType(type))
    throw new ApiError('E_FORBIDDEN', `A customer may not send ${type}.`);
  throw new ApiError('E_VALIDATION', `type: unknown message type "${type}".`, {
    fieldErrors: [{ path: 'type', message: `unknown message type "${type}"` }],
  });
}
