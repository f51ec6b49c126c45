import { noop, Observable, type Subscription } from 'rxjs';
import type { AccessToken } from './access-token';
import type { CrossTab } from './cross-tab/cross-tab';
import { abortedError } from './errors';
import type { Now } from './lifecycle/clock';
import type { Answer, Effect } from './lifecycle/effects';
import { stoppedError } from './lifecycle/reduce';
import { sharedToken } from './lifecycle/shared-token';
import { initialState, type Demand, type LifecycleEvent } from './lifecycle/state';
import { step } from './lifecycle/step';
import { timerEvent } from './lifecycle/timer-check';
import { resolveOptions, type GetTokenOptions, type TokenManagerOptions } from './options';
import { stateStore } from './state-store';
import type { TokenScheduler } from './timeout-scheduler';
import type { TokenEvent } from './token-events';
import { toTokenError, type FetchReason } from './token-source';
import { sameState, type TokenState } from './token-state';

export type { GetTokenOptions, TokenManagerOptions } from './options';
export type { TokenScheduler } from './timeout-scheduler';

// setTimeout fires at once for delays past 2^31−1 ms; the plan is re-checked when it fires anyway.
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

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
  /**
   * Where the manager times everything (the `scheduler` option, else `setTimeout` and `Date.now`). The
   * adapters time their own waits with it, so a virtual scheduler drives them too.
   */
  readonly scheduler: TokenScheduler;
}

/** Settles a waiting `getToken()` or `refresh()`. */
type Settle = (answer: Answer) => void;

