import { AdminTasksQuery, CreditGrantBody, NewUserBody, UserPatchBody } from '@codevf/protocol';
import type { FastifyInstance } from 'fastify';
import { announceAccessChange } from '../auth/accessChanges';
import { requireRole } from '../auth/guards';
import type { AppContext } from '../context';
import { ApiError } from '../http/errors';
import { parseWith } from '../http/validate';
import { createUser, findUserById, grantCredits, listUsers, toAdminView, updateUser } from '../users/users';
import { listAdminEngineers, listAdminTasks } from './adminOverview';

export async function adminRoutes(app: FastifyInstance, ctx: AppContext) {
  app.get('/v1/admin/users', async (request) => {
    await requireRole(request, 'admin');
    return { users: (await listUsers(ctx.storage)).map(toAdminView) };
  });

  // The overview: every task with filters, and each engineer's figures.
  app.get('/v1/admin/tasks', async (request) => {
    await requireRole(request, 'admin');
    return listAdminTasks(ctx, parseWith(AdminTasksQuery, request.query));
  });

  app.get('/v1/admin/engineers', async (request) => {
    await requireRole(request, 'admin');
    return { engineers: await listAdminEngineers(ctx) };
  });

  app.post('/v1/admin/users', async (request, reply) => {
    const admin = await requireRole(request, 'admin');
    const body = parseWith(NewUserBody, request.body);
    const user = await createUser(ctx.storage, ctx.clock, body);
    request.log.info({ adminId: admin.id, userId: user.id, role: user.role }, 'user created');
    return reply.code(201).send(toAdminView(user));
  });

  app.patch('/v1/admin/users/:id', async (request) => {
    const admin = await requireRole(request, 'admin');
    const body = parseWith(UserPatchBody, request.body);
    const { id } = request.params as { id: string };
    if (id === admin.id && (body.disabled || (body.role && body.role !== 'admin'))) {
      // An admin locking themselves out is almost always a mistake.
      throw new ApiError('E_CONFLICT', 'You cannot disable yourself or drop your own admin role.');
    }
    const before = body.role ? await findUserById(ctx.storage, id) : undefined;
    const user = await updateUser(ctx.storage, id, body);
    // A disabled account or a new role changes what its open live sockets may do: they close.
    if (body.disabled || (before && before.role !== user.role)) await announceAccessChange(ctx, id);
    request.log.info({ adminId: admin.id, userId: id, change: Object.keys(body) }, 'user updated');
    return toAdminView(user);
  });

  app.post('/v1/admin/credits', async (request) => {
    const admin = await requireRole(request, 'admin');
    const body = parseWith(CreditGrantBody, request.body);
    const user = await grantCredits(
      ctx.storage,
      ctx.clock,
      body.email,
      body.amount,
      body.note ?? `granted by ${admin.email}`,
    );
    return toAdminView(user);
  });
}
