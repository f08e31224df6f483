import { basename } from 'node:path';
import { reasonOf, type SessionCore } from './sessionCore';

/** The engineer's file requests: checking the file, asking, reading and uploading it. */
export function createFileApprovals(core: SessionCore) {
  const { options, dispatch, state } = core;
  const inspected = new Set<string>();

  /** Checks a requested file before the customer is asked; refuses at once what may never go. */
  async function check(requestId: string) {
    if (inspected.has(requestId)) return;
    inspected.add(requestId);
    const r = state().requests[requestId];
    if (r?.kind !== 'file' || r.status !== 'checking') return;
    const result = await options.local.checkFile(r.path);
    if (state().requests[requestId]?.status !== 'checking') return;
    if (result.ok) {
      const { size, sensitive, sensitiveReason } = result;
      dispatch({ type: 'fileChecked', requestId, size, sensitive, sensitiveReason });
      return;
    }
    // Refused without asking: the engineer sees why; the customer sees it in the chat.
    dispatch({ type: 'fileRefused', requestId, reason: result.reason });
    core.client?.send('approve_file', { requestId, approved: false, refusedReason: result.reason.slice(0, 1_000) });
  }

  async function decide(requestId: string, approved: boolean) {
    const r = state().requests[requestId];
    const c = core.client;
    if (r?.kind !== 'file' || r.status !== 'pending' || !c) return;
    dispatch({ type: 'decided', requestId, approved });
    if (!approved) {
      c.send('approve_file', { requestId, approved: false });
      return;
    }
    // Read before saying yes: if the file changed into something we refuse, the engineer
    // gets a refusal with the reason instead of an approval followed by nothing.
    const read = await options.local.readFile(r.path);
    if (!read.ok) {
      dispatch({ type: 'fileFailed', requestId, reason: read.reason });
      c.send('approve_file', { requestId, approved: false, refusedReason: read.reason.slice(0, 1_000) });
      return;
    }
    try {
      await c.send('approve_file', { requestId, approved: true }).acked;
    } catch (err) {
      dispatch({ type: 'decisionRefused', requestId, reason: reasonOf(err) });
      return;
    }
    try {
      await c.send('file_upload', {
        requestId,
        // The path as asked and approved, not the file's normalised name: the server checks
        // that the upload answers exactly what the customer said yes to.
        path: r.path,
        size: read.size,
        sha256: read.sha256,
        encoding: 'utf8',
        content: read.content,
        redactions: read.redactions,
      }).acked;
      dispatch({ type: 'fileSent', requestId, size: read.size, redactions: read.redactions });
    } catch (err) {
      dispatch({ type: 'fileFailed', requestId, reason: reasonOf(err) });
    }
  }

  /** A sensitive file is sent only when the customer typed its name (or its path) exactly. */
  function submitConfirm(requestId: string) {
    const s = state();
    const r = s.requests[requestId];
    if (r?.kind !== 'file' || r.status !== 'pending') return;
    const typed = s.confirmDraft.trim();
    if (typed && (typed === basename(r.path) || typed === r.path)) void decide(requestId, true);
    else dispatch({ type: 'confirmMismatch' });
  }

  return { check, decide, submitConfirm };
}
