import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../src/ids';
import { api } from './support/api';
import { startTestServer, type TestServer, type TestUser } from './support/testServer';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const projectBody = {
  name: 'shop',
  type: 'node',
  testCommand: 'npm test',
  buildCommand: 'npm run build',
  allowedTools: ['claude'],
  branchMode: 'codevf',
  uploadsAllowed: true,
};

/** Files of the blob store (temp area included), so a test can see that nothing was left behind. */
function blobFiles(server: TestServer): string[] {
  const root = join(server.dataDir, 'blobs');
  try {
    return readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => join(d.parentPath ?? (d as unknown as { path: string }).path, d.name));
  } catch {
    return [];
  }
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(['sqlite', 'postgres'] as const)('projects on %s', (dialect) => {
  let server: TestServer;
  let owner: TestUser;
  let ownerToken: string;
  let otherToken: string;
  let engineer: TestUser;
  let engineerToken: string;
  let adminToken: string;

  beforeAll(async () => {
    server = await startTestServer({ dialect, config: { uploadLimitBytes: 256 * 1024 } });
    owner = await server.createUser({ role: 'customer' });
    ownerToken = (await server.issueTokens(owner.id)).accessToken;
    const other = await server.createUser({ role: 'customer' });
    otherToken = (await server.issueTokens(other.id)).accessToken;
    engineer = await server.createUser({ role: 'engineer' });
    engineerToken = (await server.issueTokens(engineer.id)).accessToken;
    const admin = await server.createUser({ role: 'admin' });
    adminToken = (await server.issueTokens(admin.id)).accessToken;
  });
  afterAll(async () => server?.close());

  const as = (token: string) => ({ token });
  const newProject = async (body: Record<string, unknown> = {}) => {
    const res = await api(server.baseUrl, as(ownerToken), 'POST', '/v1/projects', { ...projectBody, ...body });
    expect(res.status).toBe(201);
    return res.body as { id: string };
  };

  function upload(
    token: string,
    id: string,
    kind: 'snapshot' | 'bundle',
    body: Buffer | ReadableStream<Uint8Array>,
    headers: Record<string, string> = {},
  ) {
    return fetch(`${server.baseUrl}/v1/projects/${id}/${kind}`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': kind === 'snapshot' ? 'application/gzip' : 'application/octet-stream',
        ...(Buffer.isBuffer(body) ? { 'x-content-sha256': sha256(body) } : {}),
        ...headers,
      },
      body,
      // Needed by fetch for a streamed request body.
      ...(Buffer.isBuffer(body) ? {} : { duplex: 'half' }),
    } as RequestInit);
  }

  const download = (token: string, id: string, kind: 'snapshot' | 'bundle') =>
    fetch(`${server.baseUrl}/v1/projects/${id}/${kind}`, { headers: { authorization: `Bearer ${token}` } });

  const snapshotRows = (projectId: string) =>
    server.ctx.storage.db.selectFrom('snapshots').selectAll().where('project_id', '=', projectId).execute();

  async function insertTask(projectId: string, status: 'queued' | 'active' | 'ended', engineerId: string | null) {
    const now = new Date().toISOString();
    await server.ctx.storage.db
      .insertInto('tasks')
      .values({
        id: newId(),
        customer_id: owner.id,
        project_id: projectId,
        description: 'help',
        mode: 'human',
        status,
        engineer_id: engineerId,
        created_at: now,
        claimed_at: engineerId ? now : null,
        ended_at: status === 'ended' ? now : null,
        ended_by: status === 'ended' ? 'customer' : null,
        end_reason: null,
        max_credits: null,
        credits_used: 0,
        rating: null,
        feedback: null,
        last_seq: 0,
        head_hash: null,
        billed_minutes: 0,
      })
      .execute();
  }

  describe('registering and updating', () => {
    it('creates, reads, lists and replaces a project', async () => {
      const created = await api(server.baseUrl, as(ownerToken), 'POST', '/v1/projects', projectBody);
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ ...projectBody, ownerId: owner.id, lastSnapshot: null, lastSync: null });
      const id = created.body.id as string;

      const got = await api(server.baseUrl, as(ownerToken), 'GET', `/v1/projects/${id}`);
      expect(got.body).toEqual(created.body);

      const updated = await api(server.baseUrl, as(ownerToken), 'PUT', `/v1/projects/${id}`, {
        ...projectBody,
        testCommand: 'pnpm test',
        allowedTools: [],
        branchMode: 'any',
      });
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({ id, testCommand: 'pnpm test', allowedTools: [], branchMode: 'any' });

      const list = await api(server.baseUrl, as(ownerToken), 'GET', '/v1/projects');
      expect(list.body.projects.filter((p: { id: string }) => p.id === id)).toHaveLength(1);
      const othersList = await api(server.baseUrl, as(otherToken), 'GET', '/v1/projects');
      expect(othersList.body.projects.map((p: { id: string }) => p.id)).not.toContain(id);
    });

    it('refuses bad bodies with field errors', async () => {
      for (const bad of [
        { ...projectBody, name: '' },
        { ...projectBody, type: 'cobol' },
        { ...projectBody, branchMode: 'main' },
        { ...projectBody, allowedTools: 'claude' },
        { name: 'x' },
      ]) {
        const res = await api(server.baseUrl, as(ownerToken), 'POST', '/v1/projects', bad);
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('E_VALIDATION');
        expect(res.body.errors.length).toBeGreaterThan(0);
      }
    });

    it('lets only customers register, and only the owner see or change a project', async () => {
      expect((await api(server.baseUrl, as(engineerToken), 'POST', '/v1/projects', projectBody)).status).toBe(403);
      expect((await api(server.baseUrl, {}, 'POST', '/v1/projects', projectBody)).status).toBe(401);
      const { id } = await newProject();
      for (const token of [otherToken, engineerToken, adminToken]) {
        const get = await api(server.baseUrl, as(token), 'GET', `/v1/projects/${id}`);
        expect(get.status).toBe(404);
        expect(get.body.code).toBe('E_NOT_FOUND');
        expect((await api(server.baseUrl, as(token), 'PUT', `/v1/projects/${id}`, projectBody)).status).toBe(404);
        const sync = await api(server.baseUrl, as(token), 'POST', `/v1/projects/${id}/sync`, {
          branch: 'codevf',
          commit: 'a'.repeat(40),
          dirty: false,
        });
        expect(sync.status).toBe(404);
        expect((await upload(token, id, 'snapshot', Buffer.from('x'))).status).toBe(404);
      }
      expect((await api(server.baseUrl, as(ownerToken), 'GET', '/v1/projects/nope')).status).toBe(404);
    });
  });

  describe('snapshot upload and download', () => {
    it('stores a verified upload and serves it to the owner with its sha256', async () => {
      const { id } = await newProject();
      const data = randomBytes(100_000);
      const res = await upload(ownerToken, id, 'snapshot', data);
      expect(res.status).toBe(201);
      const result = await res.json();
      expect(result).toMatchObject({ bytes: data.length, sha256: sha256(data) });

      const project = await api(server.baseUrl, as(ownerToken), 'GET', `/v1/projects/${id}`);
      expect(project.body.lastSnapshot).toMatchObject({ snapshotId: result.snapshotId, bytes: data.length });

      const dl = await download(ownerToken, id, 'snapshot');
      expect(dl.status).toBe(200);
      expect(dl.headers.get('content-type')).toBe('application/gzip');
      expect(dl.headers.get('x-content-sha256')).toBe(sha256(data));
      expect(Buffer.from(await dl.arrayBuffer()).equals(data)).toBe(true);
    });

    it('streams a chunked upload without a content length', async () => {
      const { id } = await newProject();
      const parts = [randomBytes(30_000), randomBytes(30_000), randomBytes(5)];
      const whole = Buffer.concat(parts);
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (const p of parts) controller.enqueue(p);
          controller.close();
        },
      });
      const res = await upload(ownerToken, id, 'snapshot', stream, { 'x-content-sha256': sha256(whole) });
      expect(res.status).toBe(201);
      expect((await res.json()).bytes).toBe(whole.length);
    });

    it('refuses a body whose sha256 does not match, and keeps nothing', async () => {
      const { id } = await newProject();
      const before = blobFiles(server).length;
      const res = await upload(ownerToken, id, 'snapshot', randomBytes(5000), { 'x-content-sha256': 'a'.repeat(64) });
      expect(res.status).toBe(400);
      expect((await res.json()).code).toBe('E_VALIDATION');
      expect(await snapshotRows(id)).toEqual([]);
      expect(blobFiles(server).length).toBe(before);
    });

    it('refuses a missing or malformed hash header, a JSON body and a project without the opt-in', async () => {
      const { id } = await newProject();
      const data = Buffer.from('data');
      for (const header of [
        { 'x-content-sha256': '' },
        { 'x-content-sha256': 'abc' },
        { 'x-content-sha256': sha256(data).toUpperCase() },
      ]) {
        const res = await upload(ownerToken, id, 'snapshot', data, header);
        expect(res.status).toBe(400);
      }
      const json = await api(server.baseUrl, as(ownerToken), 'PUT', `/v1/projects/${id}/snapshot`, { data: 'x' });
      expect(json.status).toBe(400);
      expect(json.body.code).toBe('E_VALIDATION');
      const plain = await fetch(`${server.baseUrl}/v1/projects/${id}/snapshot`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${ownerToken}`, 'content-type': 'text/plain' },
        body: 'x',
      });
      expect(plain.status).toBe(400);
      expect((await plain.json()).code).toBe('E_VALIDATION');

      const closed = await newProject({ uploadsAllowed: false });
      const res = await upload(ownerToken, closed.id, 'snapshot', data);
      expect(res.status).toBe(403);
      expect((await res.json()).code).toBe('E_FORBIDDEN');
      expect(await snapshotRows(closed.id)).toEqual([]);
    });

    it('refuses uploads over the limit, declared or streamed, and keeps nothing', async () => {
      const { id } = await newProject();
      const before = blobFiles(server).length;
      const big = randomBytes(300 * 1024);
      const declared = await upload(ownerToken, id, 'snapshot', big);
      expect(declared.status).toBe(413);
      expect((await declared.json()).code).toBe('E_TOO_LARGE');

      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          controller.enqueue(randomBytes(64 * 1024));
        },
      });
      const streamed = await upload(ownerToken, id, 'snapshot', stream, { 'x-content-sha256': 'b'.repeat(64) });
      expect(streamed.status).toBe(413);
      expect((await streamed.json()).code).toBe('E_TOO_LARGE');
      await stream.cancel().catch(() => {});
      expect(await snapshotRows(id)).toEqual([]);
      expect(blobFiles(server).length).toBe(before);
    });

    it('leaves no partial blob when the client disconnects mid-upload', async () => {
      const { id } = await newProject();
      const before = blobFiles(server);
      const url = new URL(`${server.baseUrl}/v1/projects/${id}/snapshot`);
      const req = httpRequest(url, {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${ownerToken}`,
          'content-type': 'application/gzip',
          'content-length': String(200_000),
          'x-content-sha256': 'c'.repeat(64),
        },
      });
      req.on('error', () => {});
      req.write(randomBytes(100_000));
      // The server is writing the upload to a temp file once a new file shows up in the store.
      await until(() => blobFiles(server).length > before.length, 'the upload to reach the blob store');
      req.destroy();
      await until(() => blobFiles(server).length === before.length, 'the partial blob to be removed');
      expect(await snapshotRows(id)).toEqual([]);
    });

    it('keeps the three newest uploads and deletes older blobs', async () => {
      const { id } = await newProject();
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await upload(ownerToken, id, 'snapshot', randomBytes(1000 + i));
        ids.push((await res.json()).snapshotId);
        // created_at has millisecond resolution: keep the order unambiguous.
        await new Promise((r) => setTimeout(r, 5));
      }
      const rows = await snapshotRows(id);
      expect(rows.map((r) => r.id).sort()).toEqual(ids.slice(1).sort());
      expect(blobFiles(server).some((f) => f.endsWith(ids[0] as string))).toBe(false);
      const latest = await (await download(ownerToken, id, 'snapshot')).arrayBuffer();
      expect(latest.byteLength).toBe(1003);
    });

    it('lets an engineer download only while working on a task of the project', async () => {
      const { id } = await newProject();
      const data = randomBytes(2000);
      expect((await upload(ownerToken, id, 'snapshot', data)).status).toBe(201);

      expect((await download(engineerToken, id, 'snapshot')).status).toBe(404);
      await insertTask(id, 'queued', null);
      expect((await download(engineerToken, id, 'snapshot')).status).toBe(404);
      const otherEngineer = await server.createUser({ role: 'engineer' });
      await insertTask(id, 'active', otherEngineer.id);
      expect((await download(engineerToken, id, 'snapshot')).status).toBe(404);
      await insertTask(id, 'ended', engineer.id);
      expect((await download(engineerToken, id, 'snapshot')).status).toBe(404);

      await insertTask(id, 'active', engineer.id);
      const dl = await download(engineerToken, id, 'snapshot');
      expect(dl.status).toBe(200);
      expect(Buffer.from(await dl.arrayBuffer()).equals(data)).toBe(true);

      // Reading is all such an engineer may do with the project (the session's project panel).
      expect((await api(server.baseUrl, as(engineerToken), 'GET', `/v1/projects/${id}`)).status).toBe(200);
      expect((await api(server.baseUrl, as(engineerToken), 'PUT', `/v1/projects/${id}`, projectBody)).status).toBe(404);
      expect((await upload(engineerToken, id, 'snapshot', data)).status).toBe(404);
      for (const token of [otherToken, adminToken]) expect((await download(token, id, 'snapshot')).status).toBe(404);
      expect((await fetch(`${server.baseUrl}/v1/projects/${id}/snapshot`)).status).toBe(401);
    });

    it('answers 404 when there is nothing to download yet', async () => {
      const { id } = await newProject();
      const res = await download(ownerToken, id, 'bundle');
      expect(res.status).toBe(404);
      expect((await res.json()).detail).toMatch(/no bundle/);
    });
  });

  describe('sync', () => {
    const commit = 'f'.repeat(40);

    it('records a sync, strips credentials from the remote and shows it on the project', async () => {
      const { id } = await newProject();
      const res = await api(server.baseUrl, as(ownerToken), 'POST', `/v1/projects/${id}/sync`, {
        branch: 'codevf',
        commit,
        remoteUrl: 'https://bob:ghp_token@github.com/acme/shop.git',
        dirty: true,
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ projectId: id, branch: 'codevf', commit, dirty: true, bundleId: null });
      expect(res.body.remoteUrl).toBe('https://github.com/acme/shop.git');
      const project = await api(server.baseUrl, as(ownerToken), 'GET', `/v1/projects/${id}`);
      expect(project.body.lastSync).toMatchObject({ branch: 'codevf', commit, hasBundle: false, dirty: true });
      expect(JSON.stringify(project.body)).not.toContain('ghp_token');
    });

    it('links a bundle uploaded just before, and only one of this project', async () => {
      const { id } = await newProject();
      const bundle = Buffer.from('# v2 git bundle\n');
      const up = await upload(ownerToken, id, 'bundle', bundle);
      expect(up.status).toBe(201);
      const { snapshotId } = await up.json();
      const ok = await api(server.baseUrl, as(ownerToken), 'POST', `/v1/projects/${id}/sync`, {
        branch: 'codevf',
        commit,
        dirty: false,
        bundleId: snapshotId,
      });
      expect(ok.body.bundleId).toBe(snapshotId);
      const project = await api(server.baseUrl, as(ownerToken), 'GET', `/v1/projects/${id}`);
      expect(project.body.lastSync.hasBundle).toBe(true);
      // A bundle is not a snapshot.
      expect(project.body.lastSnapshot).toBeNull();

      const other = await newProject();
      const wrong = await api(server.baseUrl, as(ownerToken), 'POST', `/v1/projects/${other.id}/sync`, {
        branch: 'codevf',
        commit,
        dirty: false,
        bundleId: snapshotId,
      });
      expect(wrong.status).toBe(400);
      expect(wrong.body.errors[0].path).toBe('bundleId');
    });

    it('refuses another branch when the project is limited to codevf, and bad bodies', async () => {
      const { id } = await newProject();
      const wrong = await api(server.baseUrl, as(ownerToken), 'POST', `/v1/projects/${id}/sync`, {
        branch: 'main',
        commit,
        dirty: false,
      });
      expect(wrong.status).toBe(409);
      expect(wrong.body.code).toBe('E_GIT_WRONG_BRANCH');

      const any = await newProject({ branchMode: 'any' });
      const ok = await api(server.baseUrl, as(ownerToken), 'POST', `/v1/projects/${any.id}/sync`, {
        branch: 'main',
        commit,
        dirty: false,
      });
      expect(ok.status).toBe(201);

      for (const bad of [
        { branch: 'codevf', commit: 'xyz', dirty: false },
        { branch: '', commit, dirty: false },
        { branch: 'codevf', commit },
      ]) {
        const res = await api(server.baseUrl, as(ownerToken), 'POST', `/v1/projects/${id}/sync`, bad);
        expect(res.status).toBe(400);
      }
    });
  });
});
