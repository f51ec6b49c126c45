// @vitest-environment node
/**
 * Model-based chaos test of the TokenManager: random sequences of time passing, backend faults, clock
 * changes, sleeps, network and page events, peer-tab messages and API calls, with the manager's
 * promised behaviour bounds checked after every step (and after every timer that fires):
 *
 * 1. it never holds a token for another identity than the bound one;
 * 2. nothing is shown or handed out as valid past its true expiry (+1 s), nor short of `minValidityMs`
 *    (−1 s); a stale token is excused only when nothing the manager fetched and held before could tell
 *    it (see ServedToken.undetectablyStale), and lateness only by what both clocks missed (a clock set
 *    back during a sleep the monotonic clock did not count: ChaosBackend.blindMs);
 * 3. requests are at least 1 s apart (999 ms) and never inside a Retry-After window the manager read;
 * 4. once the backend has been healthy for maxDelayMs + timeoutMs + 2 s while the manager is held,
 *    online, awake, not frozen and not halted (401/403/identity-mismatch/misconfigured), it holds a
 *    token; a wake, a clock change, coming online and a Retry-After each restart that count;
 * 5. every promise it hands out settles within timeoutMs + maxDelayMs + 60 s of awake time, and those
 *    pending at `stop()` reject with `stopped`; an unanswered request's signal aborts at `timeoutMs`;
 * 6. no unhandled rejection; and after `stop()` no timer stays armed and no request is made.
 *
 * What the bounds need to know (bound identity, healthy since when, handed-out promises, the last
 * request, the Retry-After window) lives in `World` and the backend, because most checks run inside
 * callbacks (a request, a settling promise, a timer) that fast-check's model does not reach; the
 * fast-check model holds only what the commands' preconditions need.
 *
 * FC_SEED, FC_RUNS and FC_MAX_COMMANDS override the defaults; FC_SURVEY=1 runs without failing and
 * prints how often each bound was broken (and the first example of each); FC_ONLY=kind,… checks only
 * those kinds; FC_TRACE_LINES sets how much trace a failure shows; FC_TIMER_STACKS=1 records who armed
 * each timer (for `timers-after-stop`).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createTokenManager,
  isTokenError,
  type AccessToken,
  type CrossTabChannel,
  type CrossTabMessage,
  type TokenManager,
  type TokenManagerOptions,
} from 'twilio-token-lifecycle';
import { FakeNetworkSignals, FakePageSignals, mintTestToken, seededRandom } from 'twilio-token-lifecycle/testing';
import { ChaosBackend, type Answer, type BackendCall, type Fault } from '../helpers/chaos-backend';
import { VirtualClock, flush } from '../helpers/virtual-clock';

const START = Date.UTC(2026, 10, 23, 9, 0, 0);
const SECOND = 1000;
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const DEFAULT_TIMEOUT_MS = 10_000;
/** Errors after which the manager waits for `refresh()` instead of retrying. */
const HALTING = new Set(['unauthorized', 'forbidden', 'identity-mismatch', 'misconfigured']);

const SEED = process.env.FC_SEED === undefined ? 20261123 : Number(process.env.FC_SEED);
const NUM_RUNS = process.env.FC_RUNS === undefined ? 1000 : Number(process.env.FC_RUNS);
const MAX_COMMANDS = process.env.FC_MAX_COMMANDS === undefined ? 100 : Number(process.env.FC_MAX_COMMANDS);
const SURVEY = process.env.FC_SURVEY === '1';
/** FC_ONLY=liveness,retry-after checks only these kinds of bound (to shrink to one kind of failure). */
const ONLY = process.env.FC_ONLY === undefined ? undefined : new Set(process.env.FC_ONLY.split(','));
/** How many trace lines a failure shows (FC_TRACE_LINES=100000 for the whole run). */
const TRACE_LINES = process.env.FC_TRACE_LINES === undefined ? 80 : Number(process.env.FC_TRACE_LINES);

// ---------------------------------------------------------------------------------------------
// One run's world: the clock, the backend, the manager and everything the invariants need.
// ---------------------------------------------------------------------------------------------

interface RunConfig {
  seed: number;
  /** `identity` option; without it the first token binds the identity. */
  identity: 'alice' | undefined;
  ttlSeconds: number;
  timeoutMs: number | undefined;
  baseDelayMs: number;
  maxDelayMs: number;
  refreshBeforeMs: number | undefined;
  idleGraceMs: number | undefined;
  crossTab: boolean;
  /** How far the client's clock is off the server's at the start. */
  wallOffsetMs: number;
  subscribeAtStart: boolean;
  /** This platform's `performance.now()` stops while the machine sleeps (most do); else it counts sleep. */
  monoStandsStillInSleep: boolean;
}

