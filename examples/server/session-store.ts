/**
 * Where the server keeps the sessions that are signed in, so that logging out really ends one: the
 * signed cookie alone would stay valid until it expires, even when copied before logout. Methods may
 * answer synchronously or with a promise, so a shared store (Redis) can stand behind the same calls.
 */
export interface SessionStore {
  /** Records a new session, live until `expiresAt` (epoch ms). */
  add(id: string, expiresAt: number): void | Promise<void>;
  /** Whether the session was added, is not deleted and has not expired. */
  has(id: string): boolean | Promise<boolean>;
  /** Ends the session; deleting an unknown one is no error. */
  delete(id: string): void | Promise<void>;
}

/**
 * The embedded default: sessions in this process's memory, lost on restart (everyone signs in
 * again). Bounded: past `maxSessions`, expired sessions are dropped, then the oldest live ones.
 */
export class MemorySessionStore implements SessionStore {
  readonly #expiry = new Map<string, number>();

  constructor(
    private readonly now: () => number = Date.now,
    readonly maxSessions = 100_000,
  ) {}

  get size(): number {
    return this.#expiry.size;
  }

  add(id: string, expiresAt: number): void {
    this.#expiry.delete(id);
    if (this.#expiry.size >= this.maxSessions) this.#prune();
    this.#expiry.set(id, expiresAt);
  }

  has(id: string): boolean {
    const expiresAt = this.#expiry.get(id);
    if (expiresAt === undefined) return false;
    if (expiresAt > this.now()) return true;
    this.#expiry.delete(id);
    return false;
  }

  delete(id: string): void {
    this.#expiry.delete(id);
  }

  #prune() {
    // Every session lives as long, so insertion order is expiry order: the expired ones come first.
    const now = this.now();
    for (const [id, expiresAt] of this.#expiry) {
      if (expiresAt > now) break;
      this.#expiry.delete(id);
    }
    while (this.#expiry.size >= this.maxSessions) {
      this.#expiry.delete(this.#expiry.keys().next().value as string);
    }
  }
}
