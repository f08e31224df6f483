import { describe, expect, it } from 'vitest';
import { parseClientPayload } from '../src';

/** The rules every client and the server share for what an engineer may ask the customer to approve. */
describe('client payload rules for commands, paths and links', () => {
  const ok = (type: Parameters<typeof parseClientPayload>[0], payload: unknown) =>
    parseClientPayload(type, payload).success;

  it('a command may span lines but holds no other control, NUL or bidi control', () => {
    expect(ok('request_command', { command: 'npm test' })).toBe(true);
    expect(ok('request_command', { command: 'make\n\tmake test' })).toBe(true);
    for (const bad of ['npm test\x1b[8m', 'a\rb', 'a\bb', 'a\0', 'a\x85', 'a\u202Eb', 'a\u2067b', 'a\u2029b'])
      expect(ok('request_command', { command: bad }), JSON.stringify(bad)).toBe(false);
  });

  it('a path is one line without controls', () => {
    expect(ok('request_file', { path: 'src/app.ts' })).toBe(true);
    for (const bad of ['a\nb', 'a\tb', 'a\x1b[8m', 'a\u200Fb'])
      expect(ok('request_file', { path: bad }), JSON.stringify(bad)).toBe(false);
  });

  it('a screenshare link is https without user info (http only to loopback)', () => {
    expect(ok('screenshare_request', { url: 'https://meet.example.com/x' })).toBe(true);
    expect(ok('screenshare_request', { url: 'http://localhost:3000/' })).toBe(true);
    const r = parseClientPayload('screenshare_request', { url: 'https://a.example@b.example/' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(/user name/);
    for (const bad of [
      'http://meet.example.com/',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'https://x.example/\u200B',
    ])
      expect(ok('screenshare_request', { url: bad }), bad).toBe(false);
  });
});
