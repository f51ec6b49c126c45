import { RateLimiterRedis } from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';
import { BoundedMemoryCounter, type CounterFactory } from './rate-limiter';

/**
 * A counter in Redis that counts in this instance's memory whenever Redis fails it, and tells
 * `onResult` after every call whether Redis answered (with no error) or failed (with the error), so an
 * outage can be told apart from a Redis that answers reads but refuses these writes.
 */
class RedisCounterWithFallback {
  constructor(
    private readonly inRedis: RateLimiterRedis,
    private readonly fallback: BoundedMemoryCounter,
    private readonly onResult: (error?: unknown) => void,
  ) {}

  async consume(key: string): Promise<unknown> {
    let result: unknown;
    try {
      result = await this.inRedis.consume(key);
    } catch (rejection) {
      // Over the limit, rate-limiter-flexible rejects with its result: Redis answered.
      if (!(rejection instanceof Error)) {
        this.onResult();
        throw rejection;
      }
      this.onResult(rejection);
      return this.fallback.consume(key);
    }
    this.onResult();
    return result;
  }
}

/**
 * Counters in Redis, shared by every instance. When Redis is unreachable, slow or refuses the update,
 * the count goes on in this instance's memory, so the limits still hold per instance; `onResult` hears
 * of every success (no argument) and failure (the error), to log trouble once and its end.
 */
export function redisCounters(redis: Redis, onResult: (error?: unknown) => void): CounterFactory {
  return (spec) =>
    new RedisCounterWithFallback(
      // Not connected: straight to the fallback, without sending.
      new RateLimiterRedis({ ...spec, storeClient: redis, rejectIfRedisNotReady: true }),
      new BoundedMemoryCounter(spec),
      onResult,
    );
}