interface Handed {
  readonly label: string;
  readonly minValidityMs: number;
  /** Awake true time when handed out (sleep does not count against the deadline). */
  readonly startedAwake: number;
  settled: boolean;
  pendingAtStop: boolean;
  overdue: boolean;
  /** Handed out after stop(): must reject with `stopped`. */
  readonly afterStop: boolean;
}

interface OpenChannel {
  readonly listeners: Set<(message: CrossTabMessage) => void>;
}

class Violation extends Error {
  override readonly name = 'Violation';
}

/** Survey mode: kind → runs in which it occurred, and the first message. */
const survey = new Map<string, { runs: number; example: string }>();
let currentWorld: World | undefined;


const fmt = (trueNow: number) => `${((trueNow - START) / SECOND).toFixed(3)}s`;
const dur = (ms: number) => (Math.abs(ms) >= MINUTE ? `${(ms / MINUTE).toFixed(1)}min` : `${ms}ms`);

class World {
  readonly clock: VirtualClock;
  readonly backend: ChaosBackend;
  readonly page = new FakePageSignals();
  readonly network = new FakeNetworkSignals();
  readonly manager: TokenManager;
  readonly timeoutMs: number;
  /** Liveness: how long the backend must have been healthy before a token must be held. */
  readonly livenessMs: number;
  /** Every handed-out promise settles within this much awake true time. */
  readonly settleMs: number;
  readonly trace: string[] = [];
  /** Each kind of broken bound, first occurrence: the message and the trace up to it. */
  readonly violations = new Map<string, { message: string; trace: string[] }>();
  readonly handed: Handed[] = [];
  readonly subscriptions: Array<() => void> = [];
  readonly channels = new Set<OpenChannel>();
  readonly unhandled: unknown[] = [];
  boundIdentity: string | undefined;
  stopped = false;
  slept = 0;
  heldSince: number | undefined;
  onlineSince: number;
  wokeAt = -Infinity;
  /**
   * A clock change restarts the liveness count too: a clock set forward looks just like a sleep on a
   * machine whose monotonic clock stood still, so a careful manager may drop its token and refetch.
   */
  clockChangedAt = -Infinity;
  frozen = false;
  unfrozenAt = -Infinity;
  haltedSeenAt = -Infinity;
  lastCall: BackendCall | undefined;
  /** After an answer or a timeout, by when (awake time) the next request is due if no token came. */
  retryDue: { by: number; since: number; after: number } | undefined;
  /** Calls neither answered nor aborted yet, with the awake time they were made. */
  readonly openCalls = new Map<BackendCall, number>();

  constructor(readonly config: RunConfig) {
    const random = seededRandom(config.seed);
    const latencyRandom = seededRandom(config.seed ^ 0x5eed);
    this.clock = new VirtualClock({ trueNow: START, wallOffsetMs: config.wallOffsetMs, captureStacks: process.env.FC_TIMER_STACKS === '1' });
    this.timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.livenessMs = config.maxDelayMs + this.timeoutMs + 2000;
    this.settleMs = this.timeoutMs + config.maxDelayMs + 60_000;
    this.onlineSince = this.clock.trueNow;
    this.boundIdentity = config.identity;
    this.backend = new ChaosBackend(this.clock, {
      identity: 'alice',
      ttlSeconds: config.ttlSeconds,
      timeoutMs: this.timeoutMs,
      healthyLatencyMs: () => Math.floor(latencyRandom() * 301),
      onCall: (call) => this.#onCall(call),
      onSettle: (call) => this.#onSettle(call),
    });
    const options = {
      fetchToken: this.backend.fetchToken,
      scheduler: this.clock.scheduler,
      random,
      page: this.page,
      network: this.network,
      retry: { baseDelayMs: config.baseDelayMs, maxDelayMs: config.maxDelayMs },
      crossTab: config.crossTab ? { key: 'k', channel: this.#channelFactory, locks: null } : false,
      onEvent: (event: { type: string }) => this.log(`event ${JSON.stringify(event)}`),
      ...(config.identity !== undefined && { identity: config.identity }),
      ...(config.timeoutMs !== undefined && { timeoutMs: config.timeoutMs }),
      ...(config.refreshBeforeMs !== undefined && { refreshBeforeMs: config.refreshBeforeMs }),
      ...(config.idleGraceMs !== undefined && { idleGraceMs: config.idleGraceMs }),
    };
    this.manager = createTokenManager(options as unknown as TokenManagerOptions);
    this.clock.afterFire = () => this.check();
    this.log(`start ${JSON.stringify(config)}`);
  }

  get awakeNow(): number {
    return this.clock.trueNow - this.slept;
  }

  log(line: string): void {
    this.trace.push(`${fmt(this.clock.trueNow)} ${line}`);
    if (this.trace.length > 2 * TRACE_LINES + 1) this.trace.splice(1, TRACE_LINES); // keep the start line
  }

  violation(kind: string, detail: string): void {
    if (this.violations.has(kind) || (ONLY !== undefined && !ONLY.has(kind))) return;
    const message = `${kind} at ${fmt(this.clock.trueNow)}: ${detail}`;
    this.log(`VIOLATION ${message}`);
    this.violations.set(kind, { message, trace: [this.trace[0]!, '…', ...this.trace.slice(1).slice(-TRACE_LINES)] });
  }

  /** Throws the first violation, with the trace leading up to it. */
  throwIfViolated(): void {
    if (SURVEY || this.violations.size === 0) return;
    const [first] = this.violations.values();
    throw new Violation(`${first!.message}\n--- trace (true time since start) ---\n${first!.trace.join('\n')}`);
  }

  readonly #channelFactory = (name: string): CrossTabChannel => {
    const channel: OpenChannel = { listeners: new Set() };
    this.channels.add(channel);
    this.log(`channel open ${name}`);
    return {
      post: (message) => this.log(`tab posts ${message.type}`),
      subscribe: (listener) => {
        channel.listeners.add(listener);
        return () => void channel.listeners.delete(listener);
      },
      close: () => void this.channels.delete(channel),
    };
  };

