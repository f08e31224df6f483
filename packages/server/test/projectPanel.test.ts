import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from './support/api';
import { claim, createTask, type Party, party } from './support/liveFixture';
import { syncedProject } from './support/projectFixture';
import { startTestServer, type TestServer } from './support/testServer';

describe('the project panel: a project, its sync and its snapshot for the engineer of an active task', () => {
  let server: TestServer;
  let customer: Party;
  let engineer: Party;
  let other: Party;
  let projectId: string;
  let taskId: string;
  const commit = 'a'.repeat(40);

  beforeAll(async () => {
    server = await startTestServer();
    customer = await party(server, 'customer', 500);
    engineer = await party(server, 'engineer');
    other = await party(server, 'engineer');
    projectId = await syncedProject(server.baseUrl, customer, {
      project: { name: 'shop', testCommand: 'npm test -- --runInBand' },
      files: {
        'package.json': '{"name":"shop"}\n',
        'src/index.js': 'console.log("hi\u202E")\n',
        'evil\u001b[31mname.txt': 'x',
        'img.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1]),
        '../outside.txt': 'never listed',
      },
      links: { 'link-to-src': 'src' },
      sync: { branch: 'codevf', commit, dirty: false },
    });
    taskId = (await createTask(server.baseUrl, customer, { projectId, mode: 'human' })).id;
  });
  afterAll(async () => server?.close());

  const get = (who: Party, path: string) => api(server.baseUrl, who, 'GET', `/v1/projects/${projectId}${path}`);

  it('refuses everything to an engineer before they claim the task', async () => {
    for (const path of ['', '/snapshot/files', '/snapshot/file?path=package.json']) {
      expect((await get(engineer, path)).status).toBe(404);
    }
  });

  it('shows the engineer of the active task the commands, the sync and the snapshot files', async () => {
    await claim(server.baseUrl, engineer, taskId);
    const project = await get(engineer, '');
    expect(project.status).toBe(200);
    expect(project.body).toMatchObject({
      name: 'shop',
      type: 'node',
      testCommand: 'npm test -- --runInBand',
      buildCommand: 'npm run build',
      lastSync: { branch: 'codevf', commit, dirty: false },
    });
    expect(project.body.lastSnapshot.snapshotId).toEqual(expect.any(String));

    const files = await get(engineer, '/snapshot/files');
    expect(files.status).toBe(200);
    expect(files.body.snapshotId).toBe(project.body.lastSnapshot.snapshotId);
    expect(files.body.truncated).toBe(false);
    expect(files.body.entries).toEqual([
      { path: 'evil\u001b[31mname.txt', type: 'file', size: 1 },
      { path: 'img.png', type: 'file', size: 8 },
      { path: 'link-to-src', type: 'symlink', size: 0, linkTarget: 'src' },
      { path: 'package.json', type: 'file', size: 16 },
      { path: 'src/index.js', type: 'file', size: 21 },
    ]);

    const text = await get(engineer, `/snapshot/file?path=${encodeURIComponent('src/index.js')}`);
    expect(text.status).toBe(200);
    expect(text.body).toMatchObject({ path: 'src/index.js', binary: false, truncated: false, size: 21 });
    expect(text.body.text).toBe('console.log("hi\u202E")\n');
    const binary = await get(engineer, '/snapshot/file?path=img.png');
    expect(binary.body).toMatchObject({ binary: true, size: 8 });
    expect(binary.body.text).toBeUndefined();
  });

  it('answers bad file requests with coded errors', async () => {
    const missing = await get(engineer, '/snapshot/file?path=nope.txt');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('E_NOT_FOUND');
    const noPath = await get(engineer, '/snapshot/file');
    expect(noPath.status).toBe(400);
    expect(noPath.body.code).toBe('E_VALIDATION');
    const outside = await get(engineer, `/snapshot/file?path=${encodeURIComponent('../outside.txt')}`);
    expect(outside.status).toBe(404);
    const link = await get(engineer, '/snapshot/file?path=link-to-src');
    expect(link.status).toBe(404);
  });

  it('refuses another engineer, and the engineer once the task ended; the owner keeps access', async () => {
    for (const path of ['', '/snapshot/files', '/snapshot/file?path=package.json']) {
      expect((await get(other, path)).status).toBe(404);
    }
    const ended = await api(server.baseUrl, engineer, 'POST', `/v1/tasks/${taskId}/end`, {});
    expect(ended.status).toBe(200);
    for (const path of ['', '/snapshot/files', '/snapshot/file?path=package.json']) {
      const res = await get(engineer, path);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('E_NOT_FOUND');
    }
    expect((await get(customer, '/snapshot/files')).status).toBe(200);
    // Changing the project stays the owner's alone.
    const put = await api(server.baseUrl, engineer, 'PUT', `/v1/projects/${projectId}`, {});
    expect(put.status).toBe(404);
  });
});
