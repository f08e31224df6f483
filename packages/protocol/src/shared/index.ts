/**
 * The zod-free part of the protocol that the browser and the CLI load: limits, the redaction
 * marker, close codes, the status → error code mapping, the request lifecycle and the session
 * fold, and the renderer for untrusted text. Nothing here may import zod at run time (a test checks it).
 */

export type { EventPayload, PersistedEvent } from '../serverEvents';
export * from './closeCodes';
export * from './commandCwd';
export * from './exhaustive';
export * from './limits';
export * from './messageTypes';
export * from './redaction';
export * from './requestLifecycle';
export * from './sessionFigures';
export * from './sessionFold';
export * from './statusCodes';
export * from './untrustedText';