  /** Delivers a message from a peer tab to every listener the manager has on the channel. */
  injectPeerMessage(message: unknown): number {
    let delivered = 0;
    for (const channel of this.channels) {
      for (const listener of [...channel.listeners]) {
        delivered++;
        try {
          listener(message as CrossTabMessage);
        } catch (error) {
          this.violation('peer-message-threw', `a peer message ${JSON.stringify(message)?.slice(0, 120)} threw ${String(error)}`);
        }
      }
    }
    return delivered;
  }

  #onCall(call: BackendCall): void {
    const answer = `${call.answer.fault.kind}${'retryAfterMs' in call.answer.fault ? `(${call.answer.fault.retryAfterMs})` : ''}`;
    this.log(`fetchToken #${call.index} reason=${call.reason} → ${answer} after ${call.answer.latencyMs}ms`);
    if (this.stopped) this.violation('request-after-stop', `fetchToken #${call.index} after stop()`);
    const previous = this.lastCall;
    if (previous !== undefined && call.at - previous.at < 999) {
      this.violation('request-spacing', `fetchToken #${call.index} only ${call.at - previous.at} ms after #${previous.index}`);
    }
    if (call.at < this.backend.retryAfterUntil - 1) {
      this.violation('retry-after', `fetchToken #${call.index} ${this.backend.retryAfterUntil - call.at} ms before the Retry-After ends`);
    }
    this.lastCall = call;
    this.openCalls.set(call, this.awakeNow);
    this.retryDue = undefined;
  }

  /** An answer came or the request was cut short: without a token, a retry is due within the backoff ceiling. */
  #onSettle(call: BackendCall): void {
    if (this.stopped) return;
    const retryAfterLeft = Math.max(0, this.backend.retryAfterUntil - this.clock.trueNow, this.backend.retryAfterMaybeUntil - this.clock.trueNow);
    this.retryDue = { by: this.awakeNow + retryAfterLeft + this.config.maxDelayMs + 50, since: this.awakeNow, after: call.index };
  }

  /** A token is stale but no manager could have told (see ServedToken.undetectablyStale). */
  #excused(token: AccessToken): boolean {
    return this.backend.served.get(token.jwt)?.undetectablyStale === true;
  }

  #checkIdentity(token: AccessToken, where: string): void {
    this.backend.noteHeld(token.jwt);
    if (this.boundIdentity === undefined) this.boundIdentity = token.identity;
    else if (token.identity !== this.boundIdentity) {
      this.violation('identity', `${where} has a token for ${token.identity}, bound to ${this.boundIdentity}`);
    }
  }

  /** Tracks a promise the manager handed out. */
  track(promise: Promise<AccessToken>, label: string, minValidityMs = 0): void {
    const handed: Handed = {
      label,
      minValidityMs,
      startedAwake: this.awakeNow,
      settled: false,
      pendingAtStop: false,
      overdue: false,
      afterStop: this.stopped,
    };
    this.handed.push(handed);
    promise.then(
      (token) => {
        handed.settled = true;
        const now = this.clock.trueNow;
        const left = token.expiresAt - now;
        this.log(`${label} resolved (${dur(left)} left)`);
        if (handed.afterStop || handed.pendingAtStop) {
          this.violation('settle-after-stop', `${label} resolved after stop(); it must reject with 'stopped'`);
          return;
        }
        this.#checkIdentity(token, label);
        if (this.#excused(token)) return;
        const blind = this.backend.blindMsFor(token.jwt);
        if (now >= token.expiresAt + 1000 + blind) this.violation('expired-handed-out', `${label} resolved with a token expired ${-left} ms ago`);
        else if (minValidityMs > 0 && left < minValidityMs - 1000 - blind) {
          this.violation('min-validity', `${label} resolved with ${left} ms left, asked for ${minValidityMs}`);
        }
      },
      (error: unknown) => {
        handed.settled = true;
        const code = isTokenError(error) ? error.code : undefined;
        this.log(`${label} rejected ${code ?? String(error)}`);
        if (code === undefined) this.violation('not-a-token-error', `${label} rejected with ${String(error)}`);
        if ((handed.afterStop || handed.pendingAtStop) && code !== 'stopped') {
          this.violation('settle-after-stop', `${label} pending at stop() rejected with ${code ?? String(error)}, not 'stopped'`);
        }
      },
    );
  }

  setHeld(isHeld: boolean): void {
    if (isHeld && this.heldSince === undefined) this.heldSince = this.clock.trueNow;
    if (!isHeld) this.heldSince = undefined;
  }

  /** Since when the liveness bound's preconditions have all held, if they hold now. */
  #livenessFrom(): number | undefined {
    if (this.heldSince === undefined || !this.network.online || this.frozen) return undefined;
    const healthySince = this.backend.healthySince;
    if (healthySince === undefined) return undefined;
    return Math.max(
      healthySince,
      this.heldSince,
      this.onlineSince,
      this.wokeAt,
      this.clockChangedAt,
      this.unfrozenAt,
      this.haltedSeenAt,
      this.backend.retryAfterUntil,
      // A Retry-After counted on the monotonic clock (as it must be, or a clock set forward opens it early).
      this.backend.retryAfterUntilMono + (this.clock.trueNow - this.clock.mono),
    );
  }

  /** The invariants, on the state as the app would read it now. */
  check(): void {
    if (this.unhandled.length > 0) this.violation('unhandled-rejection', String(this.unhandled[0]));
    if (this.stopped) return;
    const now = this.clock.trueNow;
    const state = this.manager.getState();
    const { token, error } = state;
    if (token !== undefined) {
      this.#checkIdentity(token, 'state');
      if (now >= token.expiresAt + 1000 + this.backend.blindMsFor(token.jwt) && !this.#excused(token)) {
        this.violation('expired-held', `state holds a token that expired ${now - token.expiresAt} ms ago (status ${state.status})`);
      }
    }
    const isHalted = error !== undefined && HALTING.has(error.code);
    if (isHalted) this.haltedSeenAt = now;
    // Backoff: full jitter never waits longer than maxDelayMs (after any Retry-After) to retry.
    if (this.retryDue !== undefined) {
      const needsToken = this.heldSince !== undefined && this.network.online && !this.frozen && !isHalted && token === undefined;
      if (!needsToken) this.retryDue = undefined;
      else if (this.awakeNow > this.retryDue.by) {
        const { since, after } = this.retryDue;
        this.violation('backoff', `no request ${this.awakeNow - since} ms after #${after} ended, with no token (maxDelayMs ${this.config.maxDelayMs})`);
        this.retryDue = undefined;
      }
    }
    const from = this.#livenessFrom();
    if (from !== undefined && now - from >= this.livenessMs && token === undefined) {
      this.violation(
        'liveness',
        `no token ${now - from} ms into a healthy spell (bound ${this.livenessMs} ms); status ${state.status}, error ${error?.code ?? 'none'}`,
      );
    }
    // The request timeout: an unanswered request's signal aborts once it has been out `timeoutMs`.
    for (const [call, madeAt] of this.openCalls) {
      if (call.deliveredAt !== undefined || call.abortedAt !== undefined) this.openCalls.delete(call);
      else if (this.awakeNow - madeAt > this.timeoutMs + 1) {
        this.openCalls.delete(call);
        this.violation('request-timeout', `fetchToken #${call.index} still out, its signal not aborted, ${this.awakeNow - madeAt} ms after it was made (timeout ${this.timeoutMs} ms)`);
      }
    }
    for (const handed of this.handed) {
      if (!handed.settled && !handed.overdue && this.awakeNow - handed.startedAwake > this.settleMs) {
        handed.overdue = true;
        this.violation('unsettled', `${handed.label} still pending after ${this.settleMs} ms awake`);
      }
    }
  }

  async stop(): Promise<void> {
    for (const handed of this.handed) if (!handed.settled) handed.pendingAtStop = true;
    this.log('stop()');
    this.manager.stop();
    this.stopped = true;
    await flush();
    const state = this.manager.getState();
    if (state.status !== 'stopped' || state.token !== undefined) {
      this.violation('stop', `after stop() the state is ${state.status}${state.token ? ' with a token' : ''}`);
    }
    this.track(this.manager.getToken(), 'getToken after stop');
    this.track(this.manager.refresh(), 'refresh after stop');
    await flush();
  }

  /** The end of a run: stop, let an hour pass, and check that everything settled and nothing runs on. */
  async finish(): Promise<void> {
    if (!this.stopped) await this.stop();
    const timers = this.clock.pendingSchedulerTimers;
    if (timers > 0) {
      this.violation('timers-after-stop', `${timers} scheduler timers still armed after stop(): ${this.clock.describeSchedulerTimers().join('; ')}`);
    }
    await this.clock.advance(HOUR);
    const unsettled = this.handed.filter((handed) => !handed.settled);
    if (unsettled.length > 0) {
      this.violation('unsettled-after-stop', `${unsettled.map((handed) => handed.label).join(', ')} never settled`);
    }
    this.check();
  }
}

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------

