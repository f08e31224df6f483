import { useState } from 'react';
import { notificationsSupported } from '../live/alerts';
import { useWorkspace } from '../live/workspace';

/**
 * The engineer's opt-in to desktop notifications and a tone for a new task and a customer's
 * reply. Turning notifications on asks the browser's permission (only then, on a click).
 */
export function AlertSettings() {
  const workspace = useWorkspace();
  const [denied, setDenied] = useState(false);
  if (!workspace) return null;
  const { prefs, setPrefs } = workspace;
  const supported = notificationsSupported();

  async function toggleNotify(on: boolean) {
    setDenied(false);
    if (!on) return setPrefs({ ...prefs, notify: false });
    const permission =
      Notification.permission === 'default' ? await Notification.requestPermission() : Notification.permission;
    if (permission !== 'granted') {
      setDenied(true);
      return setPrefs({ ...prefs, notify: false });
    }
    setPrefs({ ...prefs, notify: true });
  }

  return (
    <fieldset className="alert-settings">
      <legend>Alerts for a new task or a customer's reply</legend>
      <label>
        <input
          type="checkbox"
          checked={prefs.notify}
          disabled={!supported}
          onChange={(e) => void toggleNotify(e.target.checked)}
        />{' '}
        Desktop notifications{supported ? '' : ' (not offered by this browser)'}
      </label>{' '}
      <label>
        <input
          type="checkbox"
          checked={prefs.sound}
          onChange={(e) => setPrefs({ ...prefs, sound: e.target.checked })}
        />{' '}
        Sound
      </label>
      {denied ? (
        <p className="muted">The browser blocks notifications for this site; allow them in its settings.</p>
      ) : null}
    </fieldset>
  );
}
