import { describe, expect, it } from 'vitest';
import { isLoopbackHost, normalizeBaseUrl, resolveServer } from '../../src/core/baseUrl';

describe('server address', () => {
  it('knows loopback hosts', () => {
    for (const h of ['localhost', 'LOCALHOST', 'app.localhost', '127.0.0.1', '127.1.2.3', '[::1]', '::1']) {
      expect(isLoopbackHost(h), h).toBe(true);
    }
    for (const h of [
      '10.0.0.1',
      '128.0.0.1',
      'example.com',
      '127.0.0.1.example.com',
      'localhost.example.com',
      '[::2]',
    ]) {
      expect(isLoopbackHost(h), h).toBe(false);
    }
  });

  it('allows http only for loopback, always https', () => {
    expect(normalizeBaseUrl('http://127.0.0.1:7878/', 'x')).toBe('http://127.0.0.1:7878');
    expect(normalizeBaseUrl('http://[::1]:80', 'x')).toBe('http://[::1]');
    expect(normalizeBaseUrl('https://Codevf.Example.com/api/', 'x')).toBe('https://codevf.example.com/api');
    expect(() => normalizeBaseUrl('http://codevf.example.com', 'x')).toThrow(
      expect.objectContaining({ code: 'E_INSECURE_URL', exitCode: 2 }),
    );
    expect(() => normalizeBaseUrl('http://127.0.0.1.nip.io', 'x')).toThrow(
      expect.objectContaining({ code: 'E_INSECURE_URL' }),
    );
  });

  it('rejects what is not a plain server address', () => {
    for (const bad of [
      'not a url',
      'ftp://example.com',
      'https://user:pw@example.com',
      'https://example.com/?a=1',
      'https://example.com/#x',
      '',
    ]) {
      expect(() => normalizeBaseUrl(bad, '--base-url'), bad).toThrow(expect.objectContaining({ code: 'E_VALIDATION' }));
    }
  });

  it('takes --base-url, then CODEVF_API_URL, then the remembered address, then the default', async () => {
    let asked = 0;
    const remembered = (url?: string) => () => {
      asked++;
      return url;
    };
    await expect(
      resolveServer({ flag: 'https://a.test', env: 'https://b.test', remembered: remembered('https://c.test') }),
    ).resolves.toEqual({ baseUrl: 'https://a.test', source: 'flag' });
    await expect(resolveServer({ env: 'https://b.test/', remembered: remembered('https://c.test') })).resolves.toEqual({
      baseUrl: 'https://b.test',
      source: 'env',
    });
    // The config folder is read only when neither the flag nor the variable names a server.
    expect(asked).toBe(0);
    await expect(resolveServer({ remembered: remembered('https://c.test') })).resolves.toEqual({
      baseUrl: 'https://c.test',
      source: 'remembered',
    });
    await expect(resolveServer({ remembered: remembered(undefined) })).resolves.toEqual({
      baseUrl: 'http://127.0.0.1:7878',
      source: 'default',
    });
    expect(asked).toBe(2);
  });

  it('a remembered address is validated like the others', async () => {
    await expect(resolveServer({ remembered: () => 'http://codevf.example.com' })).rejects.toMatchObject({
      code: 'E_INSECURE_URL',
    });
  });
});
