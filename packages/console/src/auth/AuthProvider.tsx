import type { Me, SessionInfo } from '@codevf/protocol';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api } from '../api/api';
import { ApiError } from '../api/apiError';
import { onSessionExpired, request, sessionStarted } from '../api/client';
import { rememberCsrfToken } from '../api/csrf';

/**
 * Who is signed in. The session itself is the server's HttpOnly cookie; the console only keeps
 * the user and the CSRF token in memory (never in localStorage).
 */
export type AuthStatus = 'loading' | 'signedIn' | 'signedOut' | 'unreachable';

export interface AuthValue {
  status: AuthStatus;
  user: Me | null;
  /** Set when the session ended under the user (401 from the API): shown on the sign-in page. */
  expired: boolean;
  signIn(email: string, password: string): Promise<Me>;
  signUp(email: string, password: string, name: string): Promise<Me>;
  signOut(): Promise<void>;
  /** Re-reads the user (credits change during a session). */
  refresh(): Promise<void>;
}

const AuthContext = createContext<AuthValue | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<AuthStatus>('loading');
  const [user, setUser] = useState<Me | null>(null);
  const [expired, setExpired] = useState(false);

  const load = useCallback(async () => {
    try {
      // The session endpoint also answers the CSRF token, for a page that was just reloaded.
      const info = await request<SessionInfo>('/v1/auth/session', { expectUnauthorized: true });
      rememberCsrfToken(info.csrfToken || null);
      sessionStarted();
      setUser(info.user);
      setStatus('signedIn');
    } catch (err) {
      if (err instanceof ApiError && err.code === 'E_UNREACHABLE') {
        setStatus('unreachable');
        return;
      }
      setUser(null);
      setStatus('signedOut');
    }
  }, []);

  useEffect(() => {
    void load();
    return onSessionExpired(() => {
      rememberCsrfToken(null);
      setUser(null);
      setExpired(true);
      setStatus('signedOut');
    });
  }, [load]);

  const value = useMemo<AuthValue>(() => {
    /** Signing in and signing up both end with a fresh session for `info.user`. */
    function signedIn(info: { user: Me }): Me {
      sessionStarted();
      setUser(info.user);
      setExpired(false);
      setStatus('signedIn');
      return info.user;
    }
    return {
      status,
      user,
      expired,
      signIn: async (email, password) => signedIn(await api.signIn(email, password)),
      signUp: async (email, password, name) => signedIn(await api.signUp(email, password, name)),
      async signOut() {
        try {
          await api.signOut();
        } finally {
          setUser(null);
          setExpired(false);
          setStatus('signedOut');
        }
      },
      async refresh() {
        try {
          const me = await api.me();
          setUser(me);
        } catch {
          // A failed refresh keeps what we have; a 401 is handled by the expiry listener.
        }
      },
    };
  }, [status, user, expired]);
  // `load` is exposed to the unreachable screen through a retry that reloads the page state.
  return (
    <AuthContext.Provider value={value}>
      {status === 'unreachable' ? <Unreachable retry={load} /> : children}
    </AuthContext.Provider>
  );
}

function Unreachable({ retry }: { retry: () => Promise<void> }) {
  const [busy, setBusy] = useState(false);
  return (
    <main className="center-page" id="main">
      <div className="card narrow">
        <h1 tabIndex={-1}>Cannot reach the server</h1>
        <p>
          The CodeVF server did not answer. Check your connection; the console will work again as soon as the server is
          back.
        </p>
        <button
          type="button"
          className="btn primary"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            await retry();
            setBusy(false);
          }}
        >
          {busy ? 'Trying…' : 'Try again'}
        </button>
      </div>
    </main>
  );
}

export function useAuth(): AuthValue {
  const v = useContext(AuthContext);
  if (!v) throw new Error('useAuth outside AuthProvider');
  return v;
}

/** The signed-in user; only for pages rendered behind the sign-in gate. */
export function useUser(): Me {
  const { user } = useAuth();
  if (!user) throw new Error('useUser without a signed-in user');
  return user;
}
