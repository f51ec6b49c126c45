import { Observable, type SchedulerLike, type Subscriber, type Subscription } from 'rxjs';
import type { AccessToken } from './access-token';
import type { CrossTab, CrossTabEvent } from './cross-tab/cross-tab';
import { crossTabSetup, DEFAULT_PEER_WAIT_MS, type CrossTabOptions, type CrossTabSetup } from './cross-tab/cross-tab-options';
import { TokenError } from './errors';
import { httpTokenSource, type TokenRequestOptions } from './http-token-source';
import type { Now } from './lifecycle/clock';
import { noticesOf } from './lifecycle/notices';
import { decide, plan, type Plan } from './lifecycle/plan';
import { reduce } from './lifecycle/reduce';
import { initialState, type Demand, type LifecycleEvent, type LifecycleState } from './lifecycle/state';
import { view } from './lifecycle/view';
import { checkOptions } from './options';
import { browserNetworkSignals, browserPageSignals, type NetworkSignals, type PageSignals } from './page-signals';
import { DEFAULT_RETRY, type RetryOptions } from './refresh-policy';
import { StateStore } from './state-store';
import { timeoutScheduler } from './timeout-scheduler';
import type { TokenEvent } from './token-events';
import { customTokenSource, toTokenError, type FetchReason, type FetchToken, type TokenSource } from './token-source';
import { sameState, type TokenState } from './token-state';

// A timer this late (throttled tab, sleeping machine) means the page was not running: say `wake`.
const LATE_TIMER_MS = 3000;
// setTimeout fires at once for delays past 2^31−1 ms; the plan is re-checked when it fires anyway.
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Where all timing happens: an rxjs scheduler, plus (optionally) a monotonic clock. The manager reads
 * the wall clock with `now()` and the monotonic one with `monotonicNow()` (`now()` when absent), and
 * nothing else: a virtual scheduler drives it completely.
 */
export type TokenScheduler = SchedulerLike & { monotonicNow?: () => number };

interface CommonOptions {
  /**
   * The identity this manager is for. A token for anyone else is refused (`identity-mismatch`).
   * @default the identity of the first token it holds
   */
  identity?: string;
  /**
   * How long before expiry to refresh. The default is capped at a quarter of the token's lifetime
   * (a 60 s token is refreshed 15 s early); a value you set is capped at half of it.
   * @default 300000 (5 minutes)
   */
  refreshBeforeMs?: number;
  /** Backoff for failed requests (full jitter). 401/403 are never retried until `refresh()`. */
  retry?: RetryOptions;
  /** How long one request may take before it is aborted and retried, for `url` and `fetchToken` alike. @default 10000 */
  timeoutMs?: number;
  /** Where all timing happens; pass a virtual scheduler or use fake timers in tests. @default setTimeout, Date.now and performance.now */
  scheduler?: TokenScheduler;
  /**
   * How long the manager keeps scheduling after its last subscriber leaves, so that React
   * StrictMode's unmount/remount does not refetch.
   * @default 1000
   */
  idleGraceMs?: number;
  /** Source of randomness for backoff jitter, in [0, 1). @default Math.random */
  random?: () => number;
  /** Called with every {@link TokenEvent} (requests, tokens, failures, refusals, roles, wake, offline). */
  onEvent?: (event: TokenEvent) => void;
  /**
   * One refresher for all tabs of this origin that use the same endpoint: the others adopt its tokens
   * over `BroadcastChannel`, only for this manager's identity. `false` turns it off; a string (or
   * `{ key }`) scopes it, e.g. per user.
   * @default on in browsers for a `url` manager; off for `fetchToken` unless a key is given
   */
  crossTab?: boolean | string | CrossTabOptions;
  /** Page lifecycle (visibility, wake, freeze). `false` ignores it. @default the browser's, where there is one */
  page?: PageSignals | false;
  /** Online status; retries pause while offline. `false` ignores it. @default the browser's, where there is one */
  network?: NetworkSignals | false;
}

/** Options of {@link createTokenManager}: a `url` to fetch from, or your own `fetchToken`. */
export type TokenManagerOptions = CommonOptions &
  (
    | {
        /** Your backend's token endpoint. It answers JSON `{ "token": "<jwt>" }` or the bare JWT. */
        url: string | URL;
        /** ky options for the request. @default { method: 'post', credentials: 'same-origin' } */
        request?: TokenRequestOptions;
        fetchToken?: never;
      }
    | {
        /** Any other transport. Pass `signal` on so `stop()` and the timeout can cancel it. */
        fetchToken: FetchToken;
        url?: never;
        request?: never;
      }
  );

