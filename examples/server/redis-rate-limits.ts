import { RateLimiterRedis } from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';
import { BoundedMemoryCounter, type CounterFactory, type CounterSpec } from './rate-limiter';

/** The per-instance memory a Redis-backed limit falls back on; tells `onUse` each time it is used. */
class FallbackCounter extends BoundedMemoryCounter {
  constructor(
    spec: CounterSpec,
    private readonly onUse: () => void,
  ) {
    super(spec);
  }

  override consume(...args: Parameters<BoundedMemoryCounter['consume']>) {
    this.onUse();
    return super.consume(...args);
  }
}

/**
 * Counters in Redis, shared by every instance. When Redis is unreachable or slow, rate-limiter-flexible
 * counts in this instance's memory instead (its `insuranceLimiter`), so the limits still hold per
 * instance; `onFallback` hears of it (to log a warning once).
 */
export function redisCounters(redis: Redis, onFallback: () => void): CounterFactory {
  return (spec) =>
    new RateLimiterRedis({
      ...spec,
      storeClient: redis,
      // Not connected: straight to the fallback, without sending.
      rejectIfRedisNotReady: true,
      insuranceLimiter: new FallbackCounter(spec, onFallback),
    });
}
