/** The live-session client shared by the CLI and the console. Browser-safe: no zod, no Node modules. */
export * from './backoff';
export * from './browserTransport';
export type * from './clientMessages';
export * from './clock';
export * from './liveClient';
export * from './liveClientError';
export * from './liveSessionUrl';
export * from './refusals';
export * from './transport';
