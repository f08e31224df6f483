/**
 * The names of the persisted event types, without their schemas, so that zod-free code can tell
 * a known event from an unknown one. serverEvents.ts holds one schema for each (checked there).
 */
export const PERSISTED_TYPES = [
  'task_status',
  'engineer_connected',
  'engineer_disconnected',
  'customer_connected',
  'customer_disconnected',
  'engineer_message',
  'customer_message',
  'request_command',
  'approve_command',
  'command_output',
  'command_result',
  'request_file',
  'approve_file',
  'file_upload',
  'screenshare_request',
  'request_expired',
  'billing_update',
  'session_end',
  'handoff',
  'guide_message',
] as const;
export type PersistedType = (typeof PERSISTED_TYPES)[number];

export function isPersistedType(type: string): type is PersistedType {
  return (PERSISTED_TYPES as readonly string[]).includes(type);
}
