import { Subscription, type SchedulerAction, type SchedulerLike } from 'rxjs';

/** A scheduler that also says how much real time has passed, as `performance.now()` would. */
export interface MonotonicScheduler extends SchedulerLike {
  monotonicNow(): number;
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
const macrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

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

  constructor(options: { trueNow?: number; wallOffsetMs?: number; monoOrigin?: number; captureStacks?: boolean } = {}) {
    this.#captureStacks = options.captureStacks ?? false;
    this.#trueNow = options.trueNow ?? Date.UTC(2026, 0, 1);
    this.#wallOffset = options.wallOffsetMs ?? 0;
    // performance.now() counts from page load: some way into the process's life.
    this.#origin = options.monoOrigin ?? this.#trueNow - 12_345;
  }

  get trueNow(): number {
    return this.#trueNow;
  }

  get wall(): number {
    return this.#trueNow + this.#wallOffset;
  }

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
    return this.#sorted()[0]?.dueMono;
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
    this.#timers = this.#timers.filter((timer) => timer.id !== id);
  }

  /** Real time passes with the machine awake: timers fire in order at their due time. */
  async advance(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new RangeError(`advance(${ms})`);
    const target = this.mono + ms;
    await this.#fireDue(target);
    this.#trueNow = target + this.#origin + this.#monoPaused;
    await flush();
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
    if (!(ms >= 0)) throw new RangeError(`sleep(${ms})`);
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

  async #fireDue(targetMono: number): Promise<void> {
    await flush();
    for (;;) {
      const next = this.#sorted()[0];
      if (next === undefined || next.dueMono > targetMono) return;
      this.#timers.shift();
      // Overdue timers (after a sleep) fire now, late; the clock never goes back.
      if (next.dueMono > this.mono) this.#trueNow = next.dueMono + this.#origin + this.#monoPaused;
      next.run();
      await flush();
      this.afterFire?.();
    }
  }
}
