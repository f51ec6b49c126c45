import type { RateLimitCounter, SessionShard } from './durable-objects';
import { BoundedMemoryCounter, type CounterFactory } from './rate-limiter';
import { SessionStoreUnavailableError, type SessionStore } from './session-store';
import { ConfigError } from './config';
import { escapeForLog } from './log-line';

/** The part of a Durable Object namespace binding the stores use. */
export interface DurableObjectNamespaceOf<T> {
  idFromName(name: string): unknown;
  get(id: never): DurableObjectStubOf<T>;
}

/** An RPC stub: each public method of the object, as a call that answers a promise. */
export type DurableObjectStubOf<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

/** The Worker's bindings for shared state, both optional (see `wrangler.toml`). */
export interface DurableBindings {
  /** Durable Object namespace of `SessionShard`: sessions shared by every isolate and location. */
  SESSIONS?: DurableObjectNamespaceOf<Pick<SessionShard, 'add' | 'has' | 'delete'>>;
  /** Durable Object namespace of `RateLimitCounter`: limits counted once for every isolate and location. */
  RATE_LIMITS?: DurableObjectNamespaceOf<Pick<RateLimitCounter, 'take'>>;
  /** Optional: Cloudflare's rate-limit binding, a coarse first line per location (see `wrangler.toml`). */
  EDGE_RATE_LIMIT?: RateLimitBinding;
}

