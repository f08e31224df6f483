import { describe, expect, it } from 'vitest';
import { deferLocalWork, type LocalWork, SAFETY_LAYER_MISSING } from '../../src/session/localWork';

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

  it('when it cannot be made: masking fails, and every request is refused without running or reading', async () => {
    let made = 0;
    const local = deferLocalWork(async () => {
      made++;
      throw new Error('Cannot find module /opt/codevf/dist/redactor.js');
    });
    await expect(local.ready()).rejects.toThrow('Cannot find module');
    await expect(local.redactText('x')).rejects.toThrow('Cannot find module');
    let output = '';
    const outcome = await local.runCommand('ls', (_s, d) => (output += d), new AbortController().signal);
    expect(outcome).toEqual({
      exitCode: null,
      signal: null,
      durationMs: 0,
      truncated: false,
      redactions: 0,
      error: SAFETY_LAYER_MISSING,
    });
    expect(output).toBe('');
    for (const answer of [await local.checkDir('src'), await local.checkFile('a.txt'), await local.readFile('a.txt')]) {
      expect(answer).toEqual({ ok: false, reason: SAFETY_LAYER_MISSING });
    }
    expect(await local.openUrl('https://example.com')).toBe(false);
    // The reason goes to the engineer: not the error, which names a path of this machine.
    expect(SAFETY_LAYER_MISSING).not.toContain('/opt/codevf');
    expect(made).toBe(1);
  });
});