interface Model {
  stopped: boolean;
  subscriptions: number;
  crossTab: boolean;
}

class Step implements fc.AsyncCommand<Model, World> {
  constructor(
    readonly label: string,
    readonly act: (world: World, model: Model) => Promise<void> | void,
    readonly precondition: (model: Model) => boolean = () => true,
  ) {}

  check(model: Readonly<Model>): boolean {
    return !model.stopped && this.precondition(model);
  }

  async run(model: Model, world: World): Promise<void> {
    world.log(`# ${this.label}`);
    await this.act(world, model);
    await flush();
    world.check();
    world.throwIfViolated();
  }

  toString(): string {
    return this.label;
  }
}

const latencyArb = fc.oneof(
  { arbitrary: fc.constant(0), weight: 2 },
  { arbitrary: fc.integer({ min: 1, max: 2000 }), weight: 2 },
  { arbitrary: fc.integer({ min: 2001, max: 15_000 }), weight: 1 },
);

const faultArb: fc.Arbitrary<Fault> = fc.oneof(
  fc.constant({ kind: '401' as const }),
  fc.constant({ kind: '403' as const }),
  fc.integer({ min: 0, max: 60_000 }).map((retryAfterMs) => ({ kind: '429' as const, retryAfterMs })),
  fc.integer({ min: 0, max: 60_000 }).map((retryAfterMs) => ({ kind: '503' as const, retryAfterMs })),
  fc.constant({ kind: '500' as const }),
  fc.constant({ kind: 'socket' as const }),
  fc.constant({ kind: 'html' as const }),
  fc
    .constantFrom('', 'not-a-jwt', 'a.b.c', '{"token":"x"}', 'eyJhbGciOiJIUzI1NiJ9.e30.c2ln', 'null')
    .map((text) => ({ kind: 'garbage' as const, text })),
  fc.constant({ kind: 'expired' as const }),
  fc.constant({ kind: 'not-before' as const }),
  fc.constant({ kind: 'mallory' as const }),
  fc.constant({ kind: 'hang' as const }),
  // A good token, slowly (past the timeout when over it).
  fc.constant({ kind: 'ok' as const }),
);

