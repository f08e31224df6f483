import { showUntrusted } from '@codevf/protocol/shared';

/** What the engineer opted in to; both off until they turn them on. */
export interface AlertPrefs {
  notify: boolean;
  sound: boolean;
}

const KEY = 'codevf.alerts';

export function loadAlertPrefs(): AlertPrefs {
  try {
    const raw = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<AlertPrefs>;
    return { notify: raw.notify === true, sound: raw.sound === true };
  } catch {
    return { notify: false, sound: false };
  }
}

export function saveAlertPrefs(prefs: AlertPrefs): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(prefs));
  } catch {
    // Private windows may refuse storage; the choice then lasts for this visit only.
  }
}

/** Whether this browser can show desktop notifications at all. */
export function notificationsSupported(): boolean {
  return typeof window !== 'undefined' && 'Notification' in window;
}

/**
 * Desktop notification and a short tone, as the engineer opted in to. The text comes from
 * customers: shown through showUntrusted (control and invisible characters as visible markers),
 * and cut short. `tag` folds repeated alerts about the same thing into one.
 */
export function alert(prefs: AlertPrefs, title: string, body: string, tag: string): void {
  if (prefs.notify && notificationsSupported() && Notification.permission === 'granted') {
    try {
      new Notification(title, { body: short(showUntrusted(body)), tag });
    } catch {
      // Some browsers allow notifications only from a service worker; the title still tells.
    }
  }
  if (prefs.sound) beep();
}

function short(text: string, max = 140): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

let audio: AudioContext | null = null;

/** A soft 880 Hz tone of 150 ms, made on the spot: no sound file to load (the CSP allows none). */
function beep(): void {
  try {
    audio ??= new AudioContext();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.08, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.15);
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.15);
  } catch {
    // No audio (a policy, a headless browser): the notification and the title remain.
  }
}
