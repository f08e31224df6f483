import { MAX_FILE_FRAME_BYTES } from '@codevf/protocol';
import { executeApproved } from '../safety/executeApproved';
import { loadEnvSecrets } from '../safety/loadEnvSecrets';
import { resolveProjectDir } from '../safety/projectDir';
import { inspectProjectFile, readProjectFile } from '../safety/projectFile';
import { createRedactor, type Redactor } from '../safety/redactor';
import type { CommandOutcome, LocalWork } from './localWork';

export interface LocalWorkOptions {
  projectRoot: string;
  commandTimeoutMs?: number;
  maxOutputBytes?: number;
  maxFileBytes?: number;
  /** The customer's tokens: no variable holding one is passed to a command. */
  secretsToStrip: string[];
  /** The redactor to use (default: the standard rules plus the project's `.env*` values). */
  redactor?: Redactor;
  openUrl(url: string): Promise<boolean>;
}

/** Room in a `file_upload` frame for everything but the content. */
const FILE_FRAME_ENVELOPE = 2_048;

/** The live session's hands on this machine: the safety layer, configured for one project. */
export async function createLocalWork(options: LocalWorkOptions): Promise<LocalWork> {
  const redactor = options.redactor ?? createRedactor({ extraValues: await loadEnvSecrets(options.projectRoot) });
  const root = options.projectRoot;

  return {
    redactText: async (text) => redactor.redact(text),

    async runCommand(command, onOutput, signal, place = {}): Promise<CommandOutcome> {
      const dir = await resolveProjectDir(root, place.cwd);
      if (!dir.ok) return notRun(`${dir.reason}; nothing ran`);
      let outcome: CommandOutcome | undefined;
      for await (const ev of executeApproved({
        command,
        cwd: dir.absPath,
        redactor,
        signal,
        timeoutMs: place.timeoutSeconds !== undefined ? place.timeoutSeconds * 1000 : options.commandTimeoutMs,
        maxOutputBytes: options.maxOutputBytes,
        secretsToStrip: options.secretsToStrip,
      })) {
        if (ev.kind === 'output') onOutput(ev.stream, ev.data);
        else {
          const r = ev.result;
          outcome = {
            exitCode: r.exitCode,
            signal: r.signal,
            durationMs: r.durationMs,
            truncated: r.truncated,
            redactions: r.redactions,
            timedOut: r.timedOut,
            ...(r.error ? { error: r.error } : {}),
          };
        }
      }
      return outcome ?? notRun('the command produced no result');
    },

    async checkDir(cwd) {
      const dir = await resolveProjectDir(root, cwd);
      return dir.ok ? { ok: true } : dir;
    },

    async checkFile(path) {
      const info = await inspectProjectFile(root, path, { maxBytes: options.maxFileBytes });
      if (!info.ok) return info;
      if (info.size + FILE_FRAME_ENVELOPE > MAX_FILE_FRAME_BYTES)
        return { ok: false, reason: frameLimitReason(info.size) };
      // Read it once now (nothing is sent): a binary file is refused before the customer is
      // asked about something that could never be sent. It is read again after the approval.
      const probe = await readProjectFile(root, path, { redactor, maxBytes: options.maxFileBytes });
      if (!probe.ok) return probe;
      const { sensitiveReason } = info;
      return { ok: true, path: info.relPath, size: info.size, sensitive: info.sensitive, sensitiveReason };
    },

    async readFile(path) {
      const file = await readProjectFile(root, path, { redactor, maxBytes: options.maxFileBytes });
      if (!file.ok) return file;
      // One file travels in one frame; say so instead of approving and then failing to send.
      if (Buffer.byteLength(JSON.stringify(file.content)) + FILE_FRAME_ENVELOPE > MAX_FILE_FRAME_BYTES) {
        return { ok: false, reason: frameLimitReason(file.size) };
      }
      return {
        ok: true,
        path: file.relPath,
        size: file.size,
        sha256: file.sha256,
        content: file.content,
        redactions: file.redactions,
      };
    },

    openUrl: (url) => options.openUrl(url),
  };
}

function notRun(error: string): CommandOutcome {
  return { exitCode: null, signal: null, durationMs: 0, truncated: false, redactions: 0, error };
}

function frameLimitReason(size: number): string {
  const limitKb = Math.floor((MAX_FILE_FRAME_BYTES - FILE_FRAME_ENVELOPE) / 1024);
  return `the file is too large to send in a live session (${size} bytes; the limit is about ${limitKb} KB)`;
}
