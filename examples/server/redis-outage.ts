import { escapeForLog } from './log-line';

/** Whose commands failed: the rate-limit counters (which then count in memory) or the session store. */
export type RedisFailureKind = 'rate-limits' | 'sessions';

/** At most one warning of each kind in this long; the next one says how many were left out. */
export const OUTAGE_WARNING_INTERVAL_MS = 60_000;

type Trouble = 'unreachable' | RedisFailureKind;

const WARNINGS: Record<Trouble, (reason: string) => string> = {
  unreachable: (reason) =>
    `warning: Redis is unreachable (${reason}): rate limits fall back to this instance's memory, ` +
    'and session checks answer 503 until it is back',
  'rate-limits': (reason) =>
    `warning: Redis refuses rate-limit updates (${reason}): rate limits count in this instance's memory until it takes them again`,
  sessions: (reason) => `warning: Redis refuses session commands (${reason}): those requests answer 503 until it takes them again`,
};
const RECOVERIES: Record<Trouble, string> = {
  unreachable: 'Redis is reachable again: rate limits and sessions are shared again',
  'rate-limits': 'Redis takes rate-limit updates again: rate limits are shared again',
  sessions: 'Redis takes session commands again',
};

// A reply from Redis that refuses the command (OOM under noeviction, READONLY on a replica): Redis is
// there, so this is no outage of the connection, and reads may well go on working.
const isRefusal = (error: unknown) => error instanceof Error && error.name === 'ReplyError';

interface State {
  isDown: boolean;
  /** Whether this outage's warning was written (else its recovery is not worth a line either). */
  warned: boolean;
  lastWarnedAt: number;
  suppressed: number;
}

/**
 * Tells the log about Redis trouble without flooding it: that Redis is unreachable (the connection),
 * or that it answers but refuses the rate limits' or the sessions' commands, each kind apart. Each kind
 * is warned of once per outage and at most once per {@link OUTAGE_WARNING_INTERVAL_MS} (the next
 * warning counts those left out), and said to be over only by a success of the same kind or by the
 * connection becoming ready: a read that works says nothing about writes that are refused.
 */
export class RedisOutage {
  readonly #states = new Map<Trouble, State>();
  #isMuted = false;

  constructor(
    private readonly log: (line: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether any kind of trouble is going on. */
  get isDown(): boolean {
    return [...this.#states.values()].some((state) => state.isDown);
  }

  /** The connection failed (a connection error or a closed socket); a timed-out command comes through `failed()`. */
  down(reason: string): void {
    this.#begin('unreachable', reason);
  }

  /** The connection is ready again: every kind of trouble is over. */
  up(): void {
    for (const trouble of ['unreachable', 'rate-limits', 'sessions'] as const) this.#end(trouble);
  }

  /** A command of `kind` failed: refused by Redis, or (anything else) Redis did not answer. */
  failed(kind: RedisFailureKind, error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    this.#begin(isRefusal(error) ? kind : 'unreachable', reason);
  }

  /** A command of `kind` got its answer: that kind works, and Redis is reachable. */
  succeeded(kind: RedisFailureKind): void {
    this.#end(kind);
    this.#end('unreachable');
  }

  /** On shutdown: closing the connection on purpose is no outage. */
  mute(): void {
    this.#isMuted = true;
  }

  #begin(trouble: Trouble, reason: string) {
    if (this.#isMuted) return;
    const state = this.#states.get(trouble) ?? { isDown: false, warned: false, lastWarnedAt: -Infinity, suppressed: 0 };
    this.#states.set(trouble, state);
    if (state.isDown && state.warned) return;
    const now = this.now();
    const isDue = now - state.lastWarnedAt >= OUTAGE_WARNING_INTERVAL_MS;
    if (!state.isDown) {
      state.isDown = true;
      state.warned = false;
      if (!isDue) {
        state.suppressed++;
        return;
      }
    } else if (!isDue) {
      return;
    } else {
      // Left out as one of many, it has lasted: said now, or the last line would be "reachable again".
      state.suppressed--;
    }
    state.warned = true;
    const left = state.suppressed > 0 ? ` (${state.suppressed} more since the previous one, not logged)` : '';
    this.log(`${WARNINGS[trouble](escapeForLog(reason))}${left}`);
    state.lastWarnedAt = now;
    state.suppressed = 0;
  }

  #end(trouble: Trouble) {
    const state = this.#states.get(trouble);
    if (!state?.isDown) return;
    state.isDown = false;
    if (state.warned && !this.#isMuted) this.log(RECOVERIES[trouble]);
  }
}
