import { CLOSE_CODES } from '@codevf/protocol/shared';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireUser } from '../auth/guards';
import type { AppContext } from '../context';
import { ApiError } from '../http/errors';
import { publicUrl } from '../http/publicUrl';
import { parseWith } from '../http/validate';
import { roleIn, visibleTask } from '../tasks/taskService';
import { LiveConnection, type LiveTarget } from './liveConnection';

const Params = z.object({ id: z.string().min(1).max(64) });

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the live socket of this request is for, once every check before the upgrade passed. */
    liveTarget: LiveTarget | null;
  }
}

/**
 * `GET /v1/tasks/:id/ws` — the live session (docs/PROTOCOL.md §3). Everything is checked before the
 * upgrade, so a refused client gets an HTTP status and problem details, never an open socket.
 */
export async function liveRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const runtime = app.live;
  app.decorateRequest('liveTarget', null);
  app.addHook('onReady', async () => runtime.start());
  app.addHook('onClose', async () => runtime.stop());

  app.get(
    '/v1/tasks/:id/ws',
    {
      websocket: true,
      preValidation: async (request) => {
        const user = await requireUser(request);
        if (user.via === 'cookie') {
          // Browsers attach cookies to cross-site WebSocket handshakes and the same-origin policy
          // does not apply to them: without this check any web page could drive a session.
          const origin = request.headers.origin;
          if (!origin || origin !== new URL(publicUrl(app)).origin) {
            throw new ApiError('E_FORBIDDEN', 'Cross-origin WebSocket refused.');
          }
        }
        // Over every instance (userSockets.ts): one account cannot hold more by spreading them out.
        if (
          runtime.socketsOf(user.id) >= ctx.config.maxSocketsPerUser ||
          (await runtime.socketsEverywhere(user.id)) >= ctx.config.maxSocketsPerUser
        ) {
          throw new ApiError(
            'E_LIMIT_REACHED',
            `This account already has ${ctx.config.maxSocketsPerUser} live connections open; close some first.`,
          );
        }
        const { id } = parseWith(Params, request.params);
        const task = await visibleTask(ctx, user, id, 'participate');
        request.liveTarget = { user, taskId: id, role: roleIn(task, user) };
      },
    },
    (socket, request) => {
      const target = request.liveTarget;
      if (!target) {
        socket.close(CLOSE_CODES.internal, 'not authorised');
        return;
      }
      new LiveConnection(runtime, socket, target);
    },
  );
}
