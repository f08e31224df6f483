import type { CommandRequest, SessionState } from '../ui/sessionState';
import type { ApprovalPolicy } from './approvalPolicy';
import { createOutputSender } from './outputSender';
import { reasonOf, type SessionCore } from './sessionCore';

export type CommandChoice = 'once' | 'session' | 'deny';

/** The engineer's command requests: deciding, running approved ones, reporting their results. */
export function createCommandApprovals(core: SessionCore, policy: ApprovalPolicy) {
  const { options, dispatch, state } = core;

  /**
   * A new request: its working directory (if any) is checked first, and refused without asking
   * when it is not a folder inside the project; then a request the customer allowed for the
   * session (same command, folder and time limit) runs without asking.
   */
  async function onRequest(requestId: string | undefined, before: SessionState) {
    if (!requestId || before.requests[requestId]) return;
    let r = state().requests[requestId];
    if (r?.kind !== 'command') return;
    if (r.status === 'checking' && r.cwd !== undefined) {
      const dir = await options.local.checkDir(r.cwd);
      if (state().requests[requestId]?.status !== 'checking') return;
      if (!dir.ok) {
        dispatch({ type: 'commandRefused', requestId, reason: dir.reason });
        core.client?.send('approve_command', {
          requestId,
          approved: false,
          refusedReason: dir.reason.slice(0, 1_000),
        });
        return;
      }
      dispatch({ type: 'commandChecked', requestId });
      r = state().requests[requestId];
    }
    if (r?.kind === 'command' && r.status === 'pending' && policy.isCommandAllowed(r)) {
      await decide(r.requestId, 'session', true);
    }
  }

  async function decide(requestId: string, choice: CommandChoice, auto = false) {
    const r = state().requests[requestId];
    const client = core.client;
    if (r?.kind !== 'command' || r.status !== 'pending' || !client) return;
    const approved = choice !== 'deny';
    const scope = approved ? choice : undefined;
    if (choice === 'session') policy.allowCommandForSession(r);
    dispatch({ type: 'decided', requestId, approved, scope: scope as 'once' | 'session' | undefined, auto });
    if (auto)
      core.system(
        `Ran without asking (you allowed this exact command for the session): ${r.command}${r.cwd !== undefined ? ` (in ${r.cwd})` : ''}`,
        'info',
      );
    try {
      await client.send('approve_command', { requestId, approved, ...(scope ? { scope } : {}) }).acked;
    } catch (err) {
      // Fail closed: nothing runs unless the server accepted the approval.
      dispatch({ type: 'decisionRefused', requestId, reason: reasonOf(err) });
      return;
    }
    if (approved) await run(r);
  }

  async function run(r: CommandRequest) {
    const c = core.client;
    if (!c) return;
    dispatch({ type: 'commandStarted', requestId: r.requestId });
    const sender = createOutputSender((stream, data) => {
      c.send('command_output', { requestId: r.requestId, stream, data });
    });
    const outcome = await options.local.runCommand(
      r.command,
      (stream, data) => {
        sender.write(stream, data);
        dispatch({ type: 'commandOutput', requestId: r.requestId, data });
      },
      core.signal,
      {
        ...(r.cwd !== undefined ? { cwd: r.cwd } : {}),
        ...(r.timeoutSeconds !== undefined ? { timeoutSeconds: r.timeoutSeconds } : {}),
      },
    );
    sender.end();
    c.send('command_result', {
      requestId: r.requestId,
      exitCode: outcome.exitCode,
      signal: outcome.signal,
      durationMs: Math.round(outcome.durationMs),
      truncated: outcome.truncated,
      redactions: outcome.redactions,
      ...(outcome.timedOut ? { timedOut: true } : {}),
      ...(outcome.error ? { error: outcome.error.slice(0, 1_000) } : {}),
    });
    dispatch({ type: 'commandFinished', requestId: r.requestId, ...outcome });
  }

  /**
   * After a restart, a command that was approved in the previous run but never reported a
   * result will not finish by itself: report it as interrupted so the engineer is not left
   * waiting. It is never run again without a new request and a new approval.
   */
  function settleInterrupted() {
    for (const r of Object.values(state().requests)) {
      if (r.kind === 'command' && (r.status === 'approved' || r.status === 'running') && !r.ranHere) {
        const outcome = {
          exitCode: null,
          signal: null,
          durationMs: 0,
          truncated: false,
          redactions: 0,
          error: 'The CodeVF CLI stopped before the command finished; it was not run again.',
        };
        core.client?.send('command_result', { requestId: r.requestId, ...outcome });
        dispatch({ type: 'commandFinished', requestId: r.requestId, ...outcome });
      }
    }
  }

  return { onRequest, decide, settleInterrupted };
}
