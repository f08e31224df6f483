import type { EngineerRequest } from '@codevf/protocol/shared';
import { formatCountdown, formatDuration, msUntil, plural } from '../lib/format';

/** What a request's badge says, given the time now: one place for the wording of every state. */
export interface RequestStatus {
  label: string;
  tone: 'waiting' | 'running' | 'good' | 'bad' | 'neutral';
  /** `m:ss` left before the request expires, while the customer has not answered. */
  countdown?: string;
  /** Extra facts to list under the output (redactions, truncation, duration). */
  notes: string[];
}

export function requestStatus(r: EngineerRequest, now: number): RequestStatus {
  const notes: string[] = [];
  switch (r.state) {
    case 'pending': {
      if (!r.expiresAt) return { label: 'Waiting for the customer', tone: 'waiting', notes };
      const left = msUntil(r.expiresAt, now);
      return left > 0
        ? { label: 'Waiting for the customer', tone: 'waiting', countdown: formatCountdown(left), notes }
        : // The server decides expiry; until it says so the request may still be answered.
          { label: 'Expiring…', tone: 'waiting', countdown: formatCountdown(0), notes };
    }
    case 'approved': {
      const label =
        r.kind === 'command'
          ? r.underAllowance
            ? 'Approved by the session allowance, starting…'
            : r.scope === 'session'
              ? 'Approved for this session, starting…'
              : 'Approved, starting…'
          : 'Approved, uploading…';
      return { label, tone: 'running', notes };
    }
    case 'running':
      return {
        label: r.kind === 'command' && r.underAllowance ? 'Running (session allowance)…' : 'Running…',
        tone: 'running',
        notes,
      };
    case 'denied':
      return {
        label: r.refusedReason ? `Refused: ${r.refusedReason}` : 'Denied by the customer',
        tone: 'bad',
        notes,
      };
    case 'expired':
      return { label: 'Expired: no answer in time (counts as denied)', tone: 'bad', notes };
    case 'unanswered':
      return { label: 'Not answered before the session ended', tone: 'neutral', notes };
    case 'completed': {
      if (r.kind === 'file') {
        const f = r.file;
        if (f && f.redactions > 0) notes.push(`${plural(f.redactions, 'value')} redacted by the customer's side`);
        return { label: 'File received', tone: 'good', notes };
      }
      const res = r.result;
      if (r.underAllowance)
        notes.push('Ran without asking, under the session-wide allowance the customer gave earlier');
      else if (r.scope === 'session') notes.push('The customer allowed this exact command for the rest of the session');
      if (!res) return { label: 'Finished', tone: 'neutral', notes };
      if (res.redactions > 0) notes.push(`${plural(res.redactions, 'value')} redacted by the customer's side`);
      if (res.truncated) notes.push("Output truncated by the customer's side");
      if (res.durationMs > 0)
        notes.push(`Ran for ${res.durationMs < 1000 ? `${res.durationMs} ms` : formatDuration(res.durationMs / 1000)}`);
      if (res.error) return { label: `Could not run: ${res.error}`, tone: 'bad', notes };
      if (res.exitCode === null) {
        return { label: res.signal ? `Stopped by ${res.signal}` : 'Stopped', tone: 'bad', notes };
      }
      return { label: `Exit code ${res.exitCode}`, tone: res.exitCode === 0 ? 'good' : 'bad', notes };
    }
  }
}
