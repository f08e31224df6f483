import { describe, expect, it } from 'vitest';
import { deferLocalWork, type LocalWork } from '../../src/session/localWork';

/** A LocalWork whose every method says which it was; made once per call of `make`. */
function fakeWork(): LocalWork {
  return {
    redactText: async (text) => ({ text: text.replace('secret', '[REDACTED]'), redactions: 1 }),
    runCommand: async () => ({ exitCode: 0, signal: null, durationMs: 1, truncated: false, redactions: 0 }),
    checkDir: async () => ({ ok: true }),
    checkFile: async (path) => ({ ok: false, reason: `checked ${path}` }),
    readFile: async (path) => ({ ok: false, reason: `read ${path}` }),
    openUrl: async () => true,
  };
}

describe('deferLocalWork', () => {
  it('makes nothing until first needed, then makes it once for every caller', async () => {
    let made = 0;
    let finish!: () => void;
    const gate = new Promise<void>((r) => (finish = r));
    const local = deferLocalWork(async () => {
      made++;
      await gate;
      return fakeWork();
    });
    expect(made).toBe(0);
    const masked = local.redactText('a secret');
    const checked = local.checkFile('a.txt');
    expect(made).toBe(1);
    let settled = false;
    void masked.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false); // waits for the safety layer instead of sending anything unmasked
    finish();
    expect(await masked).toEqual({ text: 'a [REDACTED]', redactions: 1 });
    expect(await checked).toEqual({ ok: false, reason: 'checked a.txt' });
    await local.ready();
    expect(await local.readFile('b.txt')).toEqual({ ok: false, reason: 'read b.txt' });
    expect(made).toBe(1);
  });

  it('ready() starts it; a failure to make it reaches every caller', async () => {
    let made = 0;
    const local = deferLocalWork(async () => {
      made++;
      throw new Error('no safety layer');
    });
    await expect(local.ready()).rejects.toThrow('no safety layer');
    await expect(local.redactText('x')).rejects.toThrow('no safety layer');
    await expect(local.runCommand('ls', () => {}, new AbortController().signal)).rejects.toThrow('no safety layer');
    expect(made).toBe(1);
  });
});
