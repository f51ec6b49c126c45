import { DurableObject } from 'cloudflare:workers';

// The two Durable Object classes the Worker keeps its shared state in. Each object is one single-threaded
// instance in the whole world, so whatever one object decides, every isolate and location sees.
//
// Why storage and not only memory: the storage API's input gate lets no other call into the object
// while one awaits a storage read, so "read, compare, write" below is atomic without locks; its output
// gate holds each answer back until the writes it made are durable. An object that is evicted or reset
// (a deploy, a crash) therefore forgets no sign-in and no counted hit. Reads are served from the
// object's in-memory cache after the first, so the storage costs a write, not a round trip.

/**
 * One shard of the signed-in sessions (the Worker spreads session ids over a fixed number of shards,
 * never one global object): each session id is a key holding its expiry (epoch ms). Logout deletes it.
 * An alarm drops expired sessions, so a shard holds only live ones.
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

/** What a {@link RateLimitCounter} keeps: the hits of the current window only. */
interface WindowCount {
  window: string;
  hits: number;
  endsAt: number;
}

/**
 * The hit count of one limited key (one session, one address, per limit; never one global object),
 * for the current fixed window. An alarm deletes the count once its window is over, so an address seen
 * once leaves nothing behind.
 */
export class RateLimitCounter extends DurableObject {
  /**
   * Counts one hit in `window` (which ends at `endsAt`, epoch ms) if fewer than `limit` were counted:
   * `true` when allowed. A refused hit is not counted (the window only closes).
   */
  async take(window: string, limit: number, endsAt: number): Promise<boolean> {
    const current = await this.ctx.storage.get<WindowCount>('count');
    const hits = current?.window === window ? current.hits : 0;
    if (hits >= limit) return false;
    const isNewWindow = current?.window !== window;
    // Not awaited one by one: the output gate holds this answer until both writes are durable.
    const writes = [this.ctx.storage.put<WindowCount>('count', { window, hits: hits + 1, endsAt })];
    if (isNewWindow) writes.push(this.ctx.storage.setAlarm(endsAt));
    await Promise.all(writes);
    return true;
  }

  async alarm(): Promise<void> {
    const current = await this.ctx.storage.get<WindowCount>('count');
    // A later window may have begun since this alarm was set: keep it, and wake when it is over.
    if (current && current.endsAt > Date.now()) await this.ctx.storage.setAlarm(current.endsAt);
    else await this.ctx.storage.deleteAll();
  }
}
