/** Answer of {@link RateLimiter.take}: allowed, or how long to wait. */
export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * A fixed-window counter per key (a session or an address): at most `limit` hits per `windowMs`.
 * Memory stays bounded: expired windows are dropped once the table grows past `maxKeys`.
 */
export class RateLimiter {
  readonly #windows = new Map<string, { startedAt: number; count: number }>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 10_000,
  ) {}

  take(key: string): RateDecision {
    const now = this.now();
    let window = this.#windows.get(key);
    if (!window || now - window.startedAt >= this.windowMs) {
      if (!window && this.#windows.size >= this.maxKeys) this.#prune(now);
      window = { startedAt: now, count: 0 };
      this.#windows.set(key, window);
    }
    if (window.count >= this.limit) {
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((window.startedAt + this.windowMs - now) / 1000)) };
    }
    window.count += 1;
    return { allowed: true };
  }

  #prune(now: number) {
    for (const [key, window] of this.#windows) {
      if (now - window.startedAt >= this.windowMs) this.#windows.delete(key);
    }
    // Still full of live windows: forget the oldest rather than grow without bound.
    while (this.#windows.size >= this.maxKeys) {
      const oldest = this.#windows.keys().next().value as string;
      this.#windows.delete(oldest);
    }
  }
}
