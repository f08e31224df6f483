import type { Role } from '@codevf/protocol';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { useAuth } from '../auth/AuthProvider';
import { Link, navigate, useLocation } from '../router/router';

const NAV: Record<Role, { href: string; label: string }[]> = {
  engineer: [
    { href: '/queue', label: 'Queue' },
    { href: '/ai-sessions', label: 'AI sessions' },
    { href: '/tasks', label: 'My sessions' },
  ],
  customer: [
    { href: '/tasks', label: 'Tasks' },
    { href: '/credits', label: 'Credits' },
  ],
  admin: [
    { href: '/admin/users', label: 'Users' },
    { href: '/admin/overview', label: 'Overview' },
    { href: '/admin/credits', label: 'Grant credits' },
  ],
};

export function Layout({ children }: { children: ReactNode }) {
  const { user, signOut } = useAuth();
  const { pathname } = useLocation();
  const first = useRef(true);
  const [signingOut, setSigningOut] = useState(false);

  // After client-side navigation, move focus to the new page's heading, as a page load would.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on each navigation
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.getElementById('page-title')?.focus();
  }, [pathname]);

  const links = user ? NAV[user.role] : [];
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link href="/" className="brand" aria-label="CodeVF home">
          <span className="brand-mark" aria-hidden="true">
            {'</>'}
          </span>
          CodeVF
        </Link>
        {links.length > 0 ? (
          <nav aria-label="Main" className="nav">
            {links.map((l) => (
              <Link key={l.href} href={l.href} aria-current={pathname.startsWith(l.href) ? 'page' : undefined}>
                {l.label}
              </Link>
            ))}
          </nav>
        ) : null}
        {user ? (
          <div className="account">
            <Link
              href="/account"
              className="account-name"
              title={`${user.email} — account and password`}
              aria-current={pathname.startsWith('/account') ? 'page' : undefined}
            >
              {user.name} <span className="role-pill">{user.role}</span>
            </Link>
            <button
              type="button"
              className="btn ghost small"
              disabled={signingOut}
              onClick={async () => {
                setSigningOut(true);
                try {
                  await signOut();
                } finally {
                  setSigningOut(false);
                  navigate('/signin', { replace: true });
                }
              }}
            >
              Sign out
            </button>
          </div>
        ) : null}
      </header>
      <main id="main" className="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
