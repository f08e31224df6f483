import type { StoredEvent } from '../tasks/eventLog';

/**
 * The frame every participant receives (built once per event, then cached by the task's feed):
 * JSON of {type, timestamp, payload, seq, id?}, written out around the payload's stored text
 * rather than parsing it only to serialise it again (a test holds it to JSON.stringify).
 */
export function wireOf(ev: StoredEvent): string {
  const str = JSON.stringify;
  const id = ev.clientMsgId ? `,"id":${str(ev.clientMsgId)}` : '';
  return `{"type":${str(ev.type)},"timestamp":${str(ev.timestamp)},"payload":${ev.payloadJson},"seq":${ev.seq}${id}}`;
}
