import type { Project, ProjectBody, SyncBody, SyncResult } from '@codevf/protocol';
import type { AuthUser } from '../auth/guards';
import type { AppContext } from '../context';
import { ApiError } from '../http/errors';
import { newId } from '../ids';
import type { ProjectRow, SnapshotsTable } from '../storage/schema';

/** Uploads of each kind kept per project; older ones are deleted with their blobs. */
const KEEP_UPLOADS = 3;

export type UploadKind = SnapshotsTable['kind'];

function rowValues(body: ProjectBody) {
  return {
    name: body.name,
    type: body.type,
    test_command: body.testCommand,
    build_command: body.buildCommand,
    allowed_tools: JSON.stringify(body.allowedTools),
    branch_mode: body.branchMode,
    repo_url: body.repoUrl ?? null,
    uploads_allowed: body.uploadsAllowed ? 1 : 0,
  };
}

/** A project's allowed AI tools as stored (JSON); anything unreadable counts as none. */
export function parseTools(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

export async function projectView(ctx: AppContext, row: ProjectRow): Promise<Project> {
  const db = ctx.storage.db;
  const snapshot = await db
    .selectFrom('snapshots')
    .selectAll()
    .where('project_id', '=', row.id)
    .where('kind', '=', 'snapshot')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  const sync = await db
    .selectFrom('syncs')
    .selectAll()
    .where('project_id', '=', row.id)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return {
    id: row.id,
    ownerId: row.owner_id,
    name: row.name,
    type: row.type as Project['type'],
    testCommand: row.test_command,
    buildCommand: row.build_command,
    allowedTools: parseTools(row.allowed_tools),
    branchMode: row.branch_mode as Project['branchMode'],
    ...(row.repo_url ? { repoUrl: row.repo_url } : {}),
    uploadsAllowed: Number(row.uploads_allowed) === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastSnapshot: snapshot
      ? {
          snapshotId: snapshot.id,
          bytes: Number(snapshot.bytes),
          sha256: snapshot.sha256,
          createdAt: snapshot.created_at,
        }
      : null,
    lastSync: sync
      ? {
          branch: sync.branch,
          commit: sync.commit_sha,
          remoteUrl: sync.remote_url,
          dirty: Number(sync.dirty) === 1,
          syncedAt: sync.created_at,
          hasBundle: sync.bundle_id !== null,
        }
      : null,
  };
}

export async function createProject(ctx: AppContext, user: AuthUser, body: ProjectBody): Promise<ProjectRow> {
  const now = ctx.clock.now().toISOString();
  const row: ProjectRow = { id: newId(), owner_id: user.id, ...rowValues(body), created_at: now, updated_at: now };
  await ctx.storage.db.insertInto('projects').values(row).execute();
  return row;
}

export async function updateProject(ctx: AppContext, project: ProjectRow, body: ProjectBody): Promise<ProjectRow> {
  const values = { ...rowValues(body), updated_at: ctx.clock.now().toISOString() };
  await ctx.storage.db.updateTable('projects').set(values).where('id', '=', project.id).execute();
  return { ...project, ...values };
}

export async function listProjects(ctx: AppContext, user: AuthUser): Promise<ProjectRow[]> {
  return ctx.storage.db
    .selectFrom('projects')
    .selectAll()
    .where('owner_id', '=', user.id)
    .orderBy('updated_at', 'desc')
    .orderBy('id', 'desc')
    .limit(500)
    .execute();
}

const notFound = () => new ApiError('E_NOT_FOUND', 'No such project.');

/** The caller's own project. Someone else's answers exactly like a missing one (no existence leak). */
export async function ownedProject(ctx: AppContext, user: AuthUser, id: string): Promise<ProjectRow> {
  const row = await ctx.storage.db
    .selectFrom('projects')
    .selectAll()
    .where('id', '=', id)
    .where('owner_id', '=', user.id)
    .executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

/**
 * A project whose code the caller may download: the owner's, or one an engineer is working on
 * right now (a claimed task of it that has not ended). Ended tasks grant nothing: access to
 * the code lasts as long as the session, not forever.
 */
export async function readableProject(ctx: AppContext, user: AuthUser, id: string): Promise<ProjectRow> {
  const db = ctx.storage.db;
  const row = await db.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound();
  if (row.owner_id === user.id) return row;
  if (user.role !== 'engineer') throw notFound();
  const task = await db
    .selectFrom('tasks')
    .select('id')
    .where('project_id', '=', id)
    .where('engineer_id', '=', user.id)
    .where('status', '=', 'active')
    .executeTakeFirst();
  if (!task) throw notFound();
  return row;
}

export interface StoredUpload {
  id: string;
  bytes: number;
  sha256: string;
  blobKey: string;
}

/** Records a verified upload and deletes the project's older uploads of that kind beyond the newest few. */
export async function recordUpload(
  ctx: AppContext,
  projectId: string,
  kind: UploadKind,
  upload: StoredUpload,
): Promise<void> {
  const db = ctx.storage.db;
  await db
    .insertInto('snapshots')
    .values({
      id: upload.id,
      project_id: projectId,
      kind,
      bytes: upload.bytes,
      sha256: upload.sha256,
      blob_key: upload.blobKey,
      created_at: ctx.clock.now().toISOString(),
    })
    .execute();
  const old = await db
    .selectFrom('snapshots')
    .select(['id', 'blob_key'])
    .where('project_id', '=', projectId)
    .where('kind', '=', kind)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .offset(KEEP_UPLOADS)
    .limit(1000)
    .execute();
  for (const o of old) {
    // A sync keeps its record but forgets the bundle that is gone.
    await db.updateTable('syncs').set({ bundle_id: null }).where('bundle_id', '=', o.id).execute();
    await db.deleteFrom('snapshots').where('id', '=', o.id).execute();
    await ctx.blobs
      .delete(o.blob_key)
      .catch((err: unknown) => ctx.log.warn({ err, key: o.blob_key }, 'blob delete failed'));
  }
}

export async function latestUpload(ctx: AppContext, projectId: string, kind: UploadKind) {
  const row = await ctx.storage.db
    .selectFrom('snapshots')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('kind', '=', kind)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  if (!row)
    throw new ApiError(
      'E_NOT_FOUND',
      kind === 'snapshot' ? 'This project has no snapshot.' : 'This project has no bundle.',
    );
  return row;
}

export async function recordSync(ctx: AppContext, project: ProjectRow, body: SyncBody): Promise<SyncResult> {
  const db = ctx.storage.db;
  // The engineer is only ever given the codevf branch of such a project; refuse anything else here too.
  if (project.branch_mode === 'codevf' && body.branch !== 'codevf') {
    throw new ApiError('E_GIT_WRONG_BRANCH', `This project only syncs the 'codevf' branch, not '${body.branch}'.`);
  }
  if (body.bundleId) {
    const bundle = await db
      .selectFrom('snapshots')
      .select('id')
      .where('id', '=', body.bundleId)
      .where('project_id', '=', project.id)
      .where('kind', '=', 'bundle')
      .executeTakeFirst();
    if (!bundle) {
      throw new ApiError('E_VALIDATION', 'bundleId: no such bundle in this project.', {
        fieldErrors: [{ path: 'bundleId', message: 'no such bundle in this project' }],
      });
    }
  }
  const syncedAt = ctx.clock.now().toISOString();
  const id = newId();
  const remoteUrl = body.remoteUrl ? withoutCredentials(body.remoteUrl) : null;
  await db
    .insertInto('syncs')
    .values({
      id,
      project_id: project.id,
      branch: body.branch,
      commit_sha: body.commit,
      remote_url: remoteUrl,
      dirty: body.dirty ? 1 : 0,
      bundle_id: body.bundleId ?? null,
      created_at: syncedAt,
    })
    .execute();
  return {
    syncId: id,
    projectId: project.id,
    branch: body.branch,
    commit: body.commit,
    remoteUrl,
    dirty: body.dirty,
    bundleId: body.bundleId ?? null,
    syncedAt,
  };
}

/**
 * The CLI already strips credentials from remote URLs; the server does it again so that no
 * client can make it store (and show engineers) a token in `https://user:token@host/…`.
 */
export function withoutCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
}
