import type { ServerMessage } from '@codevf/protocol';
import { unhandled } from '@codevf/protocol/shared';
import type { CommandRequest, FileRequest, SessionState } from './sessionState';
import {
  addEntry,
  addRequest,
  addSystem,
  deadlineOf,
  decided,
  endWith,
  expired,
  onAck,
  tail,
  updateCommand,
  updateFile,
  updateRequest,
} from './sessionUpdates';

/**
 * Folds one frame from the server into the live screen's state. Every server message type has
 * its case: a new one fails the typecheck here until it is handled.
 */
export function foldFrame(state: SessionState, f: ServerMessage, now: number): SessionState {
  // Countdowns of a request that just arrived start from now, not from the last tick.
  if (now > state.now) state = { ...state, now };
  if (f.seq !== undefined) {
    if (f.seq <= state.lastSeq) return state;
    state = { ...state, lastSeq: f.seq };
  }
  switch (f.type) {
    case 'welcome': {
      const p = f.payload;
      const serverNow = Date.parse(f.timestamp);
      return {
        ...state,
        taskId: p.taskId,
        status: p.status,
        replayUntil: p.lastSeq,
        skewMs: Number.isNaN(serverNow) ? 0 : serverNow - now,
        phase: state.phase === 'starting' ? 'live' : state.phase,
      };
    }
    case 'task_status': {
      const p = f.payload;
      return {
        ...state,
        status: p.status,
        queue:
          p.status === 'queued' ? { position: p.queuePosition, estimatedWaitSeconds: p.estimatedWaitSeconds } : null,
        askKeepWaiting: p.status === 'queued' ? state.askKeepWaiting : false,
      };
    }
    case 'engineer_connected': {
      const p = f.payload;
      const again = state.engineer?.id === p.engineer.id;
      const title = p.engineer.title ? ` (${p.engineer.title})` : '';
      return addSystem(
        { ...state, engineer: { ...p.engineer, online: true }, status: 'active', queue: null, askKeepWaiting: false },
        f.timestamp,
        again ? `${p.engineer.name} is back.` : `Engineer connected: ${p.engineer.name}${title}`,
        'ok',
      );
    }
    case 'engineer_disconnected': {
      if (!state.engineer) return state;
      return addSystem(
        { ...state, engineer: { ...state.engineer, online: false } },
        f.timestamp,
        `${state.engineer.name} lost the connection; waiting for them to come back.`,
        'warn',
      );
    }
    case 'customer_connected':
    case 'customer_disconnected':
      // The customer's own presence, as the engineer sees it: nothing to show here.
      return state;
    case 'engineer_message': {
      const p = f.payload;
      return addEntry(state, {
        kind: 'message',
        key: `seq:${f.seq ?? state.entries.length}`,
        at: f.timestamp,
        who: 'engineer',
        name: state.engineer?.name ?? 'Engineer',
        text: p.text,
        redactions: 0,
        seq: f.seq,
      });
    }
    case 'customer_message': {
      const p = f.payload;
      // Our own message coming back: already on screen if this process sent it.
      if (f.seq !== undefined && state.entries.some((e) => e.kind === 'message' && e.seq === f.seq)) return state;
      if (f.id && state.entries.some((e) => e.kind === 'message' && e.localId === f.id)) {
        return onAck(state, f.id, f.seq ?? null);
      }
      return addEntry(state, {
        kind: 'message',
        key: `seq:${f.seq ?? state.entries.length}`,
        at: f.timestamp,
        who: 'customer',
        name: 'You',
        text: p.text,
        redactions: p.redactions ?? 0,
        seq: f.seq,
      });
    }
    case 'request_command': {
      const p = f.payload;
      if (state.requests[p.requestId]) return state;
      const req: CommandRequest = {
        kind: 'command',
        requestId: p.requestId,
        command: p.command,
        reason: p.reason,
        deadline: deadlineOf(p.expiresAt, state.skewMs),
        status: 'pending',
        outputTail: '',
        outputBytes: 0,
        ranHere: false,
      };
      return addRequest(state, req);
    }
    case 'request_file': {
      const p = f.payload;
      if (state.requests[p.requestId]) return state;
      const req: FileRequest = {
        kind: 'file',
        requestId: p.requestId,
        path: p.path,
        reason: p.reason,
        deadline: deadlineOf(p.expiresAt, state.skewMs),
        status: 'checking',
      };
      return addRequest(state, req);
    }
    case 'approve_command': {
      // Our decision as stored by the server (replayed after a restart, or echoed live).
      const p = f.payload;
      return updateCommand(state, p.requestId, (r) => {
        const status = decided(r, p.approved);
        return status ? { ...r, status, scope: p.scope } : r;
      });
    }
    case 'approve_file': {
      const p = f.payload;
      return updateFile(state, p.requestId, (r) => {
        const status = decided(r, p.approved);
        if (!status) return r;
        return p.refusedReason ? { ...r, status: 'refused', refusedReason: p.refusedReason } : { ...r, status };
      });
    }
    case 'command_output': {
      const p = f.payload;
      const r = state.requests[p.requestId];
      if (r?.kind !== 'command' || r.ranHere) return state;
      return updateCommand(state, p.requestId, (c) => ({
        ...c,
        status: c.status === 'completed' ? c.status : 'running',
        outputTail: tail(c.outputTail + p.data),
        outputBytes: c.outputBytes + Buffer.byteLength(p.data),
      }));
    }
    case 'command_result': {
      const p = f.payload;
      const r = state.requests[p.requestId];
      if (r?.kind !== 'command' || r.ranHere) return state;
      return updateCommand(state, p.requestId, (c) => ({
        ...c,
        status: p.error ? 'failed' : 'completed',
        exitCode: p.exitCode,
        signal: p.signal ?? null,
        durationMs: p.durationMs,
        truncated: p.truncated,
        timedOut: p.timedOut,
        redactions: p.redactions,
        error: p.error,
      }));
    }
    case 'file_upload': {
      const p = f.payload;
      return updateFile(state, p.requestId, (r) =>
        r.status === 'completed' ? r : { ...r, status: 'completed', size: p.size, redactions: p.redactions },
      );
    }
    case 'request_expired': {
      const p = f.payload;
      return updateRequest(state, p.requestId, expired);
    }
    case 'screenshare_request': {
      const p = f.payload;
      return addSystem(
        { ...state, screenshare: { url: p.url, opened: false } },
        f.timestamp,
        `Engineer requests screenshare: ${p.url}`,
        'info',
      );
    }
    case 'billing_update': {
      const p = f.payload;
      const lowBalance = p.warning === 'low_balance';
      const next = { ...state, billing: { ...p, lowBalance: lowBalance || (state.billing?.lowBalance ?? false) } };
      if (lowBalance && !state.billing?.lowBalance) {
        return addSystem(next, f.timestamp, `Low balance: ${p.balance} credits left.`, 'warn');
      }
      return next;
    }
    case 'session_end': {
      const p = f.payload;
      return endWith(state, { endedBy: p.endedBy, reason: p.reason, ...p.summary });
    }
    case 'error': {
      const p = f.payload;
      return { ...state, notice: { text: p.message, tone: 'error' } };
    }
    case 'ack':
      // The session client settles acks (the `ack` action); the frame itself changes nothing here.
      return state;
    default:
      return unhandled(f, state);
  }
}
