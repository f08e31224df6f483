import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AiInfo, Project, ProjectBody, SyncBody, SyncResult, Task } from '@codevf/protocol';
import { WebSocketServer } from 'ws';
import { taskFixture } from '../../../protocol/test/support/taskFixture';
import type { StoredAuth } from '../../src/core/authStore';

export interface FakeUser {
  id: string;
  email: string;
  name: string;
  role: string;
  credits: number;
}

/** One request as the server saw it, for assertions about what the CLI sent where. */
export interface SeenRequest {
  method: string;
  path: string;
  authorization?: string;
  body: string;
}

/** An error answer the server gives instead of a result (RFC 9457 with our code). */
export interface ScriptedProblem {
  status: number;
  code: string;
  detail: string;
  hint?: string;
}

/** A persisted event the live socket sends after its welcome (seq is numbered from 1). */
export interface ScriptedEvent {
  type: string;
  payload: Record<string, unknown>;
}

/** Without a script, a task's socket says where it is in the queue and then ends it. */
const QUEUED_THEN_ENDED: ScriptedEvent[] = [
  { type: 'task_status', payload: { status: 'queued', queuePosition: 1, estimatedWaitSeconds: 60 } },
  {
    type: 'session_end',
    payload: {
      endedBy: 'system',
      reason: 'The test is over.',
      summary: { engineer: null, durationSeconds: 0, creditsUsed: 0 },
    },
  },
];

/** What the token endpoint answers to the device-code polls, in order; the last one repeats. */
export type DeviceAnswer = 'pending' | 'slow_down' | 'approve' | 'deny' | 'expired';

/**
 * A small HTTP server speaking the endpoints the CLI's commands use (PROTOCOL.md §1–§3): OAuth
 * metadata, device authorization, token (device code and refresh grants), revocation, `/v1/me`,
 * projects with snapshot/bundle uploads and sync, task creation, `/v1/ai`, and a task's live
 * socket that plays a scripted list of events. It keeps its state in memory and records every
 * request. Command tests use it instead of the real server, which CLI tests must not import;
 * the real server and the built binary meet in e2e/.
 */
