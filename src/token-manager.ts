import { Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { abortable } from './abortable';
import { parseAccessToken, type AccessToken } from './access-token';
import { TokenError } from './errors';
import { httpTokenSource, type TokenRequestOptions } from './http-token-source';
import { scheduleAt } from './long-timer';
import {
  DEFAULT_RETRY,
  MIN_REQUEST_INTERVAL_MS,
  retryDelayMs,
  tokenTimeline,
  type RetryOptions,
  type TokenTimeline,
} from './refresh-policy';
import type { SharedToken } from './cross-tab/channel';
import type { CrossTab } from './cross-tab/cross-tab';
import { crossTabSetup, DEFAULT_PEER_WAIT_MS, type CrossTabOptions, type CrossTabSetup } from './cross-tab/cross-tab-options';
import { browserNetworkSignals, browserPageSignals, type NetworkSignals, type PageEvent, type PageSignals } from './page-signals';
import { customTokenSource, toTokenError, type FetchReason, type FetchToken, type TokenSource } from './token-source';
import { StateStore } from './state-store';
import { timeoutScheduler } from './timeout-scheduler';
import { sameState, type TokenState, type TokenStatus } from './token-state';

// A timer this late (throttled tab, sleeping machine) means the page was not running: say `wake`.
const LATE_TIMER_MS = 3000;
// The one timer never sleeps longer than this, so a machine that slept re-checks soon after waking
// even when the page gets no event.
const MAX_CHECK_INTERVAL_MS = 60_000;
// How long a new tab waits for a token another tab is fetching before fetching its own.
const PEER_FETCH_WAIT_MS = 5000;

interface CommonOptions {
  /**
   * How long before expiry to refresh. The default is capped at a quarter of the token's lifetime
   * (a 60 s token is refreshed 15 s early); a value you set is capped at half of it.
   * @default 300000 (5 minutes)
   */
  refreshBeforeMs?: number;
  /** Backoff for failed requests (full jitter). 401/403 are never retried until `refresh()`. */
  retry?: RetryOptions;
  /** Where all timing happens; pass a `TestScheduler` or use fake timers in tests. @default setTimeout and Date.now */
  scheduler?: SchedulerLike;
  /**
   * How long the manager keeps scheduling after its last subscriber leaves, so that React
   * StrictMode's unmount/remount does not refetch.
   * @default 1000
   */
  idleGraceMs?: number;
  /** Source of randomness for backoff jitter, in [0, 1). @default Math.random */
  random?: () => number;
  /**
   * One refresher for all tabs of this origin that use the same endpoint: the others adopt its tokens
   * over `BroadcastChannel`. `false` turns it off; a string (or `{ key }`) scopes it, e.g. per user.
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
        /** ky options for the request. @default { method: 'post', credentials: 'same-origin', timeout: 10000 } */
        request?: TokenRequestOptions;
        fetchToken?: never;
      }
    | {
        /** Any other transport. Pass `signal` on so `stop()` can cancel it. */
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
}

/** Keeps one Twilio Access Token fresh. Create it with {@link createTokenManager}. */
export interface TokenManager {
  /** Every state change; replays the current state. Subscribing starts the refresh schedule. */
  readonly state$: Observable<TokenState>;
  /** Each new valid token; replays the current one. Subscribing starts the refresh schedule. */
  readonly token$: Observable<AccessToken>;
  /** The current state. The same object until the state changes (for `useSyncExternalStore`). */
  getState(): TokenState;
  /**
   * Calls `listener` on every state change (not at once) and keeps the schedule running until the
   * returned function is called.
   */
  subscribe(listener: (state: TokenState) => void): () => void;
  /** A token valid for at least `minValidityMs`, fetching only when needed. */
  getToken(options?: GetTokenOptions): Promise<AccessToken>;
  /** Fetches a new token now (or joins the request in flight). */
  refresh(): Promise<AccessToken>;
  /** Cancels timers and any request in flight and completes the Observables. Later calls reject with `stopped`. */
  stop(): void;
}

interface HeldToken {
  token: AccessToken;
  timeline: TokenTimeline;
  /** Fetched by this manager (and so to be shared), or received from another tab. */
  origin: 'fetch' | 'peer';
}

interface Waiter {
  resolve(token: AccessToken): void;
  reject(error: unknown): void;
}

const noop = () => undefined;
/** A held token as another tab takes it. */
const toShared = ({ token, timeline }: HeldToken): SharedToken => ({ jwt: token.jwt, ...timeline });
const monotonicNow = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());
const stoppedError = () => new TokenError('stopped', 'The token manager was stopped');

