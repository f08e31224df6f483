import { describe, expect, it } from 'vitest';
import { isCI, wantsColor } from '../../src/core/io';
import { createMemoryIO } from '../../src/core/memoryIO';

describe('terminal facts', () => {
  it('colour follows the TTY, NO_COLOR, FORCE_COLOR and TERM=dumb', () => {
    expect(wantsColor({}, true)).toBe(true);
    expect(wantsColor({}, false)).toBe(false);
    expect(wantsColor({ NO_COLOR: '1' }, true)).toBe(false);
    expect(wantsColor({ NO_COLOR: '' }, true)).toBe(true);
    expect(wantsColor({ FORCE_COLOR: '1' }, false)).toBe(true);
    expect(wantsColor({ FORCE_COLOR: '0' }, false)).toBe(false);
    expect(wantsColor({ NO_COLOR: '1', FORCE_COLOR: '1' }, true)).toBe(false);
    expect(wantsColor({ TERM: 'dumb' }, true)).toBe(false);
  });

  it('may prompt only on a terminal outside CI', () => {
    expect(createMemoryIO({ tty: true }).canPrompt).toBe(true);
    expect(createMemoryIO({ tty: false }).canPrompt).toBe(false);
    expect(createMemoryIO({ tty: true, env: { CI: 'true' } }).canPrompt).toBe(false);
    expect(isCI({ CI: 'false' })).toBe(false);
  });

  it('styles only when colour is on', () => {
    expect(createMemoryIO({ tty: false }).style('red', 'x')).toBe('x');
    expect(createMemoryIO({ tty: true }).style('red', 'x')).toBe('\x1b[31mx\x1b[39m');
  });

  it('keeps stdout and stderr apart and reads typed input', async () => {
    const io = createMemoryIO();
    io.out('data');
    io.err('status');
    expect(io.stdoutText()).toBe('data');
    expect(io.stderrText()).toBe('status');
    io.type('yes\n');
    const chunk = await new Promise<string>((r) => io.stdin.once('data', (d) => r(String(d))));
    expect(chunk).toBe('yes\n');
  });
});
