import type { RateLimiterAbstract } from 'rate-limiter-flexible';
// The deep path, not the package root: the root also loads the cluster and database limiters, which
// need Node built-ins, and this module must run on an edge runtime too.
import RateLimiterMemory from 'rate-limiter-flexible/lib/RateLimiterMemory.js';

/** Answer of {@link RateLimiter.take}: allowed, or how long to wait. */
export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** What a counter store is built from: rate-limiter-flexible's own options. */
export interface CounterSpec {
  /** Keeps the limits apart in a shared store: `ttl:rate:session`, `ttl:rate:address`, `ttl:rate:login`. */
  keyPrefix: string;
  /** Hits allowed per key and window. */
  points: number;
  /** Seconds a key lives in the store: at least the window. */
  duration: number;
}

/**
 * What a {@link RateLimiter} counts with: rate-limiter-flexible's `consume`, which resolves within the
 * limit, rejects with its result (not an `Error`) past it, and rejects with an `Error` when the store fails.
 */
export type Counter = Pick<RateLimiterAbstract, 'consume'> | { consume(key: string): Promise<unknown> };

/**
 * Builds the counters behind a {@link RateLimiter}: in this process's memory ({@link memoryCounters},
 * the default) or in a store every instance shares (Redis, see `redis-rate-limits.ts`).
 */
export type CounterFactory = (spec: CounterSpec) => Counter;

/**
 * rate-limiter-flexible's memory limiter with a bounded key table: past `maxKeys` the oldest key is
 * forgotten (its count starts again) rather than memory growing with every address an attacker uses.
 * Keys name a window (see {@link RateLimiter}), so the oldest are those of past windows.
 */
export class BoundedMemoryCounter extends RateLimiterMemory {
  readonly #keys = new Set<string>();

  constructor(
    spec: CounterSpec,
    readonly maxKeys = 10_000,
  ) {
    super(spec);
  }

  override consume(key: string | number, points?: number, options?: { [key: string]: unknown }) {
    const name = String(key);
    if (!this.#keys.has(name)) {
      this.#keys.add(name);
      if (this.#keys.size > this.maxKeys) {
        const oldest = this.#keys.values().next().value as string;
        this.#keys.delete(oldest);
        void this.delete(oldest);
      }
    }
    return super.consume(key, points, options);
  }
}

/** The embedded default: counters in this process's memory, bounded. */
export const memoryCounters: CounterFactory = (spec) => new BoundedMemoryCounter(spec);

/**
 * At most `limit` hits per key (a session or an address) in each fixed window of `windowMs`. The
 * windows follow the app's clock (`now`) and start at multiples of `windowMs`, so every instance that
 * shares a store counts into the same window; the store only counts and forgets old windows.
 */
export class RateLimiter {
  readonly #counters: Counter;

  constructor(
    readonly name: string,
    readonly limit: number,
    readonly windowMs: number,
    counters: CounterFactory = memoryCounters,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(windowMs) || windowMs < 1000) throw new Error(`windowMs must be a whole number of ms, at least 1000, not ${windowMs}`);
    // 0 (`Number('')`) would refuse every request; NaN fails inside rate-limiter-flexible without a name.
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`the ${name} limit must be a whole number of requests, at least 1, not ${String(limit)}`);
    this.#counters = counters({ keyPrefix: `ttl:rate:${name}`, points: limit, duration: Math.ceil(windowMs / 1000) });
  }

  /** Counts one hit for `key` (a session id or an address): allowed, or how many seconds to wait. */
  async take(key: string): Promise<RateDecision> {
    const now = this.now();
    const windowStart = Math.floor(now / this.windowMs) * this.windowMs;
    try {
      await this.#counters.consume(`${key}@${windowStart}`);
      return { allowed: true };
    } catch (rejection) {
      // A store failure with no fallback; over the limit, rate-limiter-flexible rejects with its result.
      if (rejection instanceof Error) throw rejection;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((windowStart + this.windowMs - now) / 1000)) };
    }
  }
}