export async function startFakeApiServer() {
  const user: FakeUser = { id: 'u_1', email: 'ada@example.com', name: 'Ada', role: 'customer', credits: 42 };
  const accessTokens = new Map<string, string>();
  const refreshTokens = new Map<string, string>();
  const revoked: string[] = [];
  const projects = new Map<string, Project>();
  const uploads: Array<{ kind: 'snapshot' | 'bundle'; projectId: string; bytes: number; sha256: string }> = [];
  const syncs: SyncBody[] = [];
  const seen: SeenRequest[] = [];
  let deviceAnswers: DeviceAnswer[] = ['approve'];
  let polls = 0;
  let tokenCount = 0;
  let revokeStatus = 200;
  const tasks: Task[] = [];
  let taskProblem: ScriptedProblem | null = null;
  let modeNote: string | null = null;
  let aiInfo: AiInfo | null = null;
  let sessionEvents: ScriptedEvent[] = QUEUED_THEN_ENDED;
  /** Client messages received on live sockets after the hello. */
  const received: Array<{ type: string; payload: unknown }> = [];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', baseUrl);
      seen.push({
        method: req.method ?? '',
        path: url.pathname,
        authorization: req.headers.authorization,
        body: raw.toString('utf8'),
      });
      route(req, url.pathname, raw, res);
    });
  });

  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const problem = (res: http.ServerResponse, status: number, code: string, detail: string) =>
    send(res, status, { type: 'about:blank', title: detail, status, code, detail });

  /** Stores a project of the user's, just created, with nothing uploaded or synced yet. */
  function registerProject(id: string, body: ProjectBody): Project {
    const now = new Date().toISOString();
    const project: Project = {
      ...body,
      id,
      ownerId: user.id,
      createdAt: now,
      updatedAt: now,
      lastSnapshot: null,
      lastSync: null,
    };
    projects.set(project.id, project);
    return project;
  }

  function issueTokens() {
    tokenCount += 1;
    const access = `cvf_at_fake${tokenCount}`;
    const refresh = `cvf_rt_fake${tokenCount}`;
    accessTokens.set(access, user.id);
    refreshTokens.set(refresh, access);
    return { access_token: access, refresh_token: refresh, token_type: 'Bearer', expires_in: 3600 };
  }

  /** Ends a login: its refresh token and the access token issued with it stop working. */
  function revoke(refreshToken: string) {
    const access = refreshTokens.get(refreshToken);
    if (access !== undefined) accessTokens.delete(access);
    refreshTokens.delete(refreshToken);
  }

  function bearer(req: http.IncomingMessage): string | null {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    return token && accessTokens.has(token) ? token : null;
  }

  function route(req: http.IncomingMessage, path: string, raw: Buffer, res: http.ServerResponse) {
    const method = req.method;
    const form = new URLSearchParams(raw.toString('utf8'));
    if (method === 'GET' && path === '/.well-known/oauth-authorization-server') {
      return send(res, 200, {
        issuer: baseUrl,
        device_authorization_endpoint: `${baseUrl}/oauth/device_authorization`,
        token_endpoint: `${baseUrl}/oauth/token`,
        revocation_endpoint: `${baseUrl}/oauth/revoke`,
        grant_types_supported: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
      });
    }
    if (method === 'POST' && path === '/oauth/device_authorization') {
      return send(res, 200, {
        device_code: 'cvf_dc_fake',
        user_code: 'BCDFGHJK',
        verification_uri: `${baseUrl}/device`,
        verification_uri_complete: `${baseUrl}/device?user_code=BCDFGHJK`,
        expires_in: 600,
        interval: 1,
      });
    }
    if (method === 'POST' && path === '/oauth/token') {
      if (form.get('grant_type') === 'refresh_token') {
        const old = form.get('refresh_token') ?? '';
        const access = refreshTokens.get(old);
        if (access === undefined) return send(res, 400, { error: 'invalid_grant' });
        refreshTokens.delete(old);
        accessTokens.delete(access);
        return send(res, 200, issueTokens());
      }
      const answer = deviceAnswers[Math.min(polls, deviceAnswers.length - 1)];
      polls += 1;
      if (answer === 'approve') return send(res, 200, issueTokens());
      const error = { pending: 'authorization_pending', slow_down: 'slow_down', deny: 'access_denied' }[
        answer as 'pending'
      ];
      return send(res, 400, { error: error ?? 'expired_token' });
    }
    if (method === 'POST' && path === '/oauth/revoke') {
      if (revokeStatus !== 200) return send(res, revokeStatus, { error: 'server_error' });
      const token = form.get('token') ?? '';
      revoked.push(token);
      revoke(token);
      return send(res, 200, {});
    }
    if (!bearer(req)) return problem(res, 401, 'E_UNAUTHORIZED', 'The access token is invalid or expired.');
    if (method === 'GET' && path === '/v1/me') return send(res, 200, user);
    if (method === 'GET' && path === '/v1/ai') {
      // A server from before the AI participant has no such route.
      return aiInfo ? send(res, 200, aiInfo) : problem(res, 404, 'E_NOT_FOUND', 'Route GET:/v1/ai not found');
    }
    if (method === 'POST' && path === '/v1/tasks') {
      if (taskProblem) {
        const { status, code, detail, hint } = taskProblem;
        return send(res, status, {
          type: 'about:blank',
          title: detail,
          status,
          code,
          detail,
          ...(hint ? { hint } : {}),
        });
      }
      const body = JSON.parse(raw.toString('utf8')) as { description: string; mode?: Task['mode']; projectId?: string };
      const task = taskFixture({
        id: `t_${tasks.length + 1}`,
        description: body.description,
        mode: body.mode ?? 'human',
        modeNote,
        customerId: user.id,
        projectId: body.projectId ?? null,
        queuePosition: 1,
        estimatedWaitSeconds: 60,
      });
      tasks.push(task);
      return send(res, 201, task);
    }
    if (method === 'POST' && path === '/v1/projects') {
      const body = JSON.parse(raw.toString('utf8')) as ProjectBody;
      return send(res, 201, registerProject(`p_${projects.size + 1}`, body));
    }
    const match = /^\/v1\/projects\/([^/]+)(?:\/(snapshot|bundle|sync))?$/.exec(path);
    const project = match ? projects.get(decodeURIComponent(match[1] ?? '')) : undefined;
    if (!match || !project) return problem(res, 404, 'E_NOT_FOUND', 'No such project.');
    const part = match[2];
    if (method === 'GET' && !part) return send(res, 200, project);
    if (method === 'PUT' && !part) {
      const body = JSON.parse(raw.toString('utf8')) as ProjectBody;
      const updated = { ...project, ...body, updatedAt: new Date().toISOString() };
      projects.set(project.id, updated);
      return send(res, 200, updated);
    }
    if (method === 'PUT' && (part === 'snapshot' || part === 'bundle')) {
      if (!project.uploadsAllowed) return problem(res, 403, 'E_FORBIDDEN', 'Uploads are off for this project.');
      const sha256 = createHash('sha256').update(raw).digest('hex');
      if (sha256 !== req.headers['x-content-sha256']) return problem(res, 400, 'E_VALIDATION', 'Hash mismatch.');
      const result = { snapshotId: `s_${uploads.length + 1}`, bytes: raw.length, sha256 };
      uploads.push({ kind: part, projectId: project.id, bytes: raw.length, sha256 });
      if (part === 'snapshot') {
        project.lastSnapshot = { ...result, createdAt: new Date().toISOString() };
      }
      return send(res, 200, result);
    }
    if (method === 'POST' && part === 'sync') {
      const body = JSON.parse(raw.toString('utf8')) as SyncBody;
      syncs.push(body);
      const result: SyncResult = {
        syncId: `sy_${syncs.length}`,
        projectId: project.id,
        branch: body.branch,
        commit: body.commit,
        remoteUrl: body.remoteUrl ?? null,
        dirty: body.dirty,
        bundleId: body.bundleId ?? null,
        syncedAt: new Date().toISOString(),
      };
      return send(res, 200, result);
    }
    return problem(res, 405, 'E_VALIDATION', 'Method not allowed.');
  }

  // A task's live socket (PROTOCOL.md §3): hello → welcome, then the scripted events.
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const taskId = /^\/v1\/tasks\/([^/]+)\/ws$/.exec(new URL(req.url ?? '/', baseUrl).pathname)?.[1];
    if (!token || !accessTokens.has(token) || !tasks.some((t) => t.id === taskId)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const frame = (type: string, payload: unknown, seq?: number) =>
        JSON.stringify({ type, timestamp: new Date().toISOString(), payload, ...(seq ? { seq } : {}) });
      let welcomed = false;
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data)) as { type: string; payload: unknown };
        if (welcomed) {
          received.push(msg);
          return;
        }
        welcomed = true;
        ws.send(frame('welcome', { taskId, status: 'queued', role: 'customer', lastSeq: sessionEvents.length }));
        sessionEvents.forEach((e, i) => {
          ws.send(frame(e.type, e.payload, i + 1));
        });
      });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    baseUrl,
    user,
    seen,
    revoked,
    projects,
    uploads,
    syncs,
    /** Tasks created (POST /v1/tasks), in order. */
    tasks,
    /** Client messages the live sockets received after their hello. */
    received,
    /** Forgets what earlier tests did: requests seen, projects, uploads, syncs, scripted answers. */
    reset() {
      seen.length = 0;
      projects.clear();
      uploads.length = 0;
      syncs.length = 0;
      tasks.length = 0;
      received.length = 0;
      taskProblem = null;
      modeNote = null;
      aiInfo = null;
      sessionEvents = QUEUED_THEN_ENDED;
      deviceAnswers = ['approve'];
      polls = 0;
      revokeStatus = 200;
    },
    /** Scripts the device-code polls (default: approved at the first poll). */
    answerDevicePolls(answers: DeviceAnswer[]) {
      deviceAnswers = answers;
      polls = 0;
    },
    /** Makes POST /v1/tasks answer with this error (null: create the task). */
    refuseTasks(answer: ScriptedProblem | null) {
      taskProblem = answer;
    },
    /** The `modeNote` of tasks created from now on (why the server made them human-only). */
    setModeNote(note: string | null) {
      modeNote = note;
    },
    /** GET /v1/ai's answer; null answers 404, as a server from before the AI participant does. */
    setAiInfo(info: AiInfo | null) {
      aiInfo = info;
    },
    /** The events a task's live socket sends after its welcome. */
    scriptSession(events: ScriptedEvent[]) {
      sessionEvents = events;
    },
    /** Makes the revocation endpoint answer with this status. */
    setRevokeStatus(status: number) {
      revokeStatus = status;
    },
    /** Revokes a login behind the CLI's back (as another device or an admin would). */
    revokeNow: revoke,
    /** Whether a refresh token is still good here (false once revoked or rotated). */
    refreshTokenWorks(token: string) {
      return refreshTokens.has(token);
    },
    /** A login as `codevf login` stores it, with tokens this server accepts. */
    login(overrides: Partial<StoredAuth> = {}): StoredAuth {
      const tokens = issueTokens();
      return {
        accessToken: tokens.access_token,
        refreshToken: tokens.refresh_token,
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        userId: user.id,
        baseUrl,
        user: { id: user.id, email: user.email, name: user.name, role: user.role },
        ...overrides,
      };
    },
    /** A project as if registered earlier, e.g. by another `codevf init`. */
    addProject(body: Partial<ProjectBody> = {}): Project {
      return registerProject(`p_${randomUUID().slice(0, 8)}`, {
        name: 'demo',
        type: 'node',
        testCommand: '',
        buildCommand: '',
        allowedTools: [],
        branchMode: 'codevf',
        uploadsAllowed: false,
        ...body,
      });
    },
    async close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type FakeApiServer = Awaited<ReturnType<typeof startFakeApiServer>>;