/** A lifecycle event before the runtime stamps it with the clock (and fills in the fields `Filled`). */
type Unstamped<E = LifecycleEvent, Filled extends string = never> = E extends LifecycleEvent ? Omit<E, 'now' | Filled> : never;

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
  const { scheduler, random, onEvent, idleGraceMs, crossTab: setup, page, network, source, config, identity } = resolveOptions(options);
  const store = stateStore<TokenState>({ status: 'idle' });
  // `events$`: no replay; the last event is kept only as the store's value.
  const events = stateStore<TokenEvent | undefined>(undefined, false);
  let state = initialState(config, identity);
  const queue: LifecycleEvent[] = [];
  let isDraining = false;
  let isRead = false;
  const waiters = new Map<number, Settle>();
  let nextDemandId = 0;
  // The transports of requests in flight, by id: the lifecycle says when to start and abort them.
  const requests = new Map<number, AbortController>();
  let timer: Subscription | undefined;
  let graceTimer: Subscription | undefined;
  let holders = 0;
  let crossTab: CrossTab | undefined;
  let activations = 0;
  const unlisten: Array<() => void> = [];

  // Set by stop() at once, even when it is called from a listener while the loop runs (only stop()
  // sends the `stopped` event, so this is also true once the state is stopped).
  let hasStopped = false;

  const clock = (): Now => {
    const wall = scheduler.now();
    return { wall, mono: scheduler.monotonicNow?.() ?? wall };
  };

  /** Dispatches an event stamped with the clock now. */
  const send = (event: Unstamped) => dispatch({ ...event, now: clock() } as LifecycleEvent);

  /** Brings the state up to the clock. A read defers the listeners, so a render never triggers one. */
  function sync(read = false): void {
    if (hasStopped) return;
    isRead = read;
    send({ type: 'tick' });
    isRead = false;
  }

  /**
   * The runtime's one loop: each event goes through the pure lifecycle, which says what to do; this
   * carries it out and publishes the snapshot. Events raised meanwhile (a listener calling
   * `refresh()`) queue behind.
   */
  function dispatch(event: LifecycleEvent): void {
    // After the stop nothing is queued: a late answer's JWT must not stay in memory.
    if (state.phase === 'stopped') return;
    queue.push(event);
    if (isDraining) return;
    isDraining = true;
    try {
      while (queue.length && state.phase !== 'stopped') {
        const next = step(state, queue.shift()!, random);
        state = next.state;
        // Once stop() is called (from a listener, mid-step), only the stop's own effects are carried out
        // and only its state published: no event, answer, request, share, timer or state of the step
        // that was running, nor of those queued.
        for (const effect of next.effects) {
          if (hasStopped && state.phase !== 'stopped') break;
          try {
            carryOut(effect);
          } catch (error) {
            // A throwing listener or channel is the app's bug: report it, but never let it break the
            // lifecycle (the effects after it, an answer or the timer, must still happen).
            queueMicrotask(() => {
              throw error;
            });
          }
        }
        if (!sameState(next.snapshot, store.value) && (!hasStopped || state.phase === 'stopped')) store.set(next.snapshot, isRead);
      }
    } finally {
      isDraining = false;
      if (hasStopped && state.phase === 'stopped') finishStop();
    }
  }

  function carryOut(effect: Effect): void {
    switch (effect.type) {
      case 'send':
        return startRequest(effect.id, effect.reason);
      case 'abort':
        requests.get(effect.id)?.abort(effect.error);
        requests.delete(effect.id);
        return;
      case 'settle': {
        const settle = waiters.get(effect.id);
        waiters.delete(effect.id);
        return settle?.(effect.answer);
      }
      case 'share':
        return crossTab?.share(effect.token);
      case 'refreshable':
        return crossTab?.onRefreshable();
      case 'emit':
        try {
          return onEvent?.(effect.event);
        } finally {
          // Even when `onEvent` throws.
          events.set(effect.event);
        }
      case 'wake-at':
        return arm(effect.inMs, effect.from);
    }
  }

  /** What stop() does once the loop has published the stopped state: nothing may outlive it. */
  function finishStop(): void {
    queue.length = 0;
    timer?.unsubscribe();
    graceTimer?.unsubscribe();
    stopSignals();
    for (const controller of requests.values()) controller.abort(stoppedError());
    // Callers whose demand was still queued when the stop came (settling one changes no map).
    for (const settle of waiters.values()) settle({ error: stoppedError() });
    requests.clear();
    waiters.clear();
    store.complete();
    events.complete();
  }

  function startRequest(id: number, reason: FetchReason): void {
    const controller = new AbortController();
    requests.set(id, controller);
    // The answer, with the jitter a failure (or a refused token) backs off by.
    const settle = (event: Unstamped<Extract<LifecycleEvent, { type: 'token-received' | 'request-failed' }>, 'id' | 'random'>) => {
      requests.delete(id);
      send({ ...event, id, random: random() });
    };
    // Both sources are async functions: a failure is a rejection, never a throw.
    source({ signal: controller.signal, reason }).then(
      ({ jwt, serverNow }) => settle({ type: 'token-received', jwt, serverNow }),
      // An abort we asked for (stop, timeout) has already been accounted for; any other is a network failure.
      (error: unknown) => settle({ type: 'request-failed', error: toTokenError(error, controller.signal) }),
    );
  }

  /** Arms the one timer; when it fires late (throttled, asleep), the check that follows is a `wake`. */
  function arm(wakeInMs: number | undefined, armedAt: Now): void {
    // A timer that fired is forgotten: a scheduler may give its id to another timer (setTimeout may),
    // which unsubscribing the old handle would cancel. (Unsubscribing a Subscription twice does nothing.)
    timer?.unsubscribe();
    if (wakeInMs === undefined) return;
    const delay = Math.min(Math.max(0, Math.ceil(wakeInMs)), MAX_TIMEOUT_MS);
    timer = scheduler.schedule(() => {
      timer = undefined;
      dispatch(timerEvent(armedAt, delay, clock()));
    }, delay);
  }

  /** Keeps the schedule running until the returned function is called (it acts once). */
  function retain(): () => void {
    if (hasStopped) return noop;
    holders += 1;
    graceTimer?.unsubscribe();
    if (state.phase === 'idle') {
      startSignals();
      send({ type: 'activated', isOnline: network?.isOnline() ?? true });
    }
    let isHeld = true;
    return () => {
      if (!isHeld || hasStopped) return;
      isHeld = false;
      holders -= 1;
      if (holders > 0) return;
      graceTimer = scheduler.schedule(() => {
        graceTimer = undefined;
        stopSignals();
        send({ type: 'deactivated' });
      }, Math.min(idleGraceMs, MAX_TIMEOUT_MS));
    };
  }

  function startSignals(): void {
    if (page) {
      unlisten.push(
        page.subscribe((event) => {
          crossTab?.onPage(event);
          // Timers may have slept or been throttled: re-check against the clock now.
          if (event === 'wake') send({ type: 'wake', hasSlept: true });
        }),
      );
    }
    if (network) unlisten.push(network.subscribe((isOnline) => send({ type: 'network', isOnline })));
    if (!setup) return;
    // The sharing code is a chunk of its own: apps load it only here, in a browser, on first use.
    const activation = ++activations;
    import('./cross-tab/cross-tab').then(({ openCrossTab }) => {
      if (activations !== activation || state.phase !== 'active') return;
      // A channel that cannot open (a bad factory) leaves this tab on its own, never an unhandled rejection.
      crossTab = openCrossTab(setup, scheduler, {
        snapshot: () => ({
          token: state.current && sharedToken(state.current, clock()),
          isFetching: state.request !== undefined,
          isVisible: page?.isVisible() ?? true,
          cannotRefresh: state.cannotRefresh,
        }),
        send,
        now: () => scheduler.now(),
      });
    }).catch(noop);
  }

  function stopSignals(): void {
    activations += 1;
    for (const stop of unlisten.splice(0)) stop();
    crossTab?.close();
    crossTab = undefined;
  }

  /** Queues a caller until the lifecycle answers it (see `decide`). */
  function demand(kind: Demand['kind'], minValidityMs: number, signal: AbortSignal | undefined): Promise<AccessToken> {
    return new Promise<AccessToken>((resolve, reject) => {
      // After the read: a listener it sets off (an `expired` one) may stop the manager, or abort the signal.
      sync();
      if (hasStopped) return reject(stoppedError());
      if (signal?.aborted) return reject(abortedError(signal));
      const id = nextDemandId++;
      const onAbort = () => {
        if (!waiters.delete(id)) return;
        reject(abortedError(signal!));
        send({ type: 'demand-dropped', id });
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      waiters.set(id, (answer) => {
        signal?.removeEventListener('abort', onAbort);
        if ('token' in answer) resolve(answer.token);
        else reject(answer.error);
      });
      send({ type: 'demand-added', demand: { id, kind, minValidityMs } });
    });
  }

  const state$ = new Observable<TokenState>((subscriber) => {
    sync(true);
    const subscription = store.observable.subscribe(subscriber);
    const release = retain();
    return () => {
      subscription.unsubscribe();
      release();
    };
  });

  return {
    state$,
    token$: new Observable<AccessToken>((subscriber) => {
      let last: AccessToken | undefined;
      return state$.subscribe({
        next: ({ token }) => {
          if (token && token !== last) subscriber.next((last = token));
        },
        complete: () => subscriber.complete(),
      });
    }),
    events$: events.observable as Observable<TokenEvent>,
    getState: () => {
      sync(true);
      return store.value;
    },
    subscribe: (listener) => {
      if (hasStopped) return noop;
      // Listen first, so the change that starting causes (idle → fetching) is heard too.
      const unlistenState = store.listen(listener);
      const release = retain();
      return () => {
        unlistenState();
        release();
      };
    },
    getToken: (options) => {
      const { minValidityMs = 0, signal, reason } = options ?? {};
      return typeof minValidityMs === 'number' && minValidityMs >= 0 && minValidityMs < Infinity
        ? demand(reason === 'hint' ? 'hint' : 'get', minValidityMs, signal)
        : Promise.reject(new TypeError(`getToken: \`minValidityMs\` must be a finite number ≥ 0, got ${String(minValidityMs)}`));
    },
    refresh: () => demand('refresh', 0, undefined),
    scheduler,
    stop: () => {
      if (hasStopped) return;
      // Stopped first, so nothing that closing the signals sets off (a role change) arms a timer. From
      // inside a listener the loop is running: it publishes the stopped state, then finishes the stop.
      hasStopped = true;
      send({ type: 'stopped' });
    },
  };
}