/** Cloudflare's Workers rate-limit binding (`[[ratelimits]]` in `wrangler.toml`). */
export interface RateLimitBinding {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

/**
 * `coarseLimit` for `createApp` from the rate-limit binding: whether this address is within the
 * binding's limit at this location. When the binding fails, the request passes: it is only a first
 * line, and the exact limits behind it still hold.
 */
export function edgeCoarseLimit(binding: RateLimitBinding): (address: string) => Promise<boolean> {
  return async (address) => {
    try {
      return (await binding.limit({ key: address })).success;
    } catch {
      return true;
    }
  };
}

/**
 * How many objects the sessions are spread over. Never change it on a live deployment: every session
 * would be looked for in another shard, and everyone would have to sign in again.
 */
export const SESSION_SHARDS = 256;

/** Longest a Durable Object call may take before the store counts as unable to answer. */
export const DURABLE_OBJECT_TIMEOUT_MS = 2_000;

/** The shard a session id lives in: FNV-1a over its characters, so ids spread evenly. */
export function sessionShardOf(id: string, shards = SESSION_SHARDS): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

/**
 * A window key `<subject>@<windowStart>` (what `RateLimiter` counts) split into its subject (the object
 * that counts it) and the window's start (epoch ms); a key without a window is all subject.
 */
export function splitWindowKey(key: string): { subject: string; windowStart: number | undefined } {
  const at = key.lastIndexOf('@');
  const start = at < 0 ? '' : key.slice(at + 1);
  return /^\d+$/.test(start) ? { subject: key.slice(0, at), windowStart: Number(start) } : { subject: key, windowStart: undefined };
}

/** Resolves as `call()` does, or rejects once `timeoutMs` have passed; a late rejection is ignored. */
async function withinDeadline<T>(call: () => Promise<T>, timeoutMs: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const answer = Promise.resolve().then(call);
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  answer.catch(() => {}); // past the deadline, nobody awaits it
  try {
    return await Promise.race([answer, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Options of {@link DurableSessionStore}. */
export interface DurableSessionStoreOptions {
  /** The app's clock: a session is live while its expiry is later. @default Date.now */
  now?: () => number;
  /** @default SESSION_SHARDS */
  shards?: number;
  /** @default DURABLE_OBJECT_TIMEOUT_MS */
  timeoutMs?: number;
  /** What a 503 tells the client to wait. @default 5 */
  retryAfterSeconds?: number;
  /** Hears whether each call got its answer (to log an outage once, and its end). */
  onReachable?: (isReachable: boolean, error?: unknown) => void;
}

/**
 * Sessions in Durable Objects (`SessionShard`), shared by every isolate and location: logout anywhere
 * ends the session everywhere. A call that throws, rejects or takes longer than `timeoutMs` becomes a
 * {@link SessionStoreUnavailableError}, which the app answers with 503 and `Retry-After`.
 */
export class DurableSessionStore implements SessionStore {
  readonly #now: () => number;

  constructor(
    private readonly namespace: NonNullable<DurableBindings['SESSIONS']>,
    private readonly options: DurableSessionStoreOptions = {},
  ) {
    this.#now = options.now ?? Date.now;
  }

  add(id: string, expiresAt: number): Promise<void> {
    return this.#send(id, (shard) => shard.add(id, expiresAt));
  }

  has(id: string): Promise<boolean> {
    const now = this.#now();
    return this.#send(id, (shard) => shard.has(id, now));
  }

  delete(id: string): Promise<void> {
    return this.#send(id, (shard) => shard.delete(id));
  }

  async #send<T>(id: string, call: (shard: DurableObjectStubOf<Pick<SessionShard, 'add' | 'has' | 'delete'>>) => Promise<T>): Promise<T> {
    let result: T;
    try {
      // A new stub per call: after an exception a stub may be broken, and making one costs nothing.
      const name = `session-shard:${sessionShardOf(id, this.options.shards)}`;
      const shard = this.namespace.get(this.namespace.idFromName(name) as never);
      result = await withinDeadline(() => call(shard), this.options.timeoutMs ?? DURABLE_OBJECT_TIMEOUT_MS);
    } catch (error) {
      this.options.onReachable?.(false, error);
      throw new SessionStoreUnavailableError('The session store (Durable Objects) did not answer', this.options.retryAfterSeconds ?? 5, { cause: error });
    }
    this.options.onReachable?.(true);
    return result;
  }
}

/**
 * Counters in Durable Objects (`RateLimitCounter`, one object per limit and key), exact across every
 * isolate and location. When an object throws or does not answer within `timeoutMs`, the count goes on
 * in this isolate's memory (the limits still hold, per isolate), as with Redis on Node; `onResult`
 * hears of every success (no argument) and failure (the error).
 */
export function durableCounters(
  namespace: NonNullable<DurableBindings['RATE_LIMITS']>,
  options: { timeoutMs?: number; onResult?: (error?: unknown) => void } = {},
): CounterFactory {
  return (spec) => {
    const fallback = new BoundedMemoryCounter(spec);
    return {
      async consume(key: string): Promise<unknown> {
        const { subject, windowStart } = splitWindowKey(key);
        const durationMs = spec.duration * 1000;
        const start = windowStart ?? Math.floor(Date.now() / durationMs) * durationMs;
        let isAllowed: boolean;
        try {
          const counter = namespace.get(namespace.idFromName(`${spec.keyPrefix}:${subject}`) as never);
          isAllowed = await withinDeadline(() => counter.take(start, spec.points), options.timeoutMs ?? DURABLE_OBJECT_TIMEOUT_MS);
        } catch (error) {
          options.onResult?.(error);
          return fallback.consume(key);
        }
        options.onResult?.();
        // Over the limit, reject with a result (not an Error), as rate-limiter-flexible does.
        if (!isAllowed) throw { remainingPoints: 0 };
        return { remainingPoints: undefined };
      },
    };
  };
}

/** At most one warning of each kind a minute per isolate, and one line when it is over. */
export class DurableObjectTrouble {
  readonly #lastWarnedAt = new Map<string, number>();
  readonly #isDown = new Set<string>();
  readonly #warned = new Set<string>();

  constructor(
    private readonly log: (line: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  failed(kind: 'sessions' | 'rate-limits', error: unknown): void {
    if (this.#isDown.has(kind)) return;
    this.#isDown.add(kind);
    if (this.now() - (this.#lastWarnedAt.get(kind) ?? -Infinity) < 60_000) return;
    this.#lastWarnedAt.set(kind, this.now());
    this.#warned.add(kind);
    const reason = escapeForLog(error instanceof Error ? error.message : String(error));
    this.log(
      kind === 'sessions'
        ? `warning: the SESSIONS Durable Objects do not answer (${reason}): session checks answer 503 until they do`
        : `warning: the RATE_LIMITS Durable Objects do not answer (${reason}): rate limits count in this isolate's memory until they do`,
    );
  }

  succeeded(kind: 'sessions' | 'rate-limits'): void {
    if (!this.#isDown.delete(kind) || !this.#warned.delete(kind)) return;
    this.log(`the ${kind === 'sessions' ? 'SESSIONS' : 'RATE_LIMITS'} Durable Objects answer again`);
  }
}

/** What the Worker passes `createApp`, and the warning to print once, if any. */
export interface WorkerStores {
  sessions?: SessionStore;
  rateLimitStore?: CounterFactory;
  coarseLimit?: (address: string) => Promise<boolean>;
  /** Set when some state stays in the isolate's memory. */
  warning?: string;
}

/**
 * The stores the bindings allow: sessions in `SESSIONS`, limits in `RATE_LIMITS`; whichever is missing
 * stays in the isolate's memory, and `warning` says so. With `EDGE_RATE_LIMIT`, a coarse first line too.
 * Throws a `ConfigError` for a binding of one of these names that is something else (a var).
 */
export function storesFromBindings(env: DurableBindings, log: (line: string) => void): WorkerStores {
  // A var of the same name, say: used as it is, every call would fail and every request answer 503.
  const hasMethods = (value: unknown, ...methods: string[]) => methods.every((method) => typeof (value as Record<string, unknown> | null)?.[method] === 'function');
  for (const name of ['SESSIONS', 'RATE_LIMITS'] as const) {
    if (env[name] !== undefined && !hasMethods(env[name], 'idFromName', 'get')) {
      throw new ConfigError(`${name} is bound, but not to a Durable Object namespace: declare it under [[durable_objects.bindings]] (see wrangler.toml)`);
    }
  }
  if (env.EDGE_RATE_LIMIT !== undefined && !hasMethods(env.EDGE_RATE_LIMIT, 'limit')) {
    throw new ConfigError('EDGE_RATE_LIMIT is bound, but not to a rate-limit binding: declare it under [[ratelimits]] (see wrangler.toml)');
  }
  const trouble = new DurableObjectTrouble(log);
  const sessions = env.SESSIONS
    ? new DurableSessionStore(env.SESSIONS, {
        onReachable: (isReachable, error) => (isReachable ? trouble.succeeded('sessions') : trouble.failed('sessions', error)),
      })
    : undefined;
  const rateLimitStore = env.RATE_LIMITS
    ? durableCounters(env.RATE_LIMITS, { onResult: (error) => (error === undefined ? trouble.succeeded('rate-limits') : trouble.failed('rate-limits', error)) })
    : undefined;
  const perIsolate = [!sessions && 'sessions', !rateLimitStore && 'rate limits'].filter(Boolean).join(' and ');
  const warning = perIsolate
    ? `warning: ${perIsolate} live in this isolate's memory: ` +
      [!sessions && 'a logout on another isolate ends nothing here', !rateLimitStore && 'each isolate counts its own limits'].filter(Boolean).join(', and ') +
      `; bind ${[!sessions && 'SESSIONS', !rateLimitStore && 'RATE_LIMITS'].filter(Boolean).join(' and ')} (Durable Objects, see wrangler.toml) for production`
    : undefined;
  return {
    ...(sessions ? { sessions } : {}),
    ...(rateLimitStore ? { rateLimitStore } : {}),
    ...(env.EDGE_RATE_LIMIT ? { coarseLimit: edgeCoarseLimit(env.EDGE_RATE_LIMIT) } : {}),
    ...(warning ? { warning } : {}),
  };
}