const answerArb: fc.Arbitrary<Answer> = fc.record({ fault: faultArb, latencyMs: latencyArb });
const describeAnswer = ({ fault, latencyMs }: Answer) =>
  `${fault.kind}${'retryAfterMs' in fault ? `(${fault.retryAfterMs})` : ''}${'text' in fault ? `(${JSON.stringify(fault.text)})` : ''}@${latencyMs}ms`;

type PeerTimes =
  | 'sane'
  | 'far-future-expiry'
  | 'far-future-usable'
  | 'nan'
  | 'infinite'
  | 'inverted'
  | 'negative'
  | 'stale-claims-fresh';

type PeerMessageSpec =
  | { kind: 'junk'; value: string }
  | { kind: 'hello' | 'bye' | 'lease' | 'lease-nan' }
  | { kind: 'token'; identity: 'alice' | 'mallory'; age: number; times: PeerTimes };

const peerArb: fc.Arbitrary<PeerMessageSpec> = fc.oneof(
  fc
    .constantFrom('null', 'undefined', 'number', 'string', 'empty', 'foreign', 'no-type', 'token-null', 'token-jwt-number', 'token-garbage', 'token-missing')
    .map((value) => ({ kind: 'junk' as const, value })),
  fc.constantFrom('hello' as const, 'bye' as const, 'lease' as const, 'lease-nan' as const).map((kind) => ({ kind })),
  {
    arbitrary: fc.record({
      kind: fc.constant('token' as const),
      identity: fc.constantFrom('alice' as const, 'alice' as const, 'mallory' as const),
      age: fc.double({ min: 0, max: 0.95, noNaN: true }),
      times: fc.constantFrom<PeerTimes>('sane', 'sane', 'far-future-expiry', 'far-future-usable', 'nan', 'infinite', 'inverted', 'negative', 'stale-claims-fresh'),
    }),
    weight: 3,
  },
);

