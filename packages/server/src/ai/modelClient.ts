import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { AiConfig } from '../config';
import { scrubSecrets } from './scrubSecrets';

export type ChatMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam;
export type ChatTool = OpenAI.Chat.Completions.ChatCompletionFunctionTool;

/** One tool call as the model streamed it; `arguments` is the raw JSON text (maybe malformed). */
export interface ModelToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** The model's answer to one Chat Completions request. */
export interface ModelTurn {
  text: string;
  toolCalls: ModelToolCall[];
  finishReason: string | null;
  /** Prompt + completion tokens: as the server reported them, or estimated when it did not. */
  tokens: number;
  tokensEstimated: boolean;
}

/**
 * Why a model call failed. `unreachable`: no connection at all (nothing listens, DNS, refused);
 * `timeout`: no complete answer within the per-call limit; `http`: the server answered with an
 * error status; `protocol`: the answer could not be read; `aborted`: this server stopped the
 * call (shutdown, lost lease). The message is safe to log and store: no API key, no header.
 */
export class ModelError extends Error {
  constructor(
    readonly kind: 'unreachable' | 'timeout' | 'http' | 'protocol' | 'aborted',
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ModelError';
  }
}

export interface ModelClient {
  /** Streams one chat completion with the given tools; throws ModelError. */
  complete(messages: ChatMessage[], tools: ChatTool[], signal?: AbortSignal): Promise<ModelTurn>;
}

type ConfiguredAi = AiConfig & { baseUrl: string; model: string };

/** Rough token count of text: about four characters a token for English and code. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** The part of a provider's error text worth keeping, with secrets removed. */
function providerText(err: unknown, secrets: readonly string[]): string {
  const raw = err instanceof Error ? err.message : String(err);
  return scrubSecrets(raw, secrets).slice(0, 300);
}

/** Whether a 400 is about `stream_options` (servers predating it refuse the field). */
function refusesStreamOptions(err: unknown): boolean {
  return err instanceof APIError && err.status === 400 && /stream_options|include_usage/i.test(err.message);
}

/**
 * The model client: the official `openai` package against any OpenAI-compatible Chat
 * Completions server (OpenAI, Ollama, vLLM, llama.cpp, LM Studio, OpenRouter…). Calls always
 * stream; usage is asked for with `stream_options.include_usage` and, from a server that refuses
 * the field, estimated from the text instead. The SDK's own retries and logging are off: the
 * driver decides what a failure means, and nothing the SDK could print is trusted with the key.
 */
export function createModelClient(ai: ConfiguredAi): ModelClient {
  const secrets = ai.apiKey ? [ai.apiKey] : [];
  const client = new OpenAI({
    baseURL: ai.baseUrl,
    // The SDK insists on a credential; a server without keys (Ollama) gets no Authorization header.
    apiKey: ai.apiKey ?? 'unused',
    ...(ai.apiKey ? {} : { defaultHeaders: { Authorization: null } }),
    // Explicit, so that OPENAI_* variables in the server's environment change nothing.
    organization: null,
    project: null,
    adminAPIKey: null,
    maxRetries: 0,
    timeout: ai.timeoutSeconds * 1000,
    logLevel: 'off',
  });
  let usageOption = true;

  async function attempt(
    messages: ChatMessage[],
    tools: ChatTool[],
    signal: AbortSignal,
    withUsage: boolean,
  ): Promise<ModelTurn> {
    const stream = await client.chat.completions.create(
      {
        model: ai.model,
        messages,
        ...(tools.length > 0 ? { tools, tool_choice: 'auto' as const } : {}),
        stream: true,
        ...(withUsage ? { stream_options: { include_usage: true } } : {}),
      },
      { signal },
    );
    let text = '';
    let finishReason: string | null = null;
    let usage: { prompt_tokens: number; completion_tokens: number } | undefined;
    const calls: { id: string; name: string; arguments: string }[] = [];
    for await (const chunk of stream) {
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices?.[0];
      if (!choice) continue;
      if (choice.finish_reason) finishReason = choice.finish_reason;
      const delta = choice.delta;
      if (typeof delta?.content === 'string') text += delta.content;
      for (const part of delta?.tool_calls ?? []) {
        const at = typeof part.index === 'number' ? part.index : calls.length;
        let call = calls[at];
        if (!call) {
          call = { id: '', name: '', arguments: '' };
          calls[at] = call;
        }
        if (part.id) call.id = part.id;
        if (part.function?.name) call.name += part.function.name;
        if (part.function?.arguments) call.arguments += part.function.arguments;
      }
    }
    const toolCalls = calls.filter(Boolean).map((c, i) => ({ ...c, id: c.id || `call_${i}` }));
    if (usage) {
      return {
        text,
        toolCalls,
        finishReason,
        tokens: usage.prompt_tokens + usage.completion_tokens,
        tokensEstimated: false,
      };
    }
    const sent = JSON.stringify(messages) + JSON.stringify(tools);
    const received = text + toolCalls.map((c) => c.name + c.arguments).join('');
    return {
      text,
      toolCalls,
      finishReason,
      tokens: estimateTokens(sent) + estimateTokens(received),
      tokensEstimated: true,
    };
  }

  return {
    async complete(messages, tools, outer) {
      // The SDK's timeout covers only the wait for the response headers; this one covers the
      // whole streamed answer.
      const timer = AbortSignal.timeout(ai.timeoutSeconds * 1000);
      const signal = outer ? AbortSignal.any([outer, timer]) : timer;
      try {
        try {
          return await attempt(messages, tools, signal, usageOption);
        } catch (err) {
          if (!usageOption || !refusesStreamOptions(err)) throw err;
          usageOption = false;
          return await attempt(messages, tools, signal, false);
        }
      } catch (err) {
        if (outer?.aborted) throw new ModelError('aborted', 'The model call was stopped by this server.');
        if (timer.aborted || err instanceof APIConnectionTimeoutError)
          throw new ModelError('timeout', `The model did not answer within ${ai.timeoutSeconds} s.`);
        if (err instanceof APIUserAbortError) throw new ModelError('aborted', 'The model call was stopped.');
        if (err instanceof APIConnectionError)
          throw new ModelError('unreachable', `The model server at ${safeUrl(ai.baseUrl)} could not be reached.`);
        if (err instanceof APIError && err.status !== undefined)
          throw new ModelError(
            'http',
            `The model server answered HTTP ${err.status}: ${providerText(err, secrets)}`,
            err.status,
          );
        throw new ModelError('protocol', `The model's answer could not be read: ${providerText(err, secrets)}`);
      }
    },
  };
}

/** The base URL without user info, query or fragment (they may hold credentials). */
export function safeUrl(baseUrl: string): string {
  try {
    const u = new URL(baseUrl);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}