class Manager implements TokenManager {
  readonly state$: Observable<TokenState>;
  readonly token$: Observable<AccessToken>;

  readonly #source: TokenSource;
  readonly #scheduler: SchedulerLike;
  readonly #refreshBeforeMs: number | undefined;
  readonly #retry: Required<RetryOptions>;
  readonly #idleGraceMs: number;
  readonly #random: () => number;
  readonly #store = new StateStore<TokenState>({ status: 'idle' });

  #current: HeldToken | undefined;
  // A fetched token whose `nbf` lies ahead: it replaces the current one only then.
  #pending: HeldToken | undefined;
  #adoptionWaiters: Waiter[] = [];
  #hadToken = false;
  #error: TokenError | undefined;
  #failures = 0;
  #retryAt: number | undefined;
  #halted: 'auth' | 'exhausted' | undefined;
  #inFlight: Promise<AccessToken> | undefined;
  #isRequesting = false;
  #abortController: AbortController | undefined;
  #lastSentAt = -Infinity;
  #timer: Subscription | undefined;
  #graceTimer: Subscription | undefined;
  #holders = 0;
  #isActive = false;
  #isStopped = false;
  // Browser signals and cross-tab sharing, live only while active.
  readonly #crossTabSetup: CrossTabSetup | undefined;
  readonly #page: PageSignals | undefined;
  readonly #network: NetworkSignals | undefined;
  #crossTab: CrossTab | undefined;
  #activations = 0;
  #unlisten: Array<() => void> = [];
  #isOffline = false;
  #lastIdentity: string | undefined;
  // A new tab first waits this long for the others' token.
  #peerWaitUntil: number | undefined;
  #peerWaiters: Array<() => void> = [];
  #wakeReason = false;

