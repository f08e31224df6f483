import { CSRF_COOKIE } from '@codevf/protocol/constants';

/**
 * The CSRF token the server expects in `x-csrf-token` on every state-changing request.
 * Sign-in answers it; it is also in the non-HttpOnly `codevf_csrf` cookie, which survives a
 * page reload. The cookie wins so a token rotated by another tab is picked up.
 */
let remembered: string | null = null;

export function rememberCsrfToken(token: string | null): void {
  remembered = token;
}

export function readCsrfCookie(cookieHeader: string): string | null {
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === CSRF_COOKIE) {
      const raw = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(raw) || null;
      } catch {
        return raw || null;
      }
    }
  }
  return null;
}

export function csrfToken(): string | null {
  return (typeof document !== 'undefined' ? readCsrfCookie(document.cookie) : null) ?? remembered;
}
