import { CSRF_HEADER, type Me, type Role, SESSION_COOKIE } from '@codevf/protocol';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context';
import { ApiError } from '../http/errors';
import type { UserRow } from '../storage/schema';
import { safeEqual } from './secrets';
import { userForAccessToken } from './tokens';
import { userForSessionCookie } from './webSessions';

export interface AuthUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  title: string | null;
  credits: number;
  /** How the request proved who it is. Cookie requests are CSRF-checked; bearer ones cannot be forged cross-site. */
  via: 'bearer' | 'cookie';
  /** Cookie sessions only: the session's CSRF token. */
  csrfToken?: string;
  /**
   * What the access rests on, for live sockets that outlive the request: the login (token
   * family) of a bearer token, or the hashed id of a console session.
   */
  grant: { kind: 'login'; familyId: string } | { kind: 'webSession'; sessionHash: string };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Memoised result of authentication for this request (undefined: not tried yet, null: anonymous). */
    authUser?: AuthUser | null;
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function toAuthUser(u: UserRow, grant: AuthUser['grant'], csrfToken?: string): AuthUser {
  const via = grant.kind === 'login' ? 'bearer' : 'cookie';
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    title: u.title,
    credits: u.credits,
    via,
    csrfToken,
    grant,
  };
}

/** The public view of the caller (`GET /v1/me`). */
export function meOf(u: AuthUser): Me {
  return { id: u.id, email: u.email, name: u.name, role: u.role, credits: u.credits, title: u.title };
}

/**
 * Who is calling: a bearer access token (CLI) or the console's session cookie. A request that
 * carries a bearer header is judged only by it — a bad token is never rescued by a cookie.
 */
export async function authenticate(ctx: AppContext, request: FastifyRequest): Promise<AuthUser | null> {
  if (request.authUser !== undefined) return request.authUser;
  let result: AuthUser | null = null;
  const header = request.headers.authorization;
  if (header !== undefined) {
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const found = token ? await userForAccessToken(ctx, token) : undefined;
    if (!found) throw new ApiError('E_UNAUTHORIZED', 'The access token is invalid, expired or revoked.');
    result = toAuthUser(found.user, { kind: 'login', familyId: found.familyId });
  } else {
    const sid = request.cookies?.[SESSION_COOKIE];
    if (sid) {
      const found = await userForSessionCookie(ctx, sid);
      if (found) {
        if (UNSAFE.has(request.method)) {
          const sent = request.headers[CSRF_HEADER];
          if (typeof sent !== 'string' || !safeEqual(sent, found.csrfToken)) {
            throw new ApiError('E_FORBIDDEN', 'Missing or wrong CSRF token (send the x-csrf-token header).');
          }
        }
        result = toAuthUser(found.user, { kind: 'webSession', sessionHash: found.sessionHash }, found.csrfToken);
      }
    }
  }
  request.authUser = result;
  return result;
}

/** Requires a signed-in user (any role). */
export async function requireUser(request: FastifyRequest): Promise<AuthUser> {
  const user = await authenticate(request.server.ctx, request);
  if (!user) throw new ApiError('E_UNAUTHORIZED', 'Sign in first (bearer token or console session).');
  return user;
}

/** Requires one of the given roles. */
export async function requireRole(request: FastifyRequest, ...roles: Role[]): Promise<AuthUser> {
  const user = await requireUser(request);
  if (!roles.includes(user.role)) {
    throw new ApiError('E_FORBIDDEN', `This needs the ${roles.join(' or ')} role; you are signed in as ${user.role}.`);
  }
  return user;
}
