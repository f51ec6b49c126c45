import { DurableObject } from 'cloudflare:workers';

// The two Durable Object classes the Worker keeps its shared state in. Each object is one single-threaded
// instance in the whole world, so whatever one object decides, every isolate and location sees.

/**
 * One shard of the signed-in sessions (the Worker spreads session ids over a fixed number of shards,
 * never one global object): each session id is a key holding its expiry (epoch ms). Logout deletes it.
 * An alarm drops expired sessions, so a shard holds only live ones.
 *
 * In storage, not memory: a sign-in or a logout must outlive a reset of the object (a deploy, a crash,
 * an eviction), or a reset would sign everyone out or bring a logged-out cookie back. Each call awaits
 * one storage operation, during which the input gate lets no other call in; the output gate holds
 * an answer until its write is durable, so a logout is never answered before it is stored.
 */
export class SessionShard extends DurableObject {
  /** Records a session, live until `expiresAt`. */
  async add(id: string, expiresAt: number): Promise<void> {
    await this.ctx.storage.put(id, expiresAt);
    const alarm = await this.ctx.storage.getAlarm();
    if (alarm === null || alarm > expiresAt) await this.ctx.storage.setAlarm(expiresAt);
  }

  /** Whether the session was added, not deleted, and has not expired by `now` (the Worker's clock). */
  async has(id: string, now: number): Promise<boolean> {
    const expiresAt = await this.ctx.storage.get<number>(id);
    return expiresAt !== undefined && expiresAt > now;
  }

  /** Ends the session; an unknown one is no error. */
  async delete(id: string): Promise<void> {
    await this.ctx.storage.delete(id);
  }

  /** Drops the expired sessions and wakes again at the next expiry. */
  async alarm(): Promise<void> {
    const now = Date.now();
    const expired: string[] = [];
    let next = Infinity;
    for (const [id, expiresAt] of await this.ctx.storage.list<number>()) {
      if (expiresAt <= now) expired.push(id);
      else next = Math.min(next, expiresAt);
    }
    // The storage API deletes at most 128 keys per call.
    for (let i = 0; i < expired.length; i += 128) await this.ctx.storage.delete(expired.slice(i, i + 128));
    if (next !== Infinity) await this.ctx.storage.setAlarm(next);
  }
}

/**
 * The hit count of one limited key (one session, one address, per limit; never one global object) in
 * the current fixed window, kept in the object's memory.
 *
 * Why memory, and why that is exact: `take` has no `await`, so it runs start to end with no other call
 * in between (an object handles one event at a time; with no I/O there is nothing to gate), and every
 * isolate and location asks this one object. Storage would add a durable write to every token request
 * (billed, and the output gate holds each answer until the write is confirmed; locally it cut the
 * Worker's throughput by more than half) only to survive a reset of the object mid-window: a deploy or
 * a crash (an object idle long enough to be evicted has seen its window end). After such a reset the key
 * counts from zero again, so at most one window admits up to twice its limit. Nothing is stored, so a
 * key seen once leaves nothing behind.
 */
export class RateLimitCounter extends DurableObject {
  #windowStart = -Infinity;
  #hits = 0;

  /**
   * Counts one hit in the window that starts at `windowStart` (epoch ms) if fewer than `limit` were
   * counted in it: `true` when allowed. A hit for an earlier window (an isolate whose clock is a little
   * behind, at the turn of a window) counts in the current one, rather than starting that window over.
   */
  take(windowStart: number, limit: number): boolean {
    if (windowStart > this.#windowStart) {
      this.#windowStart = windowStart;
      this.#hits = 0;
    }
    if (this.#hits >= limit) return false; // a refused hit is not counted: the window only closes
    this.#hits++;
    return true;
  }
}
