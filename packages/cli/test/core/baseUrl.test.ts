import { describe, expect, it } from 'vitest';
import { isLoopbackHost, normalizeBaseUrl, resolveBaseUrl } from '../../src/core/baseUrl';

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

  it('takes --base-url, then CODEVF_API_URL, then the stored address, then the default', () => {
    expect(resolveBaseUrl({ flag: 'https://a.test', env: 'https://b.test', stored: 'https://c.test' })).toBe(
      'https://a.test',
    );
    expect(resolveBaseUrl({ env: 'https://b.test', stored: 'https://c.test' })).toBe('https://b.test');
    expect(resolveBaseUrl({ stored: 'https://c.test' })).toBe('https://c.test');
    expect(resolveBaseUrl({})).toBe('http://127.0.0.1:7878');
  });
});
