import { Subscription, type SchedulerAction, type SchedulerLike } from 'rxjs';

/** A scheduler that also says how much real time has passed, as `performance.now()` would. */
export interface MonotonicScheduler extends SchedulerLike {
  monotonicNow(): number;
}

/** Options of {@link VirtualClock}. */
export interface VirtualClockOptions {
  /** Real time at the start (epoch ms): the server's clock. @default Date.UTC(2026, 0, 1) */
  trueNow?: number;
  /** How far the client's clock is off real time at the start. @default 0 */
  wallOffsetMs?: number;
  /** Where the monotonic clock counts from (epoch ms). @default trueNow − 12,345 */
  monoOrigin?: number;
  /** Record where each timer was armed, for {@link VirtualClock.describeSchedulerTimers}. @default false */
  captureStacks?: boolean;
}

interface Timer {
  readonly id: number;
  dueMono: number;
  readonly seq: number;
  readonly run: () => void;
  /** Armed through the scheduler (the code under test), not by the test's own plumbing. */
  readonly owned: boolean;
  /** Where it was armed, with `captureStacks`. */
  readonly stack: string | undefined;
}

/** Turns of the event loop between two timer firings: promise chains inside the manager need several. */
const FLUSH_TURNS = 3;
// setImmediate where there is one (Node): it runs after every queued promise job and I/O callback.
const macrotask = () =>
  new Promise<void>((resolve) => {
    const { setImmediate } = globalThis as { setImmediate?: (run: () => void) => unknown };
    if (setImmediate) setImmediate(resolve);
    else setTimeout(resolve, 0);
  });

/** Lets every queued microtask and promise chain run, without moving virtual time. */
export async function flush(turns = FLUSH_TURNS): Promise<void> {
  for (let i = 0; i < turns; i++) await macrotask();
}

/**
 * Virtual time with three clocks, for code that must survive a laptop's life:
 * - `trueNow`: real time, the server's clock (epoch ms);
 * - `wall`: the client's clock (`Date.now()`), `trueNow` plus an offset that a clock change moves;
 * - `mono`: elapsed real time (`performance.now()`), which never jumps (and, if a sleep says so, does
 *   not count the sleep).
 *
 * Timers are due by `mono`, like `setTimeout`. {@link advance} fires them in order, letting promise
 * chains settle between firings; {@link jumpWall} moves only the wall clock; {@link sleep} moves both
 * clocks with no timer firing until the machine wakes, when every overdue timer fires once, late.
 *
 * Hand {@link scheduler} to `createTokenManager({ scheduler })` and drive the manager through days of
 * refreshes in milliseconds, with no real waiting.
 *
 * @example
 * const clock = new VirtualClock();
 * const manager = createTokenManager({ fetchToken, scheduler: clock.scheduler });
 * await manager.getToken();
 * await clock.advance(60 * 60_000); // an hour of refreshes
 */
export class VirtualClock {
  #trueNow: number;
  #wallOffset: number;
  readonly #origin: number;
  /** Sleep the monotonic clock did not count (see {@link sleep}). */
  #monoPaused = 0;
  #timers: Timer[] = [];
  #nextId = 1;
  #seq = 0;
  /** Called after each timer fires and its promise chains have settled (for invariant checks). */
  afterFire: (() => void) | undefined;

  readonly #captureStacks: boolean;

  constructor(options: VirtualClockOptions = {}) {
    // A NaN start makes every clock NaN: no timer would come due, or all at once.
    for (const name of ['trueNow', 'wallOffsetMs', 'monoOrigin'] as const) {
      const value = options[name];
      if (value !== undefined && !Number.isFinite(value)) throw new TypeError(`VirtualClock: \`${name}\` must be a finite number, got ${String(value)}`);
    }
    this.#captureStacks = options.captureStacks ?? false;
    this.#trueNow = options.trueNow ?? Date.UTC(2026, 0, 1);
    this.#wallOffset = options.wallOffsetMs ?? 0;
    // performance.now() counts from page load: some way into the process's life.
    this.#origin = options.monoOrigin ?? this.#trueNow - 12_345;
  }

  /** Real time: the server's clock (epoch ms). */
  get trueNow(): number {
    return this.#trueNow;
  }

  /** The client's clock, as `Date.now()` reads it. */
  get wall(): number {
    return this.#trueNow + this.#wallOffset;
  }

  /** Elapsed time, as `performance.now()` reads it. */
  get mono(): number {
    return this.#trueNow - this.#origin - this.#monoPaused;
  }

  /** How much sleep the monotonic clock has not counted. */
  get monoPaused(): number {
    return this.#monoPaused;
  }

  /** How far the client's clock is off the server's. */
  get wallOffset(): number {
    return this.#wallOffset;
  }

  /** Timers armed through {@link scheduler} that have not fired or been cancelled. */
  get pendingSchedulerTimers(): number {
    return this.#timers.filter((timer) => timer.owned).length;
  }

