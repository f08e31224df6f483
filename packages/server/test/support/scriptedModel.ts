/**
 * A scripted model server for tests: a loopback HTTP server speaking the OpenAI-compatible
 * Chat Completions wire format (POST /v1/chat/completions; a JSON `chat.completion`, or with
 * `stream: true` a `text/event-stream` of `chat.completion.chunk`s carrying `delta.content` and
 * `delta.tool_calls` in pieces, a usage chunk when asked for, and `data: [DONE]`). It is the one
 * part outside the system that tests may fake: no test calls a real provider.
 *
 * Each test scripts its turns (a queue, or a function of the request) and reads back every
 * request as received — headers and parsed body — to assert what the model was shown. A turn
 * can also fail: an HTTP error, a hang (for timeouts), a connection cut mid-stream.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body (undefined when it was not JSON). */
  body: ChatRequestBody;
  raw: string;
}

/** The parts of a Chat Completions request tests look at. */
export interface ChatRequestBody {
  model?: string;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  tools?: { type: string; function: { name: string; description?: string; parameters?: unknown } }[];
  messages: {
    role: string;
    content?: string | null;
    tool_calls?: { id: string; type: string; function: { name: string; arguments: string } }[];
    tool_call_id?: string;
  }[];
  [key: string]: unknown;
}

export interface ScriptedToolCall {
  name: string;
  /** An object is sent as its JSON; a string as is (so a test can send malformed JSON). */
  arguments: Record<string, unknown> | string;
  id?: string;
}

export type ScriptedTurn =
  | {
      text?: string;
      toolCalls?: ScriptedToolCall[];
      /** Token counts to report (when the request asks for usage); false: never report usage. */
      usage?: { prompt_tokens: number; completion_tokens: number } | false;
      /** Characters per streamed piece (default 7: every text and argument arrives in several chunks). */
      chunkSize?: number;
    }
  /** An error status with an OpenAI-style error body. */
  | { status: number; message?: string }
  /** Never answers (the client's timeout ends it). */
  | { hang: true }
  /** Sends the first chunk, then cuts the connection. */
  | { cut: true };

export type Script = (request: RecordedRequest, index: number) => ScriptedTurn | Promise<ScriptedTurn>;

export interface ScriptedModel {
  /** The base URL to configure (CODEVF_AI_BASE_URL): http://127.0.0.1:port/v1. */
  baseUrl: string;
  requests: RecordedRequest[];
  /** Appends turns to the queue answered in order. */
  push(...turns: ScriptedTurn[]): void;
  /** Answers every request from now on with `script` (the queue is used first while it lasts). */
  respond(script: Script): void;
  /** Refuses `stream_options` with a 400, as servers predating it do (the refused request is recorded too). */
  refuseStreamOptions(refuse: boolean): void;
  /** Resolves once `n` requests (in all) have arrived. */
  waitForRequests(n: number, timeoutMs?: number): Promise<RecordedRequest>;
  close(): Promise<void>;
}

const MODEL = 'scripted-model';

function chunk(id: string, delta: Record<string, unknown>, finish: string | null = null): Record<string, unknown> {
  return {
    id,
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model: MODEL,
    choices: [{ index: 0, delta, finish_reason: finish }],
  };
}

function pieces(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

const argsText = (c: ScriptedToolCall) => (typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments));

function usageOf(turn: { usage?: { prompt_tokens: number; completion_tokens: number } | false }) {
  const u = turn.usage === false ? undefined : (turn.usage ?? { prompt_tokens: 100, completion_tokens: 20 });
  return u ? { ...u, total_tokens: u.prompt_tokens + u.completion_tokens } : undefined;
}

type Answer = Extract<ScriptedTurn, { text?: string }>;

function sendJson(res: ServerResponse, turn: Answer): void {
  const calls = (turn.toolCalls ?? []).map((c, i) => ({
    id: c.id ?? `call_${i}_${randomBytes(3).toString('hex')}`,
    type: 'function',
    function: { name: c.name, arguments: argsText(c) },
  }));
  const usage = usageOf(turn);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      id: `chatcmpl-${randomBytes(4).toString('hex')}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: MODEL,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: turn.text ?? null, ...(calls.length ? { tool_calls: calls } : {}) },
          finish_reason: calls.length ? 'tool_calls' : 'stop',
        },
      ],
      ...(usage ? { usage } : {}),
    }),
  );
}

function sendStream(res: ServerResponse, turn: Answer, body: ChatRequestBody): void {
  const id = `chatcmpl-${randomBytes(4).toString('hex')}`;
  const size = turn.chunkSize ?? 7;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const write = (data: unknown) => res.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
  write(chunk(id, { role: 'assistant', content: '' }));
  for (const piece of pieces(turn.text ?? '', size)) write(chunk(id, { content: piece }));
  (turn.toolCalls ?? []).forEach((c, index) => {
    const callId = c.id ?? `call_${index}_${randomBytes(3).toString('hex')}`;
    write(
      chunk(id, { tool_calls: [{ index, id: callId, type: 'function', function: { name: c.name, arguments: '' } }] }),
    );
    for (const piece of pieces(argsText(c), size))
      write(chunk(id, { tool_calls: [{ index, function: { arguments: piece } }] }));
  });
  write(chunk(id, {}, turn.toolCalls?.length ? 'tool_calls' : 'stop'));
  const usage = usageOf(turn);
  if (usage && body.stream_options?.include_usage) {
    write({
      id,
      object: 'chat.completion.chunk',
      created: Math.floor(Date.now() / 1000),
      model: MODEL,
      choices: [],
      usage,
    });
  }
  write('[DONE]');
  res.end();
}

function sendError(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { message, type: 'server_error', param: null, code: null } }));
}

export async function startScriptedModel(): Promise<ScriptedModel> {
  const requests: RecordedRequest[] = [];
  const queue: ScriptedTurn[] = [];
  let script: Script | undefined;
  let refuseOptions = false;
  const sockets = new Set<Socket>();
  const waiters = new Set<() => void>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const part of req) raw += part;
    let body: ChatRequestBody;
    try {
      body = JSON.parse(raw) as ChatRequestBody;
    } catch {
      body = { messages: [] };
    }
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      body,
      raw,
    };
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      sendError(res, 404, `scripted model: no route ${req.method} ${req.url}`);
      return;
    }
    const index = requests.length;
    requests.push(recorded);
    for (const w of [...waiters]) w();
    if (refuseOptions && body.stream_options) {
      sendError(res, 400, 'Unrecognized request argument supplied: stream_options');
      return;
    }
    const turn = queue.shift() ?? (script ? await script(recorded, index) : undefined);
    if (!turn) {
      sendError(res, 500, `scripted model: no turn scripted for request ${index + 1}`);
      return;
    }
    if ('hang' in turn) return;
    if ('status' in turn) {
      sendError(res, turn.status, turn.message ?? `scripted failure ${turn.status}`);
      return;
    }
    if ('cut' in turn) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify(chunk('chatcmpl-cut', { role: 'assistant', content: 'Hel' }))}\n\n`);
      res.socket?.destroy();
      return;
    }
    if (body.stream) sendStream(res, turn, body);
    else sendJson(res, turn);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendError(res, 500, `scripted model failed: ${String(err)}`);
      else res.destroy();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    push: (...turns) => queue.push(...turns),
    respond(s) {
      script = s;
    },
    refuseStreamOptions(refuse) {
      refuseOptions = refuse;
    },
    waitForRequests(n, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (requests.length < n) return;
          done();
          resolve(requests[n - 1]!);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`scripted model: waited for request ${n}, got ${requests.length}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
