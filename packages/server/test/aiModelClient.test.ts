import { createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ChatTool, createModelClient, ModelError } from '../src/ai/modelClient';
import { resolveConfig } from '../src/config';
import { type ScriptedModel, startScriptedModel } from './support/scriptedModel';

const KEY = 'sk-test-0123456789abcdefSECRET';

const tool: ChatTool = {
  type: 'function',
  function: { name: 'run_command', description: 'run', parameters: { type: 'object', properties: {} } },
};

function aiConfig(baseUrl: string, extra: Partial<ReturnType<typeof resolveConfig>['ai']> = {}) {
  const ai = resolveConfig({}, {}).ai;
  return { ...ai, baseUrl, model: 'scripted-model', timeoutSeconds: 2, ...extra };
}

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function failure(p: Promise<unknown>): Promise<ModelError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ModelError) return err;
    throw err;
  }
  throw new Error('the call succeeded');
}

describe('model client (openai package) against the scripted model server', () => {
  let model: ScriptedModel;
  beforeAll(async () => {
    model = await startScriptedModel();
  });
  beforeEach(() => {
    model.requests.length = 0;
    model.refuseStreamOptions(false);
  });
  afterAll(async () => {
    await model.close();
  });

  it('streams text and tool calls assembled from many chunks, with the usage the server reports', async () => {
    model.push({
      text: 'Hello! Let me run the tests.',
      toolCalls: [
        { name: 'run_command', arguments: { command: 'npm test', reason: 'see the failure' } },
        { name: 'read_file', arguments: { path: 'package.json', reason: 'scripts' } },
      ],
      usage: { prompt_tokens: 321, completion_tokens: 45 },
      chunkSize: 3,
    });
    const client = createModelClient(aiConfig(model.baseUrl, { apiKey: KEY }));
    const turn = await client.complete([{ role: 'user', content: 'hi' }], [tool]);
    expect(turn.text).toBe('Hello! Let me run the tests.');
    expect(turn.toolCalls.map((c) => [c.name, JSON.parse(c.arguments)])).toEqual([
      ['run_command', { command: 'npm test', reason: 'see the failure' }],
      ['read_file', { path: 'package.json', reason: 'scripts' }],
    ]);
    expect(turn.toolCalls.every((c) => c.id.length > 0)).toBe(true);
    expect(turn.finishReason).toBe('tool_calls');
    expect(turn).toMatchObject({ tokens: 366, tokensEstimated: false });

    const [req] = model.requests;
    expect(req!.path).toBe('/v1/chat/completions');
    expect(req!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(req!.body).toMatchObject({
      model: 'scripted-model',
      stream: true,
      stream_options: { include_usage: true },
      tool_choice: 'auto',
    });
    expect(req!.body.tools?.map((t) => t.function.name)).toEqual(['run_command']);
  });

  it('sends no Authorization header when no key is configured (Ollama)', async () => {
    model.push({ text: 'ok' });
    const turn = await createModelClient(aiConfig(model.baseUrl)).complete([{ role: 'user', content: 'hi' }], []);
    expect(turn.text).toBe('ok');
    expect(model.requests[0]!.headers.authorization).toBeUndefined();
    expect(model.requests[0]!.body.tools).toBeUndefined();
  });

  it('estimates tokens when the server refuses stream_options, and stops asking for them', async () => {
    model.refuseStreamOptions(true);
    model.push({ text: 'first' }, { text: 'second' });
    const client = createModelClient(aiConfig(model.baseUrl));
    const turn = await client.complete([{ role: 'user', content: 'x'.repeat(400) }], []);
    expect(turn.text).toBe('first');
    expect(turn.tokensEstimated).toBe(true);
    expect(turn.tokens).toBeGreaterThanOrEqual(100);
    expect(model.requests.map((r) => Boolean(r.body.stream_options))).toEqual([true, false]);
    await client.complete([{ role: 'user', content: 'again' }], []);
    expect(model.requests.map((r) => Boolean(r.body.stream_options))).toEqual([true, false, false]);
  });

  it('estimates tokens when the stream carries no usage', async () => {
    model.push({ text: 'no usage here', usage: false });
    const turn = await createModelClient(aiConfig(model.baseUrl)).complete([{ role: 'user', content: 'hi' }], []);
    expect(turn).toMatchObject({ text: 'no usage here', tokensEstimated: true });
    expect(turn.tokens).toBeGreaterThan(0);
  });

  it('keeps malformed tool-call arguments as text for the driver to refuse', async () => {
    model.push({ toolCalls: [{ name: 'run_command', arguments: '{"command": "npm te' }] });
    const turn = await createModelClient(aiConfig(model.baseUrl)).complete([{ role: 'user', content: 'hi' }], [tool]);
    expect(turn.toolCalls).toEqual([
      expect.objectContaining({ name: 'run_command', arguments: '{"command": "npm te' }),
    ]);
  });

  it('reports an HTTP error without the key, even when the provider echoes it', async () => {
    model.push({ status: 401, message: `Incorrect API key provided: ${KEY}. Authorization: Bearer ${KEY}` });
    const err = await failure(
      createModelClient(aiConfig(model.baseUrl, { apiKey: KEY })).complete([{ role: 'user', content: 'hi' }], []),
    );
    expect(err.kind).toBe('http');
    expect(err.status).toBe(401);
    expect(err.message).toContain('HTTP 401');
    expect(err.message).not.toContain(KEY);
    expect(err.message).not.toContain('0123456789abcdef');
    expect(JSON.stringify(err)).not.toContain(KEY);
    expect(err.stack ?? '').not.toContain(KEY);
  });

  it('times out a model that never answers, within the configured limit', async () => {
    model.push({ hang: true });
    const t0 = Date.now();
    const err = await failure(
      createModelClient(aiConfig(model.baseUrl, { timeoutSeconds: 1 })).complete([{ role: 'user', content: 'hi' }], []),
    );
    expect(err.kind).toBe('timeout');
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('fails a stream cut in the middle as a protocol or connection error, not a success', async () => {
    model.push({ cut: true });
    const err = await failure(
      createModelClient(aiConfig(model.baseUrl)).complete([{ role: 'user', content: 'hi' }], []),
    );
    expect(['protocol', 'unreachable']).toContain(err.kind);
  });

  it('says the model is unreachable when nothing listens, naming the URL without credentials', async () => {
    const port = await closedPort();
    const err = await failure(
      createModelClient(aiConfig(`http://user:${KEY}@127.0.0.1:${port}/v1`, { apiKey: KEY })).complete(
        [{ role: 'user', content: 'hi' }],
        [],
      ),
    );
    expect(err.kind).toBe('unreachable');
    expect(err.message).toContain(`127.0.0.1:${port}/v1`);
    expect(err.message).not.toContain(KEY);
  });

  it('stops when its caller aborts', async () => {
    model.push({ hang: true });
    const ac = new AbortController();
    const call = createModelClient(aiConfig(model.baseUrl, { timeoutSeconds: 30 })).complete(
      [{ role: 'user', content: 'hi' }],
      [],
      ac.signal,
    );
    await model.waitForRequests(1);
    ac.abort();
    expect((await failure(call)).kind).toBe('aborted');
  });
});
