import type { ServerConfig } from './config';
import { memoryCounters, type CounterFactory } from './rate-limiter';
import { connectRedis, whenReady } from './redis-client';
import { RedisOutage } from './redis-outage';
import { redisCounters } from './redis-rate-limits';
import { MemorySessionStore, RedisSessionStore, type SessionStore } from './session-store';

/** Where one instance keeps its rate limits and sessions; pass both to `createApp`. Node only. */
export interface Stores {
  sessions: SessionStore;
  rateLimitStore: CounterFactory;
  /** Resolves `true` once the stores answer, or `false` after `timeoutMs`; memory is ready at once. */
  ready(timeoutMs?: number): Promise<boolean>;
  /** Closes the Redis connection, if any. */
  close(): Promise<void>;
}

/**
 * With `REDIS_URL` (`config.redisUrl`), rate limits and sessions in Redis, shared by every instance;
 * without it, in this process's memory. When Redis goes away the limits count in memory and session
 * checks fail with a 503; `log` gets one warning per outage (at most one a minute of each kind: Redis
 * unreachable, or refusing rate-limit or session commands) and a line when it is over.
 */
export function createStores(config: ServerConfig, options: { log: (line: string) => void; now?: () => number }): Stores {
  const now = options.now ?? Date.now;
  if (!config.redisUrl) {
    return { sessions: new MemorySessionStore(now), rateLimitStore: memoryCounters, ready: async () => true, close: async () => {} };
  }
  const outage = new RedisOutage(options.log, now);
  const redis = connectRedis(config.redisUrl, outage);
  return {
    sessions: new RedisSessionStore(redis, {
      now,
      // A failed write says nothing about reads, and a working read nothing about writes: kinds apart.
      onReachable: (isReachable, error) => (isReachable ? outage.succeeded('sessions') : outage.failed('sessions', error)),
    }),
    rateLimitStore: redisCounters(redis, (error) => (error === undefined ? outage.succeeded('rate-limits') : outage.failed('rate-limits', error))),
    ready: (timeoutMs = 5_000) => whenReady(redis, timeoutMs),
    close: async () => {
      outage.mute();
      // QUIT fails when not connected (no offline queue): then just drop the socket.
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