  constructor(options: TokenManagerOptions) {
    this.#scheduler = options.scheduler ?? timeoutScheduler;
    this.#refreshBeforeMs = options.refreshBeforeMs;
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    this.#idleGraceMs = options.idleGraceMs ?? 1000;
    this.#random = options.random ?? Math.random;
    this.#crossTabSetup = crossTabSetup(options.crossTab, options.url);
    this.#page = options.page === false ? undefined : (options.page ?? browserPageSignals());
    this.#network = options.network === false ? undefined : (options.network ?? browserNetworkSignals());
    if (options.fetchToken !== undefined) this.#source = customTokenSource(options.fetchToken);
    else if (options.url !== undefined) this.#source = httpTokenSource(options.url, options.request, this.#now);
    else throw new Error('createTokenManager needs either `url` (your token endpoint) or `fetchToken`.');
    this.state$ = new Observable<TokenState>((subscriber) => {
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
  }

  getState = (): TokenState => {
    if (!this.#isActive && !this.#isStopped) this.#evaluate();
    return this.#store.value;
  };

  subscribe = (listener: (state: TokenState) => void): (() => void) => {
    if (this.#isStopped) return noop;
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
    if (this.#isStopped) return Promise.reject(stoppedError());
    const { minValidityMs = 0, signal } = options;
    if (!this.#isActive) this.#evaluate();
    const current = this.#current;
    if (current !== undefined && current.timeline.expiresAt - this.#now() >= Math.max(minValidityMs, 1)) {
      return Promise.resolve(current.token);
    }
    if (this.#pending !== undefined) return abortable(this.#whenAdopted(this.#pending), signal);
    if (this.#peerWaitUntil !== undefined && current === undefined) {
      // Another tab may answer with its token in a moment; ask again then.
      const afterWait = new Promise<void>((resolve) => this.#peerWaiters.push(resolve));
      return abortable(afterWait.then(() => this.getToken({ minValidityMs })), signal);
    }
    // After a 401/403 only an explicit refresh() asks again: the user probably has to sign in.
    if (this.#halted === 'auth' && !this.#isRequesting && this.#error !== undefined) {
      return Promise.reject(this.#error);
    }
    return abortable(this.#fetch('demand'), signal);
  };

  refresh = (): Promise<AccessToken> => {
    if (this.#isStopped) return Promise.reject(stoppedError());
    return this.#fetch('refresh');
  };

  stop = (): void => {
    if (this.#isStopped) return;
    this.#isStopped = true;
    this.#timer?.unsubscribe();
    this.#graceTimer?.unsubscribe();
    this.#abortController?.abort();
    this.#stopSignals();
    for (const waiter of this.#adoptionWaiters.splice(0)) waiter.reject(stoppedError());
    this.#current = undefined;
    this.#pending = undefined;
    this.#store.set({ status: 'stopped' });
    this.#store.complete();
  };

  readonly #now = (): number => this.#scheduler.now();

  #retain(): void {
    if (this.#isStopped) return;
    this.#holders += 1;
    this.#graceTimer?.unsubscribe();
    this.#graceTimer = undefined;
    if (!this.#isActive) {
      this.#isActive = true;
      this.#startSignals();
      this.#evaluate();
    }
  }

  #release(): void {
    if (this.#isStopped) return;
    this.#holders -= 1;
    if (this.#holders > 0) return;
    this.#graceTimer = this.#scheduler.schedule(() => {
      this.#graceTimer = undefined;
      this.#isActive = false;
      this.#stopSignals();
      this.#evaluate();
    }, this.#idleGraceMs);
  }

  #startSignals(): void {
    if (this.#page) this.#unlisten.push(this.#page.subscribe((event) => this.#onPage(event)));
    if (this.#network) {
      this.#isOffline = !this.#network.isOnline();
      this.#unlisten.push(this.#network.subscribe((isOnline) => this.#onNetwork(isOnline)));
    }
    const config = this.#crossTabSetup;
    if (config === undefined) return;
    if (this.#current === undefined && this.#pending === undefined) {
      this.#peerWaitUntil = this.#now() + (config.options.peerWaitMs ?? DEFAULT_PEER_WAIT_MS);
    }
    // The sharing code is a chunk of its own: apps load it only here, in a browser, on first use.
    const activation = ++this.#activations;
    import('./cross-tab/cross-tab').then(({ CrossTab }) => {
      if (this.#activations !== activation || !this.#isActive || this.#isStopped) return;
      const crossTab = new CrossTab(config, this.#scheduler, {
        currentToken: () => this.#current && toShared(this.#current),
        isFetching: () => this.#isRequesting,
        peerIsFetching: () => this.#extendPeerWait(),
        receive: (token, timeline) => this.#receiveShared(token, timeline),
        expectedIdentity: () => this.#current?.token.identity ?? this.#lastIdentity ?? config.options.identity,
        newestExpiry: () => (this.#pending ?? this.#current)?.timeline.expiresAt ?? -Infinity,
        now: this.#now,
        parse: parseAccessToken,
        changed: () => this.#evaluate(),
        isVisible: () => this.#page?.isVisible() ?? true,
      });
      this.#crossTab = crossTab;
      // Alone in the browser: nobody will answer, so do not wait.
      crossTab.isAlone().then((isAlone) => {
        if (isAlone && this.#crossTab === crossTab && !crossTab.hasPeers) this.#endPeerWait();
      }, noop);
      this.#evaluate();
    }, noop);
  }

  #stopSignals(): void {
    this.#activations += 1;
    for (const unlisten of this.#unlisten.splice(0)) unlisten();
    this.#crossTab?.close();
    this.#crossTab = undefined;
    this.#isOffline = false;
    this.#endPeerWait(false);
  }

  /** Another tab is fetching: wait for its token a little longer (bounded, in case it fails). */
  #extendPeerWait(): void {
    if (this.#peerWaitUntil === undefined || this.#current !== undefined) return;
    this.#peerWaitUntil = Math.max(this.#peerWaitUntil, this.#now() + PEER_FETCH_WAIT_MS);
    this.#evaluate();
  }

  #endPeerWait(evaluate = true): void {
    if (this.#peerWaitUntil === undefined) return;
    this.#peerWaitUntil = undefined;
    for (const resolve of this.#peerWaiters.splice(0)) resolve();
    if (evaluate) this.#evaluate();
  }

  #onPage(event: PageEvent): void {
    this.#crossTab?.onPage(event);
    if (event !== 'wake') return;
    // Timers may have slept or been throttled: re-check against the clock now.
    this.#wakeReason = true;
    this.#evaluate();
  }

  #onNetwork(isOnline: boolean): void {
    this.#isOffline = !isOnline;
    if (isOnline) {
      // Back online: retry at once instead of finishing a backoff that waited for nothing.
      if (this.#retryAt !== undefined) this.#retryAt = this.#now();
      this.#wakeReason = true;
    }
    this.#evaluate();
  }

  /** Adopts a token another tab fetched; the cross-tab code has checked it is for us and newer. */
  #receiveShared(token: AccessToken, timeline: TokenTimeline): void {
    if (this.#isStopped || !this.#isActive) return;
    this.#accept({ token, timeline, origin: 'peer' });
  }

  #fetch(reason: FetchReason): Promise<AccessToken> {
    if (this.#inFlight !== undefined) return this.#inFlight;
    const controller = new AbortController();
    const sentAt = this.#now();
    this.#abortController = controller;
    this.#lastSentAt = sentAt;
    this.#isRequesting = true;
    const result = this.#request(reason, controller.signal, sentAt).then(
      (held) => {
        this.#settle();
        this.#onSuccess(held);
        const current = this.#current;
        return current?.token.jwt === held.token.jwt ? current.token : this.#whenAdopted(held);
      },
      (reason: unknown) => {
        this.#settle();
        const error = this.#isStopped ? stoppedError() : toTokenError(reason, controller.signal);
        this.#onFailure(error);
        throw error;
      },
    );
    result.catch(noop); // a background refresh has no caller; its failure lives in the state
    this.#inFlight = result;
    this.#evaluate();
    return result;
  }

  async #request(reason: FetchReason, signal: AbortSignal, sentAt: number): Promise<HeldToken> {
    const fetched = await this.#source({ signal, reason });
    if (this.#isStopped) throw stoppedError();
    const token = parseAccessToken(fetched.jwt);
    const receivedAt = this.#now();
    const timing = { sentAt, receivedAt, serverNow: fetched.serverNow };
    const timeline = tokenTimeline(token, timing, this.#refreshBeforeMs);
    if (timeline.expiresAt <= receivedAt) {
      throw new TokenError('invalid-token', 'Invalid Twilio Access Token: it had already expired when it arrived');
    }
    return { token, timeline, origin: 'fetch' };
  }

  #settle(): void {
    this.#inFlight = undefined;
    this.#abortController = undefined;
    this.#isRequesting = false;
  }

  #onSuccess(held: HeldToken): void {
    if (!this.#isStopped) this.#accept(held);
  }

  /** A good token, fetched or shared: failures are over, and it becomes current once usable. */
  #accept(held: HeldToken): void {
    this.#error = undefined;
    this.#failures = 0;
    this.#retryAt = undefined;
    this.#halted = undefined;
    // The same JWT again (tokens minted in the same second are identical): keep the older, safer timeline.
    if (this.#current?.token.jwt !== held.token.jwt) this.#pending = held;
    this.#evaluate();
  }

  #onFailure(error: TokenError): void {
    if (this.#isStopped) return;
    this.#error = error;
    this.#failures += 1;
    if (!error.retryable) {
      this.#halted = 'auth';
      this.#retryAt = undefined;
    } else if (this.#failures > this.#retry.limit) {
      this.#halted = 'exhausted';
      this.#retryAt = undefined;
    } else {
      this.#retryAt = this.#now() + retryDelayMs(this.#failures, this.#retry, this.#random, error.retryAfterMs);
    }
    this.#evaluate();
  }

  #whenAdopted(held: HeldToken): Promise<AccessToken> {
    if (this.#current === held) return Promise.resolve(held.token);
    return new Promise((resolve, reject) => this.#adoptionWaiters.push({ resolve, reject }));
  }

  /** Brings the state up to date with the clock, starts a due request and arms the one timer. */
  #evaluate(): void {
    if (this.#isStopped) return;
    this.#timer?.unsubscribe();
    this.#timer = undefined;
    const now = this.#now();

    const pending = this.#pending;
    if (pending !== undefined && now >= pending.timeline.usableAt) {
      this.#pending = undefined;
      this.#current = pending;
      this.#hadToken = true;
      this.#lastIdentity = pending.token.identity;
      if (pending.origin === 'fetch') this.#crossTab?.share(toShared(pending));
      for (const waiter of this.#adoptionWaiters.splice(0)) waiter.resolve(pending.token);
    }
    if (this.#current !== undefined && now >= this.#current.timeline.expiresAt) this.#current = undefined;
    if (this.#peerWaitUntil !== undefined && (this.#current !== undefined || now >= this.#peerWaitUntil)) {
      this.#endPeerWait(false);
    }

    const requestAt = this.#nextRequestAt();
    const isWake = this.#wakeReason;
    this.#wakeReason = false;
    if (requestAt !== undefined && requestAt <= now) {
      const reason: FetchReason = isWake
        ? 'wake'
        : this.#retryAt !== undefined
          ? 'retry'
          : this.#current
            ? 'scheduled'
            : 'initial';
      void this.#fetch(reason); // #fetch re-evaluates once the request is marked in flight
      return;
    }
    if (this.#isActive) {
      const wakeAt = Math.min(
        this.#pending?.timeline.usableAt ?? Infinity,
        this.#current?.timeline.expiresAt ?? Infinity,
        requestAt ?? Infinity,
        this.#peerWaitUntil ?? Infinity,
      );
      if (wakeAt !== Infinity) this.#arm(Math.min(wakeAt, now + MAX_CHECK_INTERVAL_MS));
    }
    this.#publish(requestAt);
  }

  /** Arms the one timer; when it fires late (throttled, asleep), the check that follows says `wake`. */
  #arm(dueAt: number): void {
    const armedAt = this.#now();
    const armedAtMonotonic = monotonicNow();
    this.#timer = scheduleAt(this.#scheduler, dueAt, () => {
      const now = this.#now();
      const firedLate = now - dueAt > LATE_TIMER_MS;
      // The wall clock ran on while the monotonic one stood still: the machine slept.
      const slept = now - armedAt - (monotonicNow() - armedAtMonotonic) > LATE_TIMER_MS;
      if (firedLate || slept) this.#wakeReason = true;
      this.#evaluate();
    });
  }

  /** When the background schedule wants the next request, if it wants one. */
  #nextRequestAt(): number | undefined {
    if (!this.#isActive || this.#isRequesting || this.#halted !== undefined || this.#pending !== undefined) {
      return undefined;
    }
    // Offline, a request can only fail: wait for the `online` event.
    if (this.#isOffline) return undefined;
    const planned = this.#retryAt ?? this.#plannedRefreshAt() ?? this.#peerWaitUntil ?? -Infinity;
    return Math.max(planned, this.#lastSentAt + MIN_REQUEST_INTERVAL_MS);
  }

  /**
   * When the held token should be refreshed by this tab. The refresher goes at `refreshAt`; another
   * tab waits until halfway through the refresh window, and refreshes itself only if no token came.
   */
  #plannedRefreshAt(): number | undefined {
    const held = this.#current;
    if (held === undefined) return undefined;
    const { refreshAt, expiresAt } = held.timeline;
    const isFollower = this.#crossTab !== undefined && !this.#crossTab.isLeader;
    return isFollower ? refreshAt + (expiresAt - refreshAt) / 2 : refreshAt;
  }

  #status(): TokenStatus {
    if (this.#isRequesting) return 'fetching';
    if (this.#current !== undefined) return this.#error === undefined ? 'valid' : 'error';
    if (this.#hadToken) return 'expired';
    return this.#error === undefined ? 'idle' : 'error';
  }

  #publish(nextRefreshAt: number | undefined): void {
    const state: TokenState = {
      status: this.#status(),
      ...(this.#current && {
        token: this.#current.token,
        expiresAt: this.#current.timeline.expiresAt,
        refreshAt: this.#current.timeline.refreshAt,
      }),
      ...(this.#error && { error: this.#error }),
      ...(nextRefreshAt !== undefined && { nextRefreshAt }),
      ...(this.#isOffline && { offline: true as const }),
      ...(this.#crossTab && { role: this.#crossTab.isLeader ? ('refresher' as const) : ('follower' as const) }),
    };
    if (!sameState(state, this.#store.value)) this.#store.set(state);
  }
}

/**
 * Creates a manager that fetches a Twilio Access Token from your backend, decodes it, refreshes it
 * before it expires, retries with backoff and emits every change. Nothing happens until the first
 * subscriber or `getToken()`.
 *
 * @example
 * const manager = createTokenManager({ url: '/api/token' });
 * const unsubscribe = manager.subscribe((state) => render(state));
 * const { jwt } = await manager.getToken();
 */
export function createTokenManager(options: TokenManagerOptions): TokenManager {
  return new Manager(options);
}