  /** Every timer still armed, the test's own included. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** The scheduler timers still armed: when each is due, and (with `captureStacks`) who armed it. */
  describeSchedulerTimers(): string[] {
    return this.#sorted()
      .filter((timer) => timer.owned)
      .map((timer) => `due in ${timer.dueMono - this.mono} ms${timer.stack === undefined ? '' : `, armed ${timer.stack}`}`);
  }

  /** When the next timer is due (mono), if any. */
  get nextDueMono(): number | undefined {
    return this.#next()?.dueMono;
  }

  /** The rxjs scheduler for the code under test: wall clock for `now`, mono for `monotonicNow` and timers. */
  readonly scheduler: MonotonicScheduler = {
    now: () => this.wall,
    monotonicNow: () => this.mono,
    schedule: <T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription => {
      let id: number | undefined;
      const action = new Subscription(() => {
        if (id !== undefined) this.clearTimer(id);
        id = undefined;
      }) as SchedulerAction<T>;
      const run = () => {
        id = undefined;
        work.call(action, state);
      };
      action.schedule = (nextState?: T, nextDelay = 0) => {
        if (id !== undefined) this.clearTimer(id);
        id = undefined;
        state = nextState;
        if (!action.closed) id = this.#add(run, nextDelay, true);
        return action;
      };
      id = this.#add(run, delay, true);
      return action;
    },
  };

  /** A timer of the test's own (a backend's latency, an abort): not counted as the manager's. */
  setTimer(run: () => void, delayMs: number): number {
    return this.#add(run, delayMs, false);
  }

  clearTimer(id: number): void {
    const index = this.#timers.findIndex((timer) => timer.id === id);
    if (index >= 0) this.#timers.splice(index, 1);
  }

  /** Real time passes with the machine awake: timers fire in order at their due time. */
  async advance(ms: number): Promise<void> {
    // Infinity would fire a refreshing manager's timers for ever: a hung test, not a failed one.
    if (!(ms >= 0 && ms < Infinity)) throw new RangeError(`advance(${ms}): a finite number of ms ≥ 0`);
    const target = this.mono + ms;
    await this.#fireDue(target);
    this.#trueNow = target + this.#origin + this.#monoPaused;
    await flush();
  }

  /** Awake until real time reaches `trueNow` (epoch ms), firing timers in order; never goes back. */
  async advanceTo(trueNow: number): Promise<void> {
    await this.advance(Math.max(0, trueNow - this.#trueNow));
  }

  /** Asleep until real time reaches `trueNow` (epoch ms): see {@link sleep}. */
  sleepTo(trueNow: number, options: { monoStandsStill?: boolean } = {}): void {
    this.sleep(Math.max(0, trueNow - this.#trueNow), options);
  }

  /** The user or NTP changes the client's clock: nothing else happens. */
  jumpWall(deltaMs: number): void {
    this.#wallOffset += deltaMs;
  }

  /**
   * The machine sleeps `ms`: both clocks move on and no timer fires meanwhile. Call {@link wake}
   * (or {@link advance}) after it to fire the overdue timers, late, at the wake time.
   *
   * With `monoStandsStill`, the monotonic clock does not count the sleep (as `performance.now()` on
   * platforms whose monotonic clock stops in suspend): timers, due by it, then come due that much later.
   */
  sleep(ms: number, options: { monoStandsStill?: boolean } = {}): void {
    if (!(ms >= 0 && ms < Infinity)) throw new RangeError(`sleep(${ms}): a finite number of ms ≥ 0`);
    this.#trueNow += ms;
    if (options.monoStandsStill) this.#monoPaused += ms;
  }

  /** Fires every overdue timer once, at the current time (after a {@link sleep}). */
  async wake(): Promise<void> {
    await this.#fireDue(this.mono);
    await flush();
  }

  #add(run: () => void, delayMs: number, owned: boolean): number {
    const delay = Number.isFinite(delayMs) && delayMs > 0 ? delayMs : 0;
    const id = this.#nextId++;
    const stack = this.#captureStacks ? new Error().stack?.split('\n').slice(3, 9).join(' ← ') : undefined;
    this.#timers.push({ id, dueMono: this.mono + delay, seq: this.#seq++, run, owned, stack });
    return id;
  }

  #sorted(): Timer[] {
    return this.#timers.sort((a, b) => a.dueMono - b.dueMono || a.seq - b.seq);
  }

  /** The timer due first (a scan, not a sort: a week-long soak arms millions). */
  #next(): Timer | undefined {
    let best: Timer | undefined;
    for (const timer of this.#timers) {
      if (best === undefined || timer.dueMono < best.dueMono || (timer.dueMono === best.dueMono && timer.seq < best.seq)) best = timer;
    }
    return best;
  }

  async #fireDue(targetMono: number): Promise<void> {
    await flush();
    for (;;) {
      const next = this.#next();
      if (next === undefined || next.dueMono > targetMono) return;
      this.#timers.splice(this.#timers.indexOf(next), 1);
      // Overdue timers (after a sleep) fire now, late; the clock never goes back.
      if (next.dueMono > this.mono) this.#trueNow = next.dueMono + this.#origin + this.#monoPaused;
      next.run();
      await flush();
      this.afterFire?.();
    }
  }
}
