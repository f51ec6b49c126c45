import type { Redis } from 'ioredis';

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
 * The store cannot say whether a session is live (a shared store is unreachable). The app answers 503
 * with `Retry-After`: never a token for a session that may have logged out, never a 500.
 */
export class SessionStoreUnavailableError extends Error {
  override readonly name = 'SessionStoreUnavailableError';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Guard that survives duplicate bundles: checks the name as well as the class. */
export const isSessionStoreUnavailable = (error: unknown): error is SessionStoreUnavailableError =>
  error instanceof SessionStoreUnavailableError || (error instanceof Error && error.name === 'SessionStoreUnavailableError');

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

/** The three commands {@link RedisSessionStore} sends; an ioredis client has them. */
export type SessionRedis = Pick<Redis, 'set' | 'exists' | 'del'>;

/** Options of {@link RedisSessionStore}. */
export interface RedisSessionStoreOptions {
  /** The app's clock, for the keys' TTL. @default Date.now */
  now?: () => number;
  /** @default 'ttl:session:' */
  keyPrefix?: string;
  /** What a 503 tells the client to wait. @default 5 */
  retryAfterSeconds?: number;
  /** Hears whether each command reached Redis (to log an outage once, and its end). */
  onReachable?: (isReachable: boolean, error?: unknown) => void;
}

/**
 * Sessions in Redis, shared by every instance: a key per session whose TTL is the session's expiry, so
 * Redis forgets it on its own; logout deletes the key. Any command that fails (Redis down, slow past the
 * client's `commandTimeout`) becomes a {@link SessionStoreUnavailableError}.
 */
export class RedisSessionStore implements SessionStore {
  readonly #now: () => number;
  readonly #keyPrefix: string;
  readonly #retryAfterSeconds: number;

  constructor(
    private readonly redis: SessionRedis,
    private readonly options: RedisSessionStoreOptions = {},
  ) {
    this.#now = options.now ?? Date.now;
    this.#keyPrefix = options.keyPrefix ?? 'ttl:session:';
    this.#retryAfterSeconds = options.retryAfterSeconds ?? 5;
  }

  async add(id: string, expiresAt: number): Promise<void> {
    // PX from the app's clock, not PXAT: Redis's clock need not agree with ours.
    const ttlMs = Math.max(1, Math.ceil(expiresAt - this.#now()));
    await this.#send(() => this.redis.set(this.#keyPrefix + id, '1', 'PX', ttlMs));
  }

  async has(id: string): Promise<boolean> {
    return (await this.#send(() => this.redis.exists(this.#keyPrefix + id))) === 1;
  }

  async delete(id: string): Promise<void> {
    await this.#send(() => this.redis.del(this.#keyPrefix + id));
  }

  async #send<T>(command: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await command();
    } catch (error) {
      this.options.onReachable?.(false, error);
      throw new SessionStoreUnavailableError('The session store (Redis) is unreachable', this.#retryAfterSeconds, { cause: error });
    }
    this.options.onReachable?.(true);
    return result;
  }
}
