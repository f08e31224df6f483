import type { Role } from '@codevf/protocol';
import { lazy, type ReactNode, Suspense, useEffect } from 'react';
import { AuthProvider, useAuth } from './auth/AuthProvider';
import { Layout } from './components/Layout';
import { Notice } from './components/Notice';
import { PageHeader } from './components/PageHeader';
import { Loading } from './components/States';
import { AccountPage } from './pages/AccountPage';
import { AdminCreditsPage } from './pages/AdminCreditsPage';
import { AdminOverviewPage } from './pages/AdminOverviewPage';
import { AdminUsersPage } from './pages/AdminUsersPage';
import { AiSessionsPage } from './pages/AiSessionsPage';
import { CreditsPage } from './pages/CreditsPage';
import { DevicePage } from './pages/DevicePage';
import { QueuePage } from './pages/QueuePage';
import { SignInPage } from './pages/SignInPage';
import { SignUpPage } from './pages/SignUpPage';
import { TasksPage } from './pages/TasksPage';
import { Link, matchPath, navigate, useLocation } from './router/router';

// The live session and the transcript carry the ANSI and syntax-highlighting code: loaded on
// demand so sign-in and the device page stay small.
const SessionPage = lazy(() => import('./pages/SessionPage').then((m) => ({ default: m.SessionPage })));
const TranscriptPage = lazy(() => import('./pages/TranscriptPage').then((m) => ({ default: m.TranscriptPage })));

export const HOME: Record<Role, string> = { engineer: '/queue', customer: '/tasks', admin: '/admin/users' };

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function NotFound() {
  return (
    <div className="page">
      <PageHeader title="Page not found" />
      <Notice tone="info">
        There is nothing at this address. <Link href="/">Go to the start page</Link>.
      </Notice>
    </div>
  );
}

/** Route table: public pages first, then pages behind the sign-in gate. */
function Routes() {
  const { status, user } = useAuth();
  const { pathname } = useLocation();

  if (status === 'loading') return <Loading label="Starting…" />;
  if (pathname === '/signin') return user ? <Redirect to={HOME[user.role]} /> : <SignInPage />;
  if (pathname === '/signup') return user ? <Redirect to={HOME[user.role]} /> : <SignUpPage />;
  // Everything else needs a user; the sign-in form shows in place and the URL is kept.
  if (!user) return <SignInPage inline />;

  const page = (node: ReactNode) => <Suspense fallback={<Loading />}>{node}</Suspense>;
  if (pathname === '/' || pathname === '') return <Redirect to={HOME[user.role]} />;
  if (pathname === '/device') return <DevicePage />;
  if (matchPath('/account', pathname)) return <AccountPage />;
  if (matchPath('/queue', pathname)) return <QueuePage />;
  if (matchPath('/ai-sessions', pathname)) return <AiSessionsPage />;
  if (matchPath('/tasks', pathname)) return <TasksPage />;
  if (matchPath('/credits', pathname)) return <CreditsPage />;
  if (matchPath('/admin/users', pathname)) return <AdminUsersPage />;
  if (matchPath('/admin/credits', pathname)) return <AdminCreditsPage />;
  if (matchPath('/admin/overview', pathname)) return <AdminOverviewPage />;
  const session = matchPath('/session/:id', pathname);
  if (session?.id) return page(<SessionPage key={session.id} taskId={session.id} />);
  const transcript = matchPath('/tasks/:id', pathname);
  if (transcript?.id) return page(<TranscriptPage key={transcript.id} taskId={transcript.id} />);
  return <NotFound />;
}

export function App() {
  return (
    <AuthProvider>
      <Layout>
        <Routes />
      </Layout>
    </AuthProvider>
  );
}
