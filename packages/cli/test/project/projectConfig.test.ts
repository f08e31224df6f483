import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CodevfError } from '../../src/core/errors';
import {
  configPath,
  findProjectRoot,
  type LastSync,
  loadProject,
  type ProjectConfig,
  readLastSync,
  readProjectConfig,
  writeLastSync,
  writeProjectConfig,
} from '../../src/project/projectConfig';
import { cleanup, tempDir } from './gitFixture';

const dirs: string[] = [];
const newDir = () => {
  const d = tempDir();
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) cleanup(d);
});

const config: ProjectConfig = {
  version: '1',
  projectId: 'p_123',
  name: 'shop',
  type: 'node',
  allowedTools: ['claude'],
  testCommand: 'npm test',
  buildCommand: 'npm run build',
  repoUploaded: true,
  branchMode: 'codevf',
  createdAt: '2025-11-30T10:00:00.000Z',
};

async function expectCode(p: Promise<unknown>, code: string, message?: RegExp) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CodevfError);
  expect((err as CodevfError).code).toBe(code);
  if (message) expect((err as CodevfError).message).toMatch(message);
}

describe('project config', () => {
  it('round-trips and leaves no temp file behind', async () => {
    const root = newDir();
    await writeProjectConfig(root, config);
    expect(await readProjectConfig(root)).toEqual(config);
    expect(readdirSync(join(root, '.codevf'))).toEqual(['config.json']);
    expect(JSON.parse(readFileSync(configPath(root), 'utf8')).version).toBe('1');
  });

  it('reads a file in the exact shape of spec §3 (no name or type) and keeps unknown keys', async () => {
    const root = newDir();
    mkdirSync(join(root, '.codevf'));
    const spec = {
      projectId: 'abc',
      allowedTools: ['claude', 'gemini'],
      testCommand: 'npm test',
      buildCommand: 'npm run build',
      repoUploaded: true,
      branchMode: 'codevf',
      createdAt: '2025-11-30T00:00:00Z',
      version: '1',
      futureField: 42,
    };
    writeFileSync(configPath(root), JSON.stringify(spec));
    const read = await readProjectConfig(root);
    expect(read).toMatchObject({ projectId: 'abc', futureField: 42 });
    await writeProjectConfig(root, read as ProjectConfig);
    expect(JSON.parse(readFileSync(configPath(root), 'utf8')).futureField).toBe(42);
  });

  it('returns null when there is no config', async () => {
    expect(await readProjectConfig(newDir())).toBeNull();
  });

  it.each([
    ['not JSON', '{"version": "1", ', /not valid JSON/],
    ['a JSON array', '[1,2]', /not a CodeVF file/],
    ['a foreign file', JSON.stringify({ compilerOptions: {} }), /no "version"/],
    ['a newer version', JSON.stringify({ ...config, version: '2' }), /version "2"/],
    ['a wrong field type', JSON.stringify({ ...config, repoUploaded: 'yes' }), /repoUploaded/],
    ['an unknown project type', JSON.stringify({ ...config, type: 'cobol' }), /type/],
    ['a missing project id', JSON.stringify({ ...config, projectId: undefined }), /projectId/],
  ])('refuses %s with E_CONFIG_INVALID naming the file', async (_name, text, message) => {
    const root = newDir();
    mkdirSync(join(root, '.codevf'));
    writeFileSync(configPath(root), text);
    await expectCode(readProjectConfig(root), 'E_CONFIG_INVALID', message);
    await expectCode(readProjectConfig(root), 'E_CONFIG_INVALID', /config\.json/);
  });

  it('refuses a config path that is a directory', async () => {
    const root = newDir();
    mkdirSync(join(root, '.codevf', 'config.json'), { recursive: true });
    await expect(findProjectRoot(root)).resolves.toBeNull();
    await expectCode(readProjectConfig(root), 'E_CONFIG_INVALID', /Cannot read/);
  });

  it('never writes a config that would not load again', async () => {
    const root = newDir();
    await expect(writeProjectConfig(root, { ...config, branchMode: 'main' as 'codevf' })).rejects.toThrow();
    expect(await readProjectConfig(root)).toBeNull();
  });

  it('finds the project root from a nested directory, and loadProject explains a missing one', async () => {
    const root = newDir();
    await writeProjectConfig(root, config);
    const deep = join(root, 'src', 'a', 'b');
    mkdirSync(deep, { recursive: true });
    expect(await findProjectRoot(deep)).toBe(root);
    expect((await loadProject(deep)).config.projectId).toBe('p_123');

    const elsewhere = newDir();
    expect(await findProjectRoot(elsewhere)).toBeNull();
    await expectCode(loadProject(elsewhere), 'E_NO_PROJECT', /No CodeVF project found/);
  });

  it('round-trips last_sync.json and validates it', async () => {
    const root = newDir();
    const last: LastSync = {
      version: '1',
      projectId: 'p_1',
      syncId: 's_1',
      branch: 'codevf',
      commit: 'a'.repeat(40),
      remoteUrl: null,
      dirty: false,
      forced: false,
      bundle: null,
      syncedAt: '2025-01-01T00:00:00.000Z',
    };
    expect(await readLastSync(root)).toBeNull();
    await writeLastSync(root, last);
    expect(await readLastSync(root)).toEqual(last);
    await expect(writeLastSync(root, { ...last, commit: 'nope' })).rejects.toThrow();
    writeFileSync(join(root, '.codevf', 'last_sync.json'), '{"version":"1","commit":"x"}');
    await expectCode(readLastSync(root), 'E_CONFIG_INVALID', /last_sync\.json/);
  });
});
