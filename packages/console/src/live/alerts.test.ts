// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { alert, loadAlertPrefs, saveAlertPrefs } from './alerts';

/** The browser's Notification and AudioContext, recording what the console asks of them. */
function fakeBrowser(permission: NotificationPermission) {
  const shown: { title: string; body?: string; tag?: string }[] = [];
  let tones = 0;
  class FakeNotification {
    static permission = permission;
    constructor(title: string, options: NotificationOptions = {}) {
      shown.push({ title, body: options.body, tag: options.tag });
    }
  }
  class FakeAudio {
    currentTime = 0;
    destination = {};
    createOscillator() {
      tones++;
      return { frequency: {}, connect: (n: unknown) => n, start() {}, stop() {} };
    }
    createGain() {
      return { gain: { setValueAtTime() {}, exponentialRampToValueAtTime() {} }, connect: (n: unknown) => n };
    }
  }
  vi.stubGlobal('Notification', FakeNotification);
  vi.stubGlobal('AudioContext', FakeAudio);
  return { shown, tones: () => tones };
}

afterEach(() => {
  vi.unstubAllGlobals();
  localStorage.clear();
});

describe('alerts', () => {
  it('are off until the engineer opts in, and the choice is kept', () => {
    expect(loadAlertPrefs()).toEqual({ notify: false, sound: false });
    saveAlertPrefs({ notify: true, sound: false });
    expect(loadAlertPrefs()).toEqual({ notify: true, sound: false });
    localStorage.setItem('codevf.alerts', 'not json');
    expect(loadAlertPrefs()).toEqual({ notify: false, sound: false });
  });

  it('notify with the customer text made visible and cut short, only with permission; sound when asked', () => {
    const b = fakeBrowser('granted');
    alert({ notify: false, sound: false }, 'New task in the queue', 'quiet', 't1');
    expect(b.shown).toEqual([]);
    expect(b.tones()).toBe(0);

    alert({ notify: true, sound: true }, 'Customer replied', `rm -rf\u202E /\u001b[2J ${'x'.repeat(300)}`, 'reply-1');
    expect(b.shown).toHaveLength(1);
    expect(b.shown[0]?.title).toBe('Customer replied');
    expect(b.shown[0]?.tag).toBe('reply-1');
    expect(b.shown[0]?.body?.startsWith('rm -rf<U+202E> /␛[2J x')).toBe(true);
    expect(b.shown[0]?.body?.length).toBe(140);
    expect(b.tones()).toBe(1);
  });

  it('show nothing when the browser denied notifications', () => {
    const b = fakeBrowser('denied');
    alert({ notify: true, sound: false }, 'New task in the queue', 'x', 't2');
    expect(b.shown).toEqual([]);
  });
});
