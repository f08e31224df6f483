/**
 * A customer's project as the CLI leaves it on the server: created, its snapshot uploaded and its
 * branch and commit synced, through the real endpoints.
 */
import { createHash } from 'node:crypto';
import { type ApiAuth, api } from './api';
import { snapshotArchive } from './snapshotArchive';

export interface SyncedProjectOptions {
  /** Fields of the project beyond the defaults (a `node` project on the `codevf` branch, uploads allowed). */
  project: Record<string, unknown>;
  /** The snapshot's files, and its symbolic links (name → target). */
  files: Record<string, string | Buffer>;
  links?: Record<string, string>;
  sync: { branch: string; commit: string; dirty: boolean };
}

/** Returns the project's id; throws on any answer but 201. */
export async function syncedProject(
  baseUrl: string,
  customer: ApiAuth,
  options: SyncedProjectOptions,
): Promise<string> {
  const created = await api(baseUrl, customer, 'POST', '/v1/projects', {
    type: 'node',
    buildCommand: 'npm run build',
    allowedTools: [],
    branchMode: 'codevf',
    uploadsAllowed: true,
    ...options.project,
  });
  if (created.status !== 201) throw new Error(`create project: ${created.status} ${JSON.stringify(created.body)}`);
  const projectId = created.body.id as string;
  const archive = await snapshotArchive(options.files, options.links);
  const up = await fetch(`${baseUrl}/v1/projects/${projectId}/snapshot`, {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${customer.token}`,
      'content-type': 'application/gzip',
      'x-content-sha256': createHash('sha256').update(archive).digest('hex'),
    },
    body: new Uint8Array(archive),
  });
  if (up.status !== 201) throw new Error(`upload snapshot: ${up.status} ${await up.text()}`);
  const synced = await api(baseUrl, customer, 'POST', `/v1/projects/${projectId}/sync`, options.sync);
  if (synced.status !== 201) throw new Error(`sync: ${synced.status} ${JSON.stringify(synced.body)}`);
  return projectId;
}