/** Options of {@link TokenManager.getToken}. */
export interface GetTokenOptions {
  /** The token must stay valid at least this long; otherwise a new one is fetched. @default 0 */
  minValidityMs?: number;
  /** Stops waiting (rejects with code `aborted`); the shared request goes on for others. */
  signal?: AbortSignal;
  /** Why the token is wanted, as `events$` and `fetchToken` see it. The adapters say `hint`. @default 'demand' */
  reason?: 'demand' | 'hint';
}

/** Keeps one Twilio Access Token fresh. Create it with {@link createTokenManager}. */
export interface TokenManager {
  /** Every state change; replays the current state. Subscribing starts the refresh schedule. */
  readonly state$: Observable<TokenState>;
  /** Each new valid token; replays the current one. Subscribing starts the refresh schedule. */
  readonly token$: Observable<AccessToken>;
  /**
   * What happens, as it happens: each request and why, each token taken, each failure and refusal,
   * role changes, wake and offline. Does not replay, does not start the schedule; never carries a JWT.
   */
  readonly events$: Observable<TokenEvent>;
  /** The current state, checked against the clock. The same object until the state changes (for `useSyncExternalStore`). */
  getState(): TokenState;
  /**
   * Calls `listener` on every state change (not at once) and keeps the schedule running until the
   * returned function is called.
   */
  subscribe(listener: (state: TokenState) => void): () => void;
  /**
   * A token valid for at least `minValidityMs`, fetching only when needed. Rejects (never hangs) with
   * a `TokenError`: the failure of the request it waited for, the 401/403 that halted the manager,
   * the last failure while the server's `Retry-After` lasts (`error.retryAt` says when), `aborted`,
   * or `stopped`.
   */
  getToken(options?: GetTokenOptions): Promise<AccessToken>;
  /** Fetches a new token now (or joins the request in flight). At most one request a second goes out. */
  refresh(): Promise<AccessToken>;
  /** Cancels timers and any request in flight and completes the Observables. Later calls reject with `stopped`. */
  stop(): void;
}

interface Waiter {
  resolve(token: AccessToken): void;
  reject(error: unknown): void;
}

const noop = () => undefined;
const stoppedError = () => new TokenError('stopped', 'The token manager was stopped');
const hasMonotonicClock = typeof performance !== 'undefined' && typeof performance.now === 'function';

class Manager implements TokenManager {
  readonly state$: Observable<TokenState>;
  readonly token$: Observable<AccessToken>;
  readonly events$: Observable<TokenEvent>;

  readonly #source: TokenSource;
  readonly #scheduler: TokenScheduler;
  readonly #random: () => number;
  readonly #idleGraceMs: number;
  readonly #onEvent: ((event: TokenEvent) => void) | undefined;
  readonly #store = new StateStore<TokenState>({ status: 'idle' });
  readonly #eventSubscribers = new Set<Subscriber<TokenEvent>>();
  readonly #crossTabSetup: CrossTabSetup | undefined;
  readonly #page: PageSignals | undefined;
  readonly #network: NetworkSignals | undefined;

  #state: LifecycleState;
  readonly #queue: LifecycleEvent[] = [];
  #isDraining = false;
  readonly #waiters = new Map<number, Waiter>();
  #nextDemandId = 0;
  #inFlight: { id: number; controller: AbortController } | undefined;
  #timer: Subscription | undefined;
  #graceTimer: Subscription | undefined;
  #holders = 0;
  #crossTab: CrossTab | undefined;
  #activations = 0;
  #unlisten: Array<() => void> = [];

