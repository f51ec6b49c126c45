import { Redis } from 'ioredis';
import type { RedisOutage } from './redis-outage';

/** Longest a Redis command may take before the request falls back (limits) or answers 503 (sessions). */
export const REDIS_COMMAND_TIMEOUT_MS = 500;

/**
 * An ioredis client that never makes a request wait on Redis for long and never crashes the process:
 * while disconnected a command fails at once instead of queueing, a slow one fails after
 * {@link REDIS_COMMAND_TIMEOUT_MS}, a socket silent for as long is dropped (so a hung Redis costs the
 * requests in flight, not every request after them), and the client keeps reconnecting in the
 * background, so the service heals as soon as Redis is back. Each outage is told to `outage` (which logs it once).
 */
export function connectRedis(url: string, outage: RedisOutage): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    // A command in flight when the connection drops gets one reconnect to finish, then fails.
    maxRetriesPerRequest: 1,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    // A hung Redis (SIGSTOP, a frozen VM) keeps its socket open: without this, every later command would
    // wait out its own timeout. Dropped, the client reconnects and commands fail at once until it is ready.
    socketTimeout: REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: 2_000,
    // Forever, at most every 2 s: giving up would leave the instance on its fallbacks until restarted.
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
    // Concurrent requests share a round trip; throughput under load depends on it.
    enableAutoPipelining: true,
  });
  // Each failed reconnect is an 'error' event: heard once per outage here, not printed by ioredis each time.
  redis.on('error', (error: Error) => outage.down(error.message));
  redis.on('close', () => outage.down('connection closed'));
  redis.on('ready', () => outage.up());
  return redis;
}

/** Resolves when the client is ready or after `timeoutMs`, whichever is first; never rejects. */
export function whenReady(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (isReady: boolean) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      resolve(isReady);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    redis.on('ready', onReady);
  });
}
