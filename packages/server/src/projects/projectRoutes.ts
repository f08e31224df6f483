import { CONTENT_SHA256_HEADER, ProjectBody, SyncBody } from '@codevf/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireRole, requireUser } from '../auth/guards';
import type { AppContext } from '../context';
import { parseWith } from '../http/validate';
import {
  createProject,
  latestUpload,
  listProjects,
  ownedProject,
  projectView,
  readableProject,
  recordSync,
  updateProject,
} from './projectService';
import { receiveUpload } from './receiveUpload';
import { snapshotFile, snapshotListing } from './snapshotFiles';

const IdParams = z.object({ id: z.string().min(1).max(64) });
const FileQuery = z.object({
  path: z
    .string({ required_error: 'path is required: a file path from …/snapshot/files' })
    .min(1, 'path is required: a file path from …/snapshot/files')
    .max(4096, 'path is at most 4096 characters'),
});

/** Raw upload bodies; Fastify hands them to the route as the request stream, unread. */
const UPLOAD_TYPES = ['application/gzip', 'application/x-gzip', 'application/octet-stream'];

/** Projects, their snapshots, bundles and syncs (docs/PROTOCOL.md §2; decisions in protocol api.ts). */
export async function projectRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  // Scoped to this plugin: nowhere else may a request body arrive as an unread stream.
  app.addContentTypeParser(UPLOAD_TYPES, (_request, payload, done) => done(null, payload));

  app.post('/v1/projects', async (request, reply) => {
    const user = await requireRole(request, 'customer');
    const body = parseWith(ProjectBody, request.body);
    return reply.code(201).send(await projectView(ctx, await createProject(ctx, user, body)));
  });

  app.get('/v1/projects', async (request) => {
    const user = await requireUser(request);
    const rows = await listProjects(ctx, user);
    return { projects: await Promise.all(rows.map((row) => projectView(ctx, row))) };
  });

  // The owner, or the engineer of an active task on the project (the session's project panel).
  app.get('/v1/projects/:id', async (request) => {
    const user = await requireUser(request);
    const { id } = parseWith(IdParams, request.params);
    return projectView(ctx, await readableProject(ctx, user, id));
  });

  // The latest snapshot's files and one file's text, for the same people (docs/PROTOCOL.md §2.1).
  app.get('/v1/projects/:id/snapshot/files', async (request) => {
    const user = await requireUser(request);
    const { id } = parseWith(IdParams, request.params);
    const project = await readableProject(ctx, user, id);
    return snapshotListing(ctx, project.id);
  });

  app.get('/v1/projects/:id/snapshot/file', async (request) => {
    const user = await requireUser(request);
    const { id } = parseWith(IdParams, request.params);
    const { path } = parseWith(FileQuery, request.query);
    const project = await readableProject(ctx, user, id);
    return snapshotFile(ctx, project.id, path);
  });

  app.put('/v1/projects/:id', async (request) => {
    const user = await requireUser(request);
    const { id } = parseWith(IdParams, request.params);
    const project = await ownedProject(ctx, user, id);
    const body = parseWith(ProjectBody, request.body);
    return projectView(ctx, await updateProject(ctx, project, body));
  });

  app.post('/v1/projects/:id/sync', async (request, reply) => {
    const user = await requireUser(request);
    const { id } = parseWith(IdParams, request.params);
    const project = await ownedProject(ctx, user, id);
    const body = parseWith(SyncBody, request.body);
    return reply.code(201).send(await recordSync(ctx, project, body));
  });

  for (const kind of ['snapshot', 'bundle'] as const) {
    app.put(`/v1/projects/:id/${kind}`, async (request, reply) => {
      const user = await requireUser(request);
      const { id } = parseWith(IdParams, request.params);
      const project = await ownedProject(ctx, user, id);
      return reply.code(201).send(await receiveUpload(ctx, request, project, kind));
    });

    app.get(`/v1/projects/:id/${kind}`, async (request, reply) => {
      const user = await requireUser(request);
      const { id } = parseWith(IdParams, request.params);
      const project = await readableProject(ctx, user, id);
      const upload = await latestUpload(ctx, project.id, kind);
      const blob = await ctx.blobs.get(upload.blob_key);
      const file = kind === 'snapshot' ? `snapshot-${upload.id}.tar.gz` : `codevf-${upload.id}.bundle`;
      return reply
        .header('content-type', kind === 'snapshot' ? 'application/gzip' : 'application/octet-stream')
        .header('content-length', String(blob.bytes))
        .header('content-disposition', `attachment; filename="${file}"`)
        .header('cache-control', 'private, no-store')
        .header(CONTENT_SHA256_HEADER, upload.sha256)
        .send(blob.stream);
    });
  }
}
