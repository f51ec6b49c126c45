import { TokenError, type FetchTokenContext, type FetchReason } from 'twilio-token-lifecycle';
import { mintTestToken } from 'twilio-token-lifecycle/testing';
import type { VirtualClock } from './virtual-clock';

/** What one token request gets back. `ok` is a good token for the backend's identity. */
export type Fault =
  | { kind: 'ok' }
  | { kind: '401' }
  | { kind: '403' }
  | { kind: '429'; retryAfterMs: number }
  | { kind: '503'; retryAfterMs: number }
  | { kind: '500' }
  | { kind: 'socket' }
  | { kind: 'html' }
  | { kind: 'garbage'; text: string }
  /** A well-formed token issued two hours ago with a one-hour lifetime. */
  | { kind: 'expired' }
  /** A fresh token whose `nbf` is a day ahead. */
  | { kind: 'not-before' }
  /** A fresh token for another identity. */
  | { kind: 'mallory' }
  /** Never settles and ignores the abort signal: the manager must give up on its own. */
  | { kind: 'hang' };

export interface Answer {
  fault: Fault;
  /** Virtual ms before the answer arrives (an abort of the request's signal cuts it short). */
  latencyMs: number;
}

/** One fetchToken call, as the backend saw it. */
export interface BackendCall {
  readonly index: number;
  /** True time (the server's clock) when the call was made. */
  readonly at: number;
  readonly reason: FetchReason;
  readonly signal: AbortSignal;
  readonly answer: Answer;
  /** The JWT the answer carries, if it carries one. */
  readonly jwt: string | undefined;
  /** True time the answer reached the manager; undefined while out, or if it never did. */
  deliveredAt: number | undefined;
  /** True time the signal aborted the call, if it did before the answer (a hang notes it too). */
  abortedAt: number | undefined;
}

/** A token the backend (or a peer tab) handed to the manager, with what the server knows of it. */
export interface ServedToken {
  readonly jwt: string;
  readonly identity: string;
  /** `iat` and `exp` (epoch ms, server clock). */
  readonly issuedAt: number;
  readonly expiresAt: number;
  /**
   * Already expired when served, and no token the manager fetched and took before tells that the
   * server's clock is past its expiry: it cannot tell it is stale without trusting the client's clock.
   */
  readonly undetectablyStale: boolean;
}

export interface ChaosBackendOptions {
  identity?: string;
  ttlSeconds?: number;
  /** Latency of healthy answers, capped at {@link HEALTHY_LATENCY_MS}. @default 0 */
  healthyLatencyMs?: () => number;
  /** The manager's request timeout: a Retry-After arriving later than this is one it never saw. */
  timeoutMs: number;
  /** Called synchronously on every fetchToken call, before it is answered (to check request spacing). */
  onCall?: (call: BackendCall) => void;
  /** Called when a call's answer reaches the manager, or its signal aborts it (a timeout, stop()). */
  onSettle?: (call: BackendCall) => void;
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** An answer this quick (or quicker) with a good token counts as healthy. */
export const HEALTHY_LATENCY_MS = 300;

/** What the client's clocks had been through by some moment (see {@link ChaosBackend.blindMs}). */
interface ClockReading {
  monoPaused: number;
  wallOffset: number;
}

function claimsOf(jwt: string): { issuedAt: number; expiresAt: number } {
  const claims = JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { iat: number; exp: number };
  return { issuedAt: claims.iat * 1000, expiresAt: claims.exp * 1000 };
}

/**
 * A token endpoint that fails on cue: a queue of scripted answers, then (or during an outage) one
 * fault for every request; healthy answers are fresh tokens minted on the server clock
 * (`clock.trueNow`). It records every call, every token served, and the Retry-After window the
 * manager was told about.
 */
export class ChaosBackend {
  readonly calls: BackendCall[] = [];
  readonly served = new Map<string, ServedToken>();
  readonly identity: string;
  readonly ttlSeconds: number;
  #queue: Answer[] = [];
  #outage: Answer | undefined;
  /** True time until which the manager was told (Retry-After) not to ask. */
  retryAfterUntil = -Infinity;
  /** The latest Retry-After the manager may have read (its answer came just before the timeout). */
  retryAfterMaybeUntil = -Infinity;
  /** The same on the monotonic clock: after a sleep it did not count, a manager may wait out the rest. */
  retryAfterUntilMono = -Infinity;
  /** True time of the last moment the backend would have answered a fault (see {@link healthySince}). */
  #lastFaultAt: number;
  /**
   * Fetched tokens the manager took: each tells it, from then on, that the server's clock is at least
   * `iat + elapsed` (elapsed as its clocks can tell: see {@link blindMs}).
   */
  readonly #calibrations: Array<{ bound: number; clocks: ClockReading }> = [];
  /** When each JWT the manager got started its life on the client's clocks: the request, or the peer's message. */
  readonly #reference = new Map<string, ClockReading>();
  readonly #fetched = new Set<string>();
  readonly #calibrated = new Set<string>();

