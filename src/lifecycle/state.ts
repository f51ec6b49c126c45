import type { AccessToken } from '../access-token';
import type { TokenError } from '../errors';
import type { RetryOptions } from '../refresh-policy';
import type { Now, Stamp } from './clock';
import type { ClockOffset, Placement } from './placement';

/** Why the manager is asking for a token. */
export type FetchReason = 'initial' | 'scheduled' | 'retry' | 'refresh' | 'demand' | 'hint' | 'wake';

/** A token as one tab passes it to the others, with its timeline on the shared wall clock. */
export interface SharedToken {
  jwt: string;
  usableAt: number;
  refreshAt: number;
  expiresAt: number;
}

/** A token the manager holds or waits to use. */
export interface HeldToken extends Placement {
  readonly token: AccessToken;
  readonly origin: 'fetched' | 'tab';
  /** The request that fetched it (`-1` for a token from another tab). */
  readonly requestId: number;
}

export interface InFlight {
  readonly id: number;
  readonly reason: FetchReason;
  readonly sentAt: Stamp;
  /** When the manager gives up on it (its own timeout, whatever the transport does). */
  readonly deadline: Stamp;
}

/** A caller waiting in `getToken()` or `refresh()`. */
export interface Demand {
  readonly id: number;
  readonly kind: 'get' | 'refresh' | 'hint';
  readonly minValidityMs: number;
  /** Only a token (or failure) from this request or a later one answers a `refresh()`. */
  readonly fromRequest: number;
}

/** A failed request, remembered until a token comes. */
export interface Failure {
  readonly error: TokenError;
  readonly requestId: number;
  /** The identity of the token refused, when a token was. */
  readonly identity?: string | undefined;
}

/** What stays fixed for a manager's life. */
export interface LifecycleConfig {
  readonly refreshBeforeMs: number | undefined;
  readonly retry: Required<RetryOptions>;
  readonly timeoutMs: number;
  readonly peerWaitMs: number;
  /** Whether tokens are shared with other tabs. */
  readonly isShared: boolean;
}

/** The whole lifecycle, as one immutable value. An optional field is `undefined` when unset. */
export interface LifecycleState {
  readonly phase: 'idle' | 'active' | 'stopped';
  readonly current?: HeldToken | undefined;
  /** A token whose `nbf` is still ahead; it replaces `current` then. */
  readonly pending?: HeldToken | undefined;
  readonly hasHadToken: boolean;
  /**
   * The identity this manager is bound to: the `identity` option, else its first token's (`null` when
   * that token had none); `undefined` until then.
   */
  readonly identity: string | null | undefined;
  readonly failure?: Failure | undefined;
  /** Consecutive failed requests. */
  readonly failures: number;
  /** The next background retry, after a failure. */
  readonly retryAt?: Stamp | undefined;
  /** The server's `Retry-After`: no request of any kind before it. */
  readonly quietUntil?: Stamp | undefined;
  /** Why background requests stopped until `refresh()`, if they did. */
  readonly halted?: 'auth' | 'identity' | 'config' | 'exhausted' | undefined;
  /**
   * This tab's own request was refused for good (401/403, identity mismatch, misconfigured) and none
   * has succeeded since: it leaves the refresher role to the other tabs. Another tab's token does not
   * end it; only a token of its own does.
   */
  readonly cannotRefresh?: boolean | undefined;
  readonly request?: InFlight | undefined;
  readonly nextRequestId: number;
  readonly lastSentAt?: Stamp | undefined;
  readonly isOffline: boolean;
  readonly role?: 'refresher' | 'follower' | undefined;
  /** A new tab waits this long for the others' token before fetching its own. */
  readonly peerWaitUntil?: Stamp | undefined;
  /** The server's clock against ours, once known. */
  readonly clockOffset?: ClockOffset | undefined;
  /** The last event was a wake-up: a request planned now says `wake`. */
  readonly isWaking: boolean;
  readonly demands: readonly Demand[];
  readonly config: LifecycleConfig;
}

/** A manager's state before anything happened; the fields left out start `undefined`. */
export const initialState = (config: LifecycleConfig, identity: string | undefined): LifecycleState => ({
  phase: 'idle',
  hasHadToken: false,
  identity,
  failures: 0,
  nextRequestId: 0,
  isOffline: false,
  isWaking: false,
  demands: [],
  config,
});

/** Everything that can happen to a manager. Each carries `now`: the rules never read a clock. */
export type LifecycleEvent =
  | { readonly type: 'activated'; readonly now: Now; readonly isOnline: boolean }
  | { readonly type: 'deactivated'; readonly now: Now }
  | { readonly type: 'stopped'; readonly now: Now }
  /** A timer fired, or someone read the state: time has passed. */
  | { readonly type: 'tick'; readonly now: Now }
  /** The page woke, or a timer fired so late that it must have slept. */
  /**
   * The page woke, or a timer fired late. `hasSlept`: the machine (probably) slept, rather than a
   * throttled tab's timer coming late while the page ran on.
   */
  | { readonly type: 'wake'; readonly now: Now; readonly hasSlept: boolean }
  | { readonly type: 'network'; readonly now: Now; readonly isOnline: boolean }
  | { readonly type: 'demand-added'; readonly now: Now; readonly demand: Omit<Demand, 'fromRequest'> }
  | { readonly type: 'demand-dropped'; readonly now: Now; readonly id: number }
  | { readonly type: 'request-started'; readonly now: Now; readonly reason: FetchReason }
  /** `random` in [0, 1) draws the backoff jitter (a refused token is a failure too), so the rules stay deterministic. */
  | { readonly type: 'token-received'; readonly now: Now; readonly id: number; readonly jwt: string; readonly serverNow?: number | undefined; readonly random: number }
  | { readonly type: 'request-failed'; readonly now: Now; readonly id: number; readonly error: TokenError; readonly random: number }
  | { readonly type: 'token-offered'; readonly now: Now; readonly token: SharedToken }
  | { readonly type: 'peer-fetching'; readonly now: Now }
  | { readonly type: 'peers-absent'; readonly now: Now }
  | { readonly type: 'role-changed'; readonly now: Now; readonly role: 'refresher' | 'follower' | undefined };