function peerMessage(world: World, spec: PeerMessageSpec): { message: unknown; jwt?: string; identity?: string } {
  const base = { ns: 'twilio-token-lifecycle', v: 1, from: 'peer', isVisible: true };
  switch (spec.kind) {
    case 'junk': {
      const junk: Record<string, unknown> = {
        null: null,
        undefined: undefined,
        number: 42,
        string: 'token',
        empty: {},
        foreign: { ns: 'someone-else', type: 'token' },
        'no-type': { ...base },
        'token-null': { ...base, type: 'token', token: null },
        'token-jwt-number': { ...base, type: 'token', token: { jwt: 42, usableAt: 0, refreshAt: 0, expiresAt: 0 } },
        'token-garbage': { ...base, type: 'token', token: { jwt: 'garbage', usableAt: 0, refreshAt: 1, expiresAt: 2 } },
        'token-missing': { ...base, type: 'token' },
      };
      return { message: junk[spec.value] };
    }
    case 'hello':
    case 'bye':
      return { message: { ...base, type: spec.kind } };
    case 'lease':
      return { message: { ...base, type: 'lease', until: world.clock.wall + 3000 } };
    case 'lease-nan':
      return { message: { ...base, type: 'lease', until: Number.NaN } };
    case 'token': {
      const { clock, backend } = world;
      const lifetime = backend.ttlSeconds * SECOND;
      const isStale = spec.times === 'stale-claims-fresh';
      const jwt = isStale
        ? mintTestToken({ identity: spec.identity, issuedAt: clock.trueNow - 2 * HOUR, ttlSeconds: 3600 })
        : mintTestToken({ identity: spec.identity, issuedAt: clock.trueNow - spec.age * lifetime, ttlSeconds: backend.ttlSeconds });
      const exp = Math.floor((clock.trueNow - (isStale ? 2 * HOUR : spec.age * lifetime)) / 1000) * 1000 + (isStale ? HOUR : lifetime);
      const wall = clock.wall;
      const expiresAt = wall + (exp - clock.trueNow);
      const refreshAt = expiresAt - Math.min(5 * MINUTE, lifetime / 4);
      const times: Record<PeerTimes, { usableAt: number; refreshAt: number; expiresAt: number }> = {
        sane: { usableAt: wall, refreshAt, expiresAt },
        'far-future-expiry': { usableAt: wall, refreshAt: wall + 29 * DAY, expiresAt: wall + 30 * DAY },
        'far-future-usable': { usableAt: wall + 30 * DAY, refreshAt: wall + 30 * DAY, expiresAt: wall + 31 * DAY },
        nan: { usableAt: Number.NaN, refreshAt: Number.NaN, expiresAt: Number.NaN },
        infinite: { usableAt: wall, refreshAt: Infinity, expiresAt: Infinity },
        inverted: { usableAt: expiresAt, refreshAt: expiresAt + 1, expiresAt: wall + 1000 },
        negative: { usableAt: -1, refreshAt: -1, expiresAt: -1 },
        'stale-claims-fresh': { usableAt: wall, refreshAt: wall + 55 * MINUTE, expiresAt: wall + HOUR },
      };
      return { message: { ...base, type: 'token', token: { jwt, ...times[spec.times] } }, jwt, identity: spec.identity };
    }
  }
}

const advance = (ms: number) =>
  new Step(`advance ${dur(ms)}`, (world) => world.clock.advance(ms));

