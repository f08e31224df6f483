import type {
  AdminEngineerList,
  AdminTaskList,
  AdminTasksQuery,
  AdminUser,
  AiInfo,
  AiTaskList,
  CreditGrantBody,
  CreditsView,
  DeviceInfo,
  EventsResponse,
  Me,
  NewUserBody,
  PasswordChanged,
  SessionInfo,
  Task,
  UserPatchBody,
} from '@codevf/protocol';
import { listFrom, request } from './client';
import { rememberCsrfToken } from './csrf';

/** Typed calls for every endpoint the console uses (docs/PROTOCOL.md §1–§2). */

const enc = encodeURIComponent;

export type AiTask = AiTaskList['tasks'][number];

export const api = {
  // ---- session -------------------------------------------------------------------------
  me: (signal?: AbortSignal) => request<Me>('/v1/me', { signal, expectUnauthorized: true }),
  async signIn(email: string, password: string): Promise<SessionInfo> {
    const info = await request<SessionInfo>('/v1/auth/session', {
      method: 'POST',
      body: { email, password },
      expectUnauthorized: true,
    });
    rememberCsrfToken(info.csrfToken);
    return info;
  },
  async signUp(email: string, password: string, name: string): Promise<SessionInfo> {
    const info = await request<SessionInfo>('/v1/auth/signup', { method: 'POST', body: { email, password, name } });
    rememberCsrfToken(info.csrfToken);
    return info;
  },
  changePassword: (currentPassword: string, newPassword: string) =>
    request<PasswordChanged>('/v1/auth/password', { method: 'POST', body: { currentPassword, newPassword } }),
  async signOut(): Promise<void> {
    try {
      await request<void>('/v1/auth/session', { method: 'DELETE', expectUnauthorized: true });
    } finally {
      rememberCsrfToken(null);
    }
  },

  // ---- device login (RFC 8628 approval page) -------------------------------------------
  device: (userCode: string, signal?: AbortSignal) =>
    request<DeviceInfo>(`/v1/device?user_code=${enc(userCode)}`, { signal }),
  approveDevice: (userCode: string) =>
    request<unknown>('/v1/device/approve', { method: 'POST', body: { user_code: userCode } }),
  denyDevice: (userCode: string) =>
    request<unknown>('/v1/device/deny', { method: 'POST', body: { user_code: userCode } }),

  // ---- tasks ---------------------------------------------------------------------------
  queue: async (signal?: AbortSignal) => listFrom<Task>(await request<unknown>('/v1/queue', { signal }), 'tasks'),
  tasks: async (signal?: AbortSignal) => listFrom<Task>(await request<unknown>('/v1/tasks', { signal }), 'tasks'),
  task: (id: string, signal?: AbortSignal) => request<Task>(`/v1/tasks/${enc(id)}`, { signal }),
  /**
   * A task's whole transcript. The server answers a page at a time, each with the verdict on the
   * chain from seq 1 through that page; the first broken verdict stands, else the last page's.
   */
  async taskEvents(id: string, signal?: AbortSignal): Promise<EventsResponse> {
    const events: EventsResponse['events'] = [];
    let chain: EventsResponse['chain'] | undefined;
    for (let after = 0; ; ) {
      const page = await request<EventsResponse>(`/v1/tasks/${enc(id)}/events?after=${after}`, { signal });
      events.push(...page.events);
      if (chain === undefined || chain.verified) chain = page.chain;
      if (!page.hasMore) return { ...page, events, chain };
      after = page.nextAfter;
    }
  },
  claim: (id: string) => request<Task>(`/v1/tasks/${enc(id)}/claim`, { method: 'POST', body: {} }),
  endTask: (id: string, reason?: string) =>
    request<Task>(`/v1/tasks/${enc(id)}/end`, { method: 'POST', body: reason ? { reason } : {} }),
  credits: (signal?: AbortSignal) => request<CreditsView>('/v1/credits', { signal }),

  // ---- the AI participant (§2.6) -------------------------------------------------------
  aiInfo: (signal?: AbortSignal) => request<AiInfo>('/v1/ai', { signal }),
  /** Active AI-led tasks, for engineers to guide or take over. */
  aiTasks: async (signal?: AbortSignal) =>
    listFrom<AiTask>(await request<unknown>('/v1/ai/tasks', { signal }), 'tasks'),
  /** Join an AI-led task as a guide: its live socket then welcomes this engineer as `guide`. */
  guide: (id: string) => request<unknown>(`/v1/tasks/${enc(id)}/guide`, { method: 'POST', body: {} }),
  /** Take a task over from the AI (as one of its guides): the AI leaves, this engineer is its engineer. */
  takeover: (id: string) => request<unknown>(`/v1/tasks/${enc(id)}/takeover`, { method: 'POST', body: {} }),

  // ---- admin ---------------------------------------------------------------------------
  users: async (signal?: AbortSignal) =>
    listFrom<AdminUser>(await request<unknown>('/v1/admin/users', { signal }), 'users'),
  createUser: (user: NewUserBody) => request<AdminUser>('/v1/admin/users', { method: 'POST', body: user }),
  updateUser: (id: string, patch: UserPatchBody) =>
    request<AdminUser>(`/v1/admin/users/${enc(id)}`, { method: 'PATCH', body: patch }),
  /** The overview: one page of every task, filtered (§2.5). */
  adminTasks: (query: AdminTasksQuery, signal?: AbortSignal) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
    const qs = params.toString();
    return request<AdminTaskList>(`/v1/admin/tasks${qs ? `?${qs}` : ''}`, { signal });
  },
  adminEngineers: (signal?: AbortSignal) => request<AdminEngineerList>('/v1/admin/engineers', { signal }),
  grantCredits: (email: string, amount: number, note?: string) => {
    const body: CreditGrantBody = note ? { email, amount, note } : { email, amount };
    return request<AdminUser>('/v1/admin/credits', { method: 'POST', body });
  },
};
