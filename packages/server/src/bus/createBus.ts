import type { ServerConfig } from '../config';
import type { Bus } from './bus';
import { createMemoryBus } from './memoryBus';
import { createRedisBus } from './redisBus';

/** REDIS_URL set → Redis pub/sub (many instances); otherwise the in-process bus (one instance). */
export function createBus(config: Pick<ServerConfig, 'redisUrl'>): Bus {
  return config.redisUrl ? createRedisBus(config.redisUrl) : createMemoryBus();
}