const commandArb: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.integer({ min: 1, max: 5000 }).map(advance), weight: 16 },
  { arbitrary: fc.integer({ min: MINUTE, max: 30 * MINUTE }).map(advance), weight: 8 },
  {
    arbitrary: fc.array(answerArb, { minLength: 1, maxLength: 4 }).map(
      (answers) =>
        new Step(`backend answers next ${answers.map(describeAnswer).join(', ')}`, (world) => world.backend.respondWith(...answers)),
    ),
    weight: 8,
  },
  {
    arbitrary: answerArb.map((answer) => new Step(`backend outage: ${describeAnswer(answer)}`, (world) => world.backend.startOutage(answer))),
    weight: 4,
  },
  { arbitrary: fc.constant(new Step('backend heals', (world) => world.backend.heal())), weight: 6 },
  {
    arbitrary: fc
      .tuple(fc.integer({ min: SECOND, max: 2 * HOUR }), fc.boolean())
      .map(([ms, forward]) => (forward ? ms : -ms))
      .map(
        (delta) =>
          new Step(`client clock jumps ${delta > 0 ? '+' : ''}${dur(delta)}`, (world) => {
            world.clock.jumpWall(delta);
            world.clockChangedAt = world.clock.trueNow;
          }),
      ),
    weight: 4,
  },
  {
    arbitrary: fc.tuple(fc.integer({ min: MINUTE, max: 3 * HOUR }), fc.constantFrom('no event', 'wake first', 'timers first')).map(
      ([ms, wake]) =>
        new Step(`sleep ${dur(ms)}, ${wake}`, async (world) => {
          world.clock.sleep(ms, { monoStandsStill: world.config.monoStandsStillInSleep });
          world.slept += ms;
          world.wokeAt = world.clock.trueNow;
          if (wake === 'wake first') {
            world.page.emit('wake');
            await flush();
          }
          await world.clock.wake();
          if (wake === 'timers first') world.page.emit('wake');
          if (wake !== 'no event' && world.frozen) {
            world.frozen = false;
            world.unfrozenAt = world.clock.trueNow;
          }
        }),
    ),
    weight: 4,
  },
  {
    arbitrary: fc.constant(
      new Step('network toggles', (world) => {
        const online = !world.network.online;
        world.log(online ? 'online' : 'offline');
        world.network.set(online);
        if (online) world.onlineSince = world.clock.trueNow;
      }),
    ),
    weight: 4,
  },
  {
    arbitrary: fc
      .tuple(
        fc.option(
          fc.oneof(
            fc.constant(0),
            fc.double({ min: 0, max: 1, noNaN: true }).map((fraction) => ({ fraction })),
            fc.double({ min: 1, max: 3, noNaN: true }).map((fraction) => ({ fraction })),
            // Right at the edge of what the held token has left: where an off-by-a-second hides.
            fc.integer({ min: -3000, max: 3000 }).map((nearLeftMs) => ({ nearLeftMs })),
          ),
          { nil: undefined },
        ),
        fc.oneof(fc.constant('none' as const), fc.constant('before' as const), fc.integer({ min: 1, max: 20_000 })),
      )
      .map(([validity, abort]) => {
        const asked =
          validity === undefined || validity === 0
            ? String(validity ?? 'unset')
            : 'fraction' in validity
              ? `${validity.fraction.toFixed(3)} × lifetime`
              : `what is left ${validity.nearLeftMs >= 0 ? '+' : ''}${validity.nearLeftMs} ms`;
        return new Step(`getToken(minValidity ${asked}, abort ${abort})`, (world) => {
          const lifetime = world.backend.ttlSeconds * SECOND;
          const left = (world.manager.getState().token?.expiresAt ?? world.clock.trueNow + lifetime) - world.clock.trueNow;
          const minValidityMs =
            validity === undefined || validity === 0
              ? validity
              : 'fraction' in validity
                ? Math.round(validity.fraction * lifetime)
                : Math.max(0, left + validity.nearLeftMs);
          const controller = new AbortController();
          if (abort === 'before') controller.abort();
          else if (typeof abort === 'number') world.clock.setTimer(() => controller.abort(), abort);
          const options = {
            ...(minValidityMs !== undefined && { minValidityMs }),
            ...(abort !== 'none' && { signal: controller.signal }),
          };
          world.track(world.manager.getToken(options), `getToken#${world.handed.length}(${minValidityMs ?? '-'})`, minValidityMs ?? 0);
        });
      }),
    weight: 10,
  },
  {
    arbitrary: fc.constant(new Step('refresh()', (world) => world.track(world.manager.refresh(), `refresh#${world.handed.length}`))),
    weight: 4,
  },
  {
    arbitrary: fc.constantFrom('subscribe', 'state$', 'token$').map(
      (how) =>
        new Step(`${how} subscriber`, (world, model) => {
          const { manager } = world;
          if (how === 'subscribe') world.subscriptions.push(manager.subscribe(() => undefined));
          else {
            const subscription = how === 'state$' ? manager.state$.subscribe() : manager.token$.subscribe();
            world.subscriptions.push(() => subscription.unsubscribe());
          }
          model.subscriptions = world.subscriptions.length;
          world.setHeld(true);
        }),
    ),
    weight: 6,
  },
  {
    arbitrary: fc.nat().map(
      (index) =>
        new Step(
          `unsubscribe one`,
          (world, model) => {
            const [unsubscribe] = world.subscriptions.splice(index % world.subscriptions.length, 1);
            unsubscribe?.();
            model.subscriptions = world.subscriptions.length;
            world.setHeld(world.subscriptions.length > 0);
          },
          (model) => model.subscriptions > 0,
        ),
    ),
    weight: 4,
  },
  {
    arbitrary: fc.constantFrom('hidden' as const, 'wake' as const, 'freeze' as const).map(
      (event) =>
        new Step(`page ${event}`, (world) => {
          world.page.emit(event);
          if (event === 'freeze') world.frozen = true;
          if (event === 'wake' && world.frozen) {
            world.frozen = false;
            world.unfrozenAt = world.clock.trueNow;
          }
        }),
    ),
    weight: 2,
  },
  {
    arbitrary: peerArb.map(
      (spec) =>
        new Step(
          `peer tab says ${JSON.stringify(spec)}`,
          (world) => {
            const { message, jwt, identity } = peerMessage(world, spec);
            const delivered = world.injectPeerMessage(message);
            if (delivered > 0 && jwt !== undefined) world.backend.noteServed(jwt, identity!);
          },
          (model) => model.crossTab,
        ),
    ),
    weight: 6,
  },
  {
    arbitrary: fc.constant(
      new Step('stop()', async (world, model) => {
        model.stopped = true;
        await world.stop();
      }),
    ),
    weight: 1,
  },
);

