import type { FastifyBaseLogger } from 'fastify';
import type { BlobStore } from './blobs/blobStore';
import type { Bus } from './bus/bus';
import type { Clock } from './clock';
import type { ServerConfig } from './config';
import type { Storage } from './storage/storage';

/** Everything a route or background job needs, built once per server and passed explicitly. */
export interface AppContext {
  config: ServerConfig;
  storage: Storage;
  clock: Clock;
  bus: Bus;
  blobs: BlobStore;
  log: FastifyBaseLogger;
}