  constructor(options: TokenManagerOptions) {
    checkOptions(options);
    this.#scheduler = options.scheduler ?? timeoutScheduler;
    this.#random = options.random ?? Math.random;
    this.#idleGraceMs = options.idleGraceMs ?? 1000;
    this.#onEvent = options.onEvent;
    this.#crossTabSetup = crossTabSetup(options.crossTab, options.url);
    this.#page = options.page === false ? undefined : (options.page ?? browserPageSignals());
    this.#network = options.network === false ? undefined : (options.network ?? browserNetworkSignals());
    const timeoutMs = options.timeoutMs ?? (options.request?.timeout || DEFAULT_TIMEOUT_MS);
    this.#source =
      options.fetchToken !== undefined
        ? customTokenSource(options.fetchToken)
        : httpTokenSource(options.url, { timeout: false, ...options.request }, () => this.#scheduler.now());
    const crossTabOptions = this.#crossTabSetup?.options;
    this.#state = initialState(
      {
        refreshBeforeMs: options.refreshBeforeMs,
        retry: { ...DEFAULT_RETRY, ...options.retry },
        timeoutMs,
        peerWaitMs: crossTabOptions?.peerWaitMs ?? DEFAULT_PEER_WAIT_MS,
        isShared: this.#crossTabSetup !== undefined,
      },
      options.identity ?? crossTabOptions?.identity,
    );
    this.state$ = new Observable<TokenState>((subscriber) => {
      this.#sync(true);
      const subscription = this.#store.observable.subscribe(subscriber);
      this.#retain();
      return () => {
        subscription.unsubscribe();
        this.#release();
      };
    });
    this.token$ = new Observable<AccessToken>((subscriber) => {
      let last: AccessToken | undefined;
      return this.state$.subscribe({
        next: ({ token }) => {
          if (token !== undefined && token !== last) subscriber.next((last = token));
        },
        complete: () => subscriber.complete(),
      });
    });
    this.events$ = new Observable<TokenEvent>((subscriber) => {
      if (this.#state.phase === 'stopped') return subscriber.complete();
      this.#eventSubscribers.add(subscriber);
      return () => this.#eventSubscribers.delete(subscriber);
    });
  }

  getState = (): TokenState => {
    this.#sync(true);
    return this.#store.value;
  };

  subscribe = (listener: (state: TokenState) => void): (() => void) => {
    if (this.#state.phase === 'stopped') return noop;
    // Listen first, so the change that starting causes (idle → fetching) is heard too.
    const unlisten = this.#store.listen(listener);
    this.#retain();
    let isSubscribed = true;
    return () => {
      if (!isSubscribed) return;
      isSubscribed = false;
      unlisten();
      this.#release();
    };
  };

  getToken = (options: GetTokenOptions = {}): Promise<AccessToken> => {
    const { minValidityMs = 0, signal, reason } = options;
    if (!(minValidityMs >= 0 && minValidityMs < Infinity)) {
      return Promise.reject(new TypeError(`getToken: \`minValidityMs\` must be a finite number ≥ 0, got ${String(minValidityMs)}`));
    }
    return this.#demand(reason === 'hint' ? 'hint' : 'get', minValidityMs, signal);
  };

  refresh = (): Promise<AccessToken> => this.#demand('refresh', 0, undefined);

  stop = (): void => {
    if (this.#state.phase === 'stopped') return;
    this.#timer?.unsubscribe();
    this.#graceTimer?.unsubscribe();
    this.#stopSignals();
    this.#dispatch({ type: 'stopped', now: this.#now() });
    this.#inFlight?.controller.abort(stoppedError());
    this.#inFlight = undefined;
    const waiters = [...this.#waiters.values()];
    this.#waiters.clear();
    for (const waiter of waiters) waiter.reject(stoppedError());
    this.#store.complete();
    for (const subscriber of [...this.#eventSubscribers]) subscriber.complete();
    this.#eventSubscribers.clear();
  };

  readonly #now = (): Now => {
    const scheduler = this.#scheduler;
    const wall = scheduler.now();
    const mono = scheduler.monotonicNow
      ? scheduler.monotonicNow()
      : scheduler === timeoutScheduler && hasMonotonicClock
        ? performance.now()
        : wall;
    return { wall, mono };
  };

  #demand(kind: Demand['kind'], minValidityMs: number, signal: AbortSignal | undefined): Promise<AccessToken> {
    if (this.#state.phase === 'stopped') return Promise.reject(stoppedError());
    const aborted = () => new TokenError('aborted', 'Waiting for a token was aborted', { cause: signal?.reason });
    if (signal?.aborted) return Promise.reject(aborted());
    this.#sync();
    const id = this.#nextDemandId++;
    return new Promise<AccessToken>((resolve, reject) => {
      const onAbort = () => {
        if (!this.#waiters.delete(id)) return;
        reject(aborted());
        this.#dispatch({ type: 'demand-dropped', now: this.#now(), id });
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => signal?.removeEventListener('abort', onAbort);
      this.#waiters.set(id, {
        resolve: (token) => (done(), resolve(token)),
        reject: (error) => (done(), reject(error)),
      });
      this.#dispatch({ type: 'demand-added', now: this.#now(), demand: { id, kind, minValidityMs } });
    });
  }

  /** Brings the state up to the clock. A read defers the listeners, so a render never triggers one. */
  #sync(isRead = false): void {
    if (this.#state.phase === 'stopped') return;
    this.#isRead = isRead;
    this.#dispatch({ type: 'tick', now: this.#now() });
    this.#isRead = false;
  }

  #isRead = false;

  /**
   * The runtime's one loop: applies each event to the pure lifecycle, carries out what the plan says
   * (start a request, give up on one, settle callers, arm the timer) and publishes the snapshot.
   * Events raised meanwhile (a listener calling `refresh()`) queue behind.
   */
  #dispatch(event: LifecycleEvent): void {
    this.#queue.push(event);
    if (this.#isDraining) return;
    this.#isDraining = true;
    try {
      for (;;) {
        while (this.#queue.length > 0) this.#apply(this.#queue.shift()!);
        if (this.#state.phase === 'stopped') {
          this.#publish({});
          break;
        }
        const now = this.#now();
        this.#settleDemands(now);
        const next = plan(this.#state, now);
        if (next.timedOut !== undefined) {
          const error = new TokenError('timeout', `Token request timed out after ${this.#state.config.timeoutMs} ms`);
          this.#queue.push({ type: 'request-failed', now, id: next.timedOut, error, random: this.#random() });
          continue;
        }
        if (next.request !== undefined) {
          this.#queue.push({ type: 'request-started', now, reason: next.request });
          continue;
        }
        this.#abandonStaleRequest();
        this.#arm(next, now);
        this.#publish(next);
        if (this.#queue.length === 0) break;
      }
    } finally {
      this.#isDraining = false;
    }
  }

  #apply(event: LifecycleEvent): void {
    const prev = this.#state;
    const next = reduce(prev, event);
    this.#state = next;
    if (event.type === 'request-started' && next.request !== undefined) this.#startRequest(next.request.id, event.reason);
    const { current } = next;
    if (current !== undefined && current !== prev.current && current.origin === 'fetched' && current.token !== prev.current?.token) {
      this.#crossTab?.share({
        jwt: current.token.jwt,
        usableAt: current.usableAt.wall,
        refreshAt: current.refreshAt.wall,
        expiresAt: current.expiresAt.wall,
      });
    }
    for (const notice of noticesOf(prev, event, next)) this.#emit(notice);
  }

  #emit(notice: TokenEvent): void {
    try {
      this.#onEvent?.(notice);
    } catch (error) {
      // A throwing listener is the app's bug: report it, but never let it break the lifecycle.
      queueMicrotask(() => {
        throw error;
      });
    }
    for (const subscriber of [...this.#eventSubscribers]) subscriber.next(notice);
  }

  #startRequest(id: number, reason: FetchReason): void {
    const controller = new AbortController();
    this.#inFlight = { id, controller };
    let result: Promise<{ jwt: string; serverNow?: number | undefined }>;
    try {
      result = this.#source({ signal: controller.signal, reason });
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(
      ({ jwt, serverNow }) => {
        if (this.#inFlight?.id === id) this.#inFlight = undefined;
        this.#dispatch({ type: 'token-received', now: this.#now(), id, jwt, serverNow, random: this.#random() });
      },
      (error: unknown) => {
        if (this.#inFlight?.id === id) this.#inFlight = undefined;
        // An abort we asked for (stop, timeout) has already been accounted for; any other is a network failure.
        this.#dispatch({ type: 'request-failed', now: this.#now(), id, error: toTokenError(error, controller.signal), random: this.#random() });
      },
    );
  }

  /** Aborts the transport of a request the lifecycle has given up on (timed out). */
  #abandonStaleRequest(): void {
    const inFlight = this.#inFlight;
    if (inFlight !== undefined && inFlight.id !== this.#state.request?.id) {
      this.#inFlight = undefined;
      inFlight.controller.abort(new TokenError('timeout', 'Token request timed out'));
    }
  }

  #settleDemands(now: Now): void {
    for (const demand of this.#state.demands) {
      const decision = decide(this.#state, demand, now);
      if (decision === undefined) continue;
      this.#state = reduce(this.#state, { type: 'demand-dropped', now, id: demand.id });
      const waiter = this.#waiters.get(demand.id);
      this.#waiters.delete(demand.id);
      if ('token' in decision) waiter?.resolve(decision.token);
      else waiter?.reject(decision.error);
    }
  }

  /** Arms the one timer; when it fires late (throttled, asleep), the check that follows is a `wake`. */
  #arm(next: Plan, armedAt: Now): void {
    this.#timer?.unsubscribe();
    this.#timer = undefined;
    if (next.wakeInMs === undefined) return;
    const delay = Math.min(Math.max(0, Math.ceil(next.wakeInMs)), MAX_TIMEOUT_MS);
    this.#timer = this.#scheduler.schedule(() => {
      this.#timer = undefined;
      const now = this.#now();
      const firedLate = now.mono - armedAt.mono - delay > LATE_TIMER_MS;
      // The wall clock ran on while the monotonic one stood still: the machine slept.
      const slept = now.wall - armedAt.wall - (now.mono - armedAt.mono) > LATE_TIMER_MS;
      this.#dispatch({ type: firedLate || slept ? 'wake' : 'tick', now });
    }, delay);
  }

  #publish(next: Plan): void {
    const state = view(this.#state, next);
    if (!sameState(state, this.#store.value)) this.#store.set(state, this.#isRead);
  }

  #retain(): void {
    if (this.#state.phase === 'stopped') return;
    this.#holders += 1;
    this.#graceTimer?.unsubscribe();
    this.#graceTimer = undefined;
    if (this.#state.phase === 'idle') {
      this.#startSignals();
      this.#dispatch({ type: 'activated', now: this.#now(), isOnline: this.#network?.isOnline() ?? true });
    }
  }

  #release(): void {
    if (this.#state.phase === 'stopped') return;
    this.#holders -= 1;
    if (this.#holders > 0) return;
    this.#graceTimer = this.#scheduler.schedule(() => {
      this.#graceTimer = undefined;
      this.#stopSignals();
      this.#dispatch({ type: 'deactivated', now: this.#now() });
    }, this.#idleGraceMs);
  }

  #startSignals(): void {
    const page = this.#page;
    const network = this.#network;
    if (page) {
      this.#unlisten.push(
        page.subscribe((event) => {
          this.#crossTab?.onPage(event);
          // Timers may have slept or been throttled: re-check against the clock now.
          if (event === 'wake') this.#dispatch({ type: 'wake', now: this.#now() });
        }),
      );
    }
    if (network) {
      this.#unlisten.push(network.subscribe((isOnline) => this.#dispatch({ type: 'network', now: this.#now(), isOnline })));
    }
    const setup = this.#crossTabSetup;
    if (setup === undefined) return;
    // The sharing code is a chunk of its own: apps load it only here, in a browser, on first use.
    const activation = ++this.#activations;
    import('./cross-tab/cross-tab').then(({ CrossTab }) => {
      if (this.#activations !== activation || this.#state.phase !== 'active') return;
      this.#crossTab = new CrossTab(setup, this.#scheduler, {
        snapshot: () => {
          const { current, request } = this.#state;
          return {
            token: current && {
              jwt: current.token.jwt,
              usableAt: current.usableAt.wall,
              refreshAt: current.refreshAt.wall,
              expiresAt: current.expiresAt.wall,
            },
            isFetching: request !== undefined,
            isVisible: page?.isVisible() ?? true,
          };
        },
        send: (event: CrossTabEvent) => this.#dispatch({ ...event, now: this.#now() }),
        now: () => this.#scheduler.now(),
      });
    }, noop);
  }

  #stopSignals(): void {
    this.#activations += 1;
    for (const unlisten of this.#unlisten.splice(0)) unlisten();
    this.#crossTab?.close();
    this.#crossTab = undefined;
  }
}

/**
 * Creates a manager that fetches a Twilio Access Token from your backend, decodes it, refreshes it
 * before it expires, retries with backoff and emits every change. Nothing happens until the first
 * subscriber or `getToken()`. It is bound to one identity (the `identity` option, else its first
 * token's): switching users means a new manager.
 *
 * @throws {TypeError} when an option is malformed (a non-finite or negative number, say), naming it.
 * @example
 * const manager = createTokenManager({ url: '/api/token' });
 * const unsubscribe = manager.subscribe((state) => render(state));
 * const { jwt } = await manager.getToken();
 */
export function createTokenManager(options: TokenManagerOptions): TokenManager {
  return new Manager(options);
}
