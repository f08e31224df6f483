import { type EventPayload, MAX_CHAT_CHARS } from '@codevf/protocol';
import type { StoredEvent } from './eventLog';

/** How much of each part the summary keeps: a human reads it first, before the transcript. */
const DESCRIPTION_CHARS = 600;
const LINE_CHARS = 300;
const CUSTOMER_LINES = 5;
const REQUEST_LINES = 10;

function clip(text: string, max: number): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length <= max ? one : `${one.slice(0, max - 1)}…`;
}

interface RequestNote {
  what: string;
  outcome: string;
}

/**
 * A hand-over summary written by the server from the transcript, for when the model cannot
 * write its own (it failed, its budget ran out, the customer asked for a human): the task,
 * what the customer said, the AI's requests and what became of them, and the AI's last words.
 * Plain text; every part is quoted from the transcript, never interpreted.
 */
export function serverSummary(
  events: readonly Pick<StoredEvent, 'type' | 'payloadJson'>[],
  task: { description: string },
): string {
  const said: string[] = [];
  const requests = new Map<string, RequestNote>();
  let lastAi: string | null = null;
  for (const e of events) {
    const p = JSON.parse(e.payloadJson) as Record<string, unknown>;
    switch (e.type) {
      case 'customer_message':
        said.push(clip((p as EventPayload<'customer_message'>).text, LINE_CHARS));
        break;
      case 'engineer_message':
        lastAi = (p as EventPayload<'engineer_message'>).text;
        break;
      case 'request_command': {
        const r = p as EventPayload<'request_command'>;
        requests.set(r.requestId, { what: `run \`${clip(r.command, LINE_CHARS)}\``, outcome: 'no answer yet' });
        break;
      }
      case 'request_file': {
        const r = p as EventPayload<'request_file'>;
        requests.set(r.requestId, { what: `read ${clip(r.path, LINE_CHARS)}`, outcome: 'no answer yet' });
        break;
      }
      case 'approve_command':
      case 'approve_file': {
        const d = p as EventPayload<'approve_file'>;
        const note = requests.get(d.requestId);
        if (note) note.outcome = d.approved ? 'approved' : d.refusedReason ? 'refused by the CLI' : 'denied';
        break;
      }
      case 'command_result': {
        const r = p as EventPayload<'command_result'>;
        const note = requests.get(r.requestId);
        if (!note) break;
        note.outcome = r.error
          ? 'approved, could not run'
          : r.timedOut
            ? 'approved, timed out'
            : `approved, exit code ${r.exitCode ?? `none (${r.signal ?? 'killed'})`}`;
        break;
      }
      case 'file_upload': {
        const note = requests.get((p as EventPayload<'file_upload'>).requestId);
        if (note) note.outcome = 'approved, sent';
        break;
      }
      case 'request_expired': {
        const note = requests.get((p as EventPayload<'request_expired'>).requestId);
        if (note) note.outcome = 'expired (counts as denied)';
        break;
      }
    }
  }
  const lines = [
    'Summary written by the server from the transcript.',
    `Task: ${clip(task.description, DESCRIPTION_CHARS)}`,
  ];
  if (said.length > 0) {
    const shown = said.slice(-CUSTOMER_LINES);
    lines.push(
      said.length > shown.length ? `Customer said (last ${shown.length} of ${said.length}):` : 'Customer said:',
    );
    for (const s of shown) lines.push(`- ${s}`);
  } else lines.push('Customer said: nothing yet.');
  const asked = [...requests.values()];
  if (asked.length > 0) {
    const shown = asked.slice(-REQUEST_LINES);
    lines.push(asked.length > shown.length ? `AI requests (last ${shown.length} of ${asked.length}):` : 'AI requests:');
    for (const r of shown) lines.push(`- ${r.what}: ${r.outcome}`);
  } else lines.push('AI requests: none.');
  lines.push(lastAi === null ? 'Last AI message: none.' : `Last AI message: ${clip(lastAi, LINE_CHARS * 2)}`);
  // The parts' limits keep it well under the event's limit; the cut is a guarantee, not a layout.
  const text = lines.join('\n');
  return text.length <= MAX_CHAT_CHARS ? text : `${text.slice(0, MAX_CHAT_CHARS - 1)}…`;
}
