import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAuthStore, parseStoredAuth, type StoredAuth } from '../../src/core/authStore';

const sample: StoredAuth = {
  accessToken: 'cvf_at_a',
  refreshToken: 'cvf_rt_b',
  expiresAt: '2030-01-01T00:00:00.000Z',
  userId: 'u1',
  baseUrl: 'http://127.0.0.1:7878',
  user: { id: 'u1', email: 'ada@example.test', name: 'Ada', role: 'customer' },
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'codevf-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('auth store', () => {
  it('round-trips a login in a 0600 file inside a 0700 folder, leaving no temp files', async () => {
    const file = join(dir, 'codevf', 'auth.json');
    const store = createAuthStore(file);
    expect(await store.read()).toBeNull();
    await store.write(sample);
    expect(await store.read()).toEqual(sample);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'codevf')).mode & 0o777).toBe(0o700);
    await store.write({ ...sample, accessToken: 'cvf_at_c' });
    expect((await store.read())?.accessToken).toBe('cvf_at_c');
    expect(readdirSync(join(dir, 'codevf'))).toEqual(['auth.json']);
  });

  it('remove is idempotent', async () => {
    const store = createAuthStore(join(dir, 'auth.json'));
    await store.write(sample);
    expect(await store.remove()).toBe(true);
    expect(await store.remove()).toBe(false);
    expect(existsSync(store.path)).toBe(false);
  });

  it('a corrupt or foreign file is E_CONFIG_INVALID naming the path', async () => {
    const store = createAuthStore(join(dir, 'auth.json'));
    for (const content of [
      '{',
      '[]',
      '{"accessToken":"x"}',
      JSON.stringify({ ...sample, expiresAt: 'soon' }),
      JSON.stringify({ ...sample, user: null }),
    ]) {
      writeFileSync(store.path, content);
      await expect(store.read(), content).rejects.toMatchObject({
        code: 'E_CONFIG_INVALID',
        message: expect.stringContaining(store.path),
      });
    }
  });

  it('drops unknown fields when parsing', () => {
    expect(parseStoredAuth({ ...sample, extra: 1, user: { ...sample.user, x: 2 } })).toEqual(sample);
  });

  it('the lock lets one holder in at a time and is released on error', async () => {
    const store = createAuthStore(join(dir, 'auth.json'));
    const order: string[] = [];
    const hold = (name: string) =>
      store.withLock(async () => {
        order.push(`${name}:in`);
        await new Promise((r) => setTimeout(r, 30));
        order.push(`${name}:out`);
      });
    await Promise.all([hold('a'), hold('b')]);
    // One holder at a time; which of the two gets the lock first is up to the file system.
    const first = order[0]?.[0] === 'b' ? 'b' : 'a';
    const second = first === 'a' ? 'b' : 'a';
    expect(order).toEqual([`${first}:in`, `${first}:out`, `${second}:in`, `${second}:out`]);
    await expect(store.withLock(async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(existsSync(`${store.path}.lock`)).toBe(false);
  });

  it('takes over a stale lock left by a crashed process', async () => {
    const store = createAuthStore(join(dir, 'auth.json'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${store.path}.lock`, '');
    const old = new Date(Date.now() - 60_000);
    const { utimesSync } = await import('node:fs');
    utimesSync(`${store.path}.lock`, old, old);
    expect(await store.withLock(async () => 'ran')).toBe('ran');
    expect(existsSync(`${store.path}.lock`)).toBe(false);
  });
});
