import type { FastifyBaseLogger } from 'fastify';
import type { BlobStore } from './blobs/blobStore';
import type { Bus } from './bus/bus';
import type { Clock } from './clock';
import type { ServerConfig } from './config';
import type { Storage } from './storage/storage';
import type { StoredEvent } from './tasks/eventLog';

/**
 * Where committed events go: to this instance's sockets at once and to other instances via the
 * bus. Services never call it themselves: every task transaction hands its events here after
 * its commit (see withTaskLock), so no change to a task can go unannounced.
 */
export interface EventPublisher {
  publish(taskId: string, events: readonly StoredEvent[]): void;
}

/** Everything a route or background job needs, built once per server (buildApp) and passed explicitly. */
export interface AppContext {
  config: ServerConfig;
  storage: Storage;
  clock: Clock;
  bus: Bus;
  blobs: BlobStore;
  log: FastifyBaseLogger;
  events: EventPublisher;
}