  constructor(
    private readonly clock: VirtualClock,
    private readonly options: ChaosBackendOptions,
  ) {
    this.identity = options.identity ?? 'alice';
    this.ttlSeconds = options.ttlSeconds ?? 3600;
    this.#lastFaultAt = clock.trueNow;
  }

  /** Since when (true time) every request has got, and would get, a good token; undefined while not. */
  get healthySince(): number | undefined {
    return this.#queue.length === 0 && this.#outage === undefined ? this.#lastFaultAt : undefined;
  }

  get queued(): readonly Answer[] {
    return this.#queue;
  }

  get outage(): Answer | undefined {
    return this.#outage;
  }

  /** The next requests get these answers, in order (after any already queued). */
  respondWith(...answers: Answer[]): void {
    this.#queue.push(...answers);
    if (answers.some((answer) => !this.#isHealthy(answer))) this.#lastFaultAt = this.clock.trueNow;
  }

  /** Every request gets this answer until {@link heal}. */
  startOutage(answer: Answer): void {
    this.#outage = answer;
    this.#lastFaultAt = this.clock.trueNow;
  }

  /** Drops the queue and ends any outage. Answers already out still arrive as they were. */
  heal(): void {
    if (this.#queue.length > 0 || this.#outage !== undefined) this.#lastFaultAt = this.clock.trueNow;
    this.#queue = [];
    this.#outage = undefined;
  }

  /** Mints a token on the server clock and records it as served once it is handed over. */
  mint(options: { identity?: string; issuedAt?: number; ttlSeconds?: number; notBefore?: number } = {}): string {
    return mintTestToken({
      identity: options.identity ?? this.identity,
      issuedAt: options.issuedAt ?? this.clock.trueNow,
      ttlSeconds: options.ttlSeconds ?? this.ttlSeconds,
      ...(options.notBefore !== undefined && { notBefore: options.notBefore }),
    });
  }

  /**
   * How much real time, since `since`, neither of the client's clocks can have seen: a clock set back
   * (by J) and a sleep its monotonic clock did not count (S) together hide min(J, S). A manager that
   * expires tokens by whichever clock says sooner is late by at most this; no manager can do better.
   */
  blindMs(since: ClockReading): number {
    const setBack = since.wallOffset - this.clock.wallOffset;
    const unseenSleep = this.clock.monoPaused - since.monoPaused;
    return Math.max(0, Math.min(setBack, unseenSleep));
  }

  /** {@link blindMs} since the JWT's life began on the client (0 for one it never got). */
  blindMsFor(jwt: string): number {
    const reference = this.#reference.get(jwt);
    return reference === undefined ? 0 : this.blindMs(reference);
  }

  #readClocks(): ClockReading {
    return { monoPaused: this.clock.monoPaused, wallOffset: this.clock.wallOffset };
  }

  /** Records that a JWT reached the manager (an answer, or a peer tab's message). */
  noteServed(jwt: string, identity: string): void {
    if (this.served.has(jwt)) return;
    if (!this.#reference.has(jwt)) this.#reference.set(jwt, this.#readClocks());
    const { issuedAt, expiresAt } = claimsOf(jwt);
    const now = this.clock.trueNow;
    // Stale, and no token the manager fetched and took before proves the server's clock is past its expiry.
    const serverClockBound = Math.max(-Infinity, ...this.#calibrations.map(({ bound, clocks }) => bound - this.blindMs(clocks)));
    // Or it looks freshly minted by the monotonic clock, the only one that never runs fast: refusing it
    // on the wall clock's word would refuse every fresh token after the wall clock is set forward.
    const monoBound = Math.max(-Infinity, ...this.#calibrations.map(({ bound, clocks }) => bound - (this.clock.monoPaused - clocks.monoPaused)));
    const looksFresh = issuedAt >= now + monoBound - 5000;
    const undetectablyStale = expiresAt <= now && (now + serverClockBound < expiresAt + 1000 || looksFresh);
    this.served.set(jwt, { jwt, identity, issuedAt, expiresAt, undetectablyStale });
  }

  /**
   * Records that the manager holds (or handed out) a JWT: one it fetched itself tells it the server's
   * clock, from its `iat`; one another tab sent is not counted as evidence.
   */
  noteHeld(jwt: string): void {
    if (!this.#fetched.has(jwt) || this.#calibrated.has(jwt)) return;
    this.#calibrated.add(jwt);
    this.#calibrations.push({ bound: claimsOf(jwt).issuedAt - this.clock.trueNow, clocks: this.#readClocks() });
  }

  readonly fetchToken = (context: FetchTokenContext): Promise<string> => {
    const answer = this.#queue.shift() ?? this.#outage ?? { fault: { kind: 'ok' as const }, latencyMs: this.#healthyLatency() };
    if (!this.#isHealthy(answer)) this.#lastFaultAt = this.clock.trueNow;
    const { jwt, identity } = this.#tokenFor(answer.fault);
    if (jwt !== undefined) this.#reference.set(jwt, this.#readClocks());
    const call: BackendCall = {
      index: this.calls.length,
      at: this.clock.trueNow,
      reason: context.reason,
      signal: context.signal,
      answer,
      jwt,
      deliveredAt: undefined,
      abortedAt: undefined,
    };
    this.calls.push(call);
    this.options.onCall?.(call);
    if (answer.fault.kind === 'hang') {
      // Note the abort, but never settle.
      const noteAbort = () => {
        call.abortedAt ??= this.clock.trueNow;
        this.options.onSettle?.(call);
      };
      if (context.signal.aborted) noteAbort();
      else context.signal.addEventListener('abort', noteAbort, { once: true });
      return new Promise<string>(() => undefined);
    }

    return new Promise<string>((resolve, reject) => {
      const deliver = () => {
        context.signal.removeEventListener('abort', onAbort);
        call.deliveredAt = this.clock.trueNow;
        const fault = answer.fault;
        // Only an answer that came before the manager's timeout was one it could have read.
        if ((fault.kind === '429' || fault.kind === '503') && answer.latencyMs < this.options.timeoutMs - 5) {
          this.retryAfterUntil = Math.max(this.retryAfterUntil, this.clock.trueNow + fault.retryAfterMs);
          this.retryAfterUntilMono = Math.max(this.retryAfterUntilMono, this.clock.mono + fault.retryAfterMs);
        }
        // Within a few ms of the timeout nobody can say whether the manager read it: a retry may wait for it.
        if ((fault.kind === '429' || fault.kind === '503') && answer.latencyMs < this.options.timeoutMs) {
          this.retryAfterMaybeUntil = Math.max(this.retryAfterMaybeUntil, this.clock.trueNow + fault.retryAfterMs);
        }
        if (jwt !== undefined) {
          this.#fetched.add(jwt);
          this.noteServed(jwt, identity!);
          resolve(jwt);
        } else if (fault.kind === 'html') resolve('<html>oops</html>');
        else if (fault.kind === 'garbage') resolve(fault.text);
        else reject(this.#error(fault));
        this.options.onSettle?.(call);
      };
      const timer = this.clock.setTimer(deliver, answer.latencyMs);
      // Like fetch: an abort cuts the request short (only a hang ignores it).
      const onAbort = () => {
        this.clock.clearTimer(timer);
        call.abortedAt = this.clock.trueNow;
        reject(new DOMException('The operation was aborted.', 'AbortError'));
        this.options.onSettle?.(call);
      };
      if (context.signal.aborted) onAbort();
      else context.signal.addEventListener('abort', onAbort, { once: true });
    });
  };

  #healthyLatency(): number {
    return Math.min(HEALTHY_LATENCY_MS, this.options.healthyLatencyMs?.() ?? 0);
  }

  /** A good token, promptly. */
  #isHealthy(answer: Answer): boolean {
    return answer.fault.kind === 'ok' && answer.latencyMs <= HEALTHY_LATENCY_MS;
  }

  #tokenFor(fault: Fault): { jwt?: string; identity?: string } {
    const now = this.clock.trueNow;
    switch (fault.kind) {
      case 'ok':
        return { jwt: this.mint(), identity: this.identity };
      case 'expired':
        return { jwt: this.mint({ issuedAt: now - 2 * HOUR, ttlSeconds: 3600 }), identity: this.identity };
      case 'not-before':
        return { jwt: this.mint({ notBefore: now + DAY }), identity: this.identity };
      case 'mallory':
        return { jwt: this.mint({ identity: 'mallory' }), identity: 'mallory' };
      default:
        return {};
    }
  }

  #error(fault: Fault): unknown {
    switch (fault.kind) {
      case '401':
        return new TokenError('unauthorized', 'Token request failed with status 401', { status: 401, retryable: false });
      case '403':
        return new TokenError('forbidden', 'Token request failed with status 403', { status: 403, retryable: false });
      case '429':
      case '503':
        return new TokenError('http', `Token request failed with status ${fault.kind}`, {
          status: Number(fault.kind),
          retryAfterMs: fault.retryAfterMs,
        });
      case '500':
        return new TokenError('http', 'Token request failed with status 500', { status: 500 });
      case 'socket':
        return new TypeError('fetch failed');
      default:
        return new Error(`unexpected fault ${fault.kind}`);
    }
  }
}