const configArb: fc.Arbitrary<RunConfig> = fc.record({
  seed: fc.integer(),
  identity: fc.oneof({ arbitrary: fc.constant('alice' as const), weight: 4 }, { arbitrary: fc.constant(undefined), weight: 1 }),
  ttlSeconds: fc.constantFrom(3600, 3600, 600, 120),
  timeoutMs: fc.option(fc.integer({ min: 2000, max: 10_000 }), { nil: undefined }),
  baseDelayMs: fc.integer({ min: 200, max: 2000 }),
  maxDelayMs: fc.integer({ min: 5000, max: 20_000 }),
  refreshBeforeMs: fc.option(fc.integer({ min: 10 * SECOND, max: 10 * MINUTE }), { nil: undefined }),
  idleGraceMs: fc.option(fc.integer({ min: 0, max: 5000 }), { nil: undefined }),
  crossTab: fc.boolean(),
  wallOffsetMs: fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, { arbitrary: fc.integer({ min: -3 * HOUR, max: 3 * HOUR }), weight: 1 }),
  subscribeAtStart: fc.boolean(),
  monoStandsStillInSleep: fc.boolean(),
});

// ---------------------------------------------------------------------------------------------

async function runOnce(config: RunConfig, commands: Iterable<fc.AsyncCommand<Model, World>>): Promise<void> {
  const world = new World(config);
  currentWorld = world;
  try {
    const model: Model = { stopped: false, subscriptions: 0, crossTab: config.crossTab };
    if (config.subscribeAtStart) {
      world.subscriptions.push(world.manager.subscribe(() => undefined));
      model.subscriptions = 1;
      world.setHeld(true);
      await flush();
      world.check();
    }
    await fc.asyncModelRun(() => ({ model, real: world }), commands);
    await world.finish();
    world.throwIfViolated();
  } finally {
    if (SURVEY) {
      for (const [kind, { message, trace }] of world.violations) {
        const entry = survey.get(kind);
        if (entry) entry.runs++;
        else survey.set(kind, { runs: 1, example: `${message}\n${trace.join('\n')}` });
      }
    }
    if (!world.stopped) world.manager.stop();
    currentWorld = undefined;
  }
}

/**
 * The manager loads its cross-tab code lazily, which takes real time the first times: load it before
 * the runs (through the public API), so that virtual time alone drives them and a seed replays.
 */
async function warmUpCrossTab(): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    let opened = false;
    const clock = new VirtualClock();
    const manager = createTokenManager({
      fetchToken: () => new Promise<string>(() => undefined),
      scheduler: clock.scheduler,
      page: false,
      network: false,
      crossTab: {
        key: 'warm-up',
        locks: null,
        channel: () => {
          opened = true;
          return { post: () => undefined, subscribe: () => () => undefined, close: () => undefined };
        },
      },
    } as unknown as TokenManagerOptions);
    manager.subscribe(() => undefined);
    await flush();
    manager.stop();
    if (opened) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the cross-tab code did not load within 2 s');
}

describe('TokenManager under chaos (model-based, virtual time)', () => {
  beforeAll(warmUpCrossTab, 60_000);

  it(
    `keeps its behaviour bounds over ${NUM_RUNS} random runs`,
    async () => {
      // Any unhandled rejection during a run belongs to that run; vitest's own handlers go back after.
      const saved = process.listeners('unhandledRejection');
      process.removeAllListeners('unhandledRejection');
      const onUnhandled = (reason: unknown) => {
        if (currentWorld) currentWorld.unhandled.push(reason);
        else for (const listener of saved) listener(reason, Promise.resolve());
      };
      process.on('unhandledRejection', onUnhandled);
      const started = Date.now();
      let runs = 0;
      try {
        await fc.assert(
          fc.asyncProperty(configArb, fc.commands([commandArb], { maxCommands: MAX_COMMANDS, size: 'max' }), async (config, commands) => {
            runs++;
            await runOnce(config, commands);
          }),
          // No time limit: every run is made however busy the machine is (about 10 s alone, minutes under load).
          { seed: SEED, numRuns: NUM_RUNS },
        );
      } finally {
        process.off('unhandledRejection', onUnhandled);
        for (const listener of saved) process.on('unhandledRejection', listener);
        console.log(`model test: ${runs} runs in ${((Date.now() - started) / 1000).toFixed(1)} s (seed ${SEED})`);
        if (SURVEY) {
          const rows = [...survey].sort((a, b) => b[1].runs - a[1].runs);
          console.log(`survey: bounds broken, in how many of ${runs} runs:\n${rows.map(([kind, { runs: n }]) => `  ${kind}: ${n}`).join('\n')}`);
          for (const [kind, { example }] of rows) console.log(`\n=== first ${kind} ===\n${example}`);
        }
      }
      expect(runs).toBe(NUM_RUNS);
    },
    900_000,
  );
});
