// The options of `createTokenManager` in one place: their types, the checks that run once at creation
// (a NaN that slips in becomes a timer loop or a retry that never comes) and the defaults.
import type { CrossTabOptions, CrossTabSetup } from './cross-tab/cross-tab-options';
import { redactTokens } from './errors';
import { httpTokenSource, type TokenRequestOptions } from './http-token-source';
import type { LifecycleConfig } from './lifecycle/state';
import { browserNetworkSignals, browserPageSignals, type NetworkSignals, type PageSignals } from './page-signals';
import type { RetryOptions } from './refresh-policy';
import { timeoutScheduler, type TokenScheduler } from './timeout-scheduler';
import type { TokenEvent } from './token-events';
import { customTokenSource, type FetchToken, type TokenSource } from './token-source';
import { withDefaults } from './with-defaults';

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

/** How long one request may take, unless `timeoutMs` (or `request.timeout`) says otherwise. */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** How long the schedule outlives the last subscriber, unless `idleGraceMs` says otherwise. */
export const DEFAULT_IDLE_GRACE_MS = 1000;
/** The backoff, field by field, where `retry` is silent. */
export const DEFAULT_RETRY: Required<RetryOptions> = { limit: Infinity, baseDelayMs: 1000, maxDelayMs: 60_000 };
/** How long a new tab waits for the others' token, unless `crossTab.peerWaitMs` says otherwise. */
export const DEFAULT_PEER_WAIT_MS = 150;

/** What a valid value is, and how the error message says it. */
export type Rule = readonly [isValid: (value: any) => boolean, expected: string];
/** A rule for each field of an object option, named `option.field`. */
type FieldRules<Option extends string, T> = { readonly [Field in keyof T & string as `${Option}.${Field}`]-?: Rule };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
/** A number ≥ `min`, finite unless `allowInfinity`. */
const number = (min: number, allowInfinity = false): Rule => [
  (value) => typeof value === 'number' && value >= min && (allowInfinity || value < Infinity),
  `a ${allowInfinity ? '' : 'finite '}number ≥ ${min}`,
];
/** An object with these methods (its other fields are not looked at). */
const methods = (...names: string[]): Rule => [
  (value) => isObject(value) && names.every((name) => typeof value[name] === 'function'),
  `an object with ${names.join('() and ')}()`,
];
/** `rule`, or the one value `other` (`false` or `null`). */
const or = (other: false | null, [isValid, expected]: Rule): Rule => [(value) => value === other || isValid(value), `${other} or ${expected}`];
const FUNCTION: Rule = [(value) => typeof value === 'function', 'a function'];
const OBJECT: Rule = [isObject, 'an object'];
const NON_EMPTY_STRING: Rule = [(value) => typeof value === 'string' && value !== '', 'a non-empty string'];

/**
 * A rule for every option, and every field of `retry` and `crossTab`, keyed by the real option types:
 * an option or field added to them without a rule does not compile.
 */
export type OptionRules = { readonly [Name in keyof TokenManagerOptions]-?: Rule } &
  FieldRules<'retry', RetryOptions> &
  FieldRules<'crossTab', CrossTabOptions> &
  Pick<FieldRules<'scheduler', TokenScheduler>, 'scheduler.monotonicNow'> &
  Pick<FieldRules<'request', TokenRequestOptions>, 'request.timeout'>;

// An absent (`undefined`) option is always valid; a field is checked when its option holds one.
const RULES: OptionRules = {
  url: [(value) => NON_EMPTY_STRING[0](value) || value instanceof URL, 'a non-empty string or a URL'],
  fetchToken: FUNCTION,
  request: OBJECT,
  identity: NON_EMPTY_STRING,
  refreshBeforeMs: number(0),
  retry: OBJECT,
  timeoutMs: number(1),
  scheduler: methods('schedule', 'now'),
  idleGraceMs: number(0),
  random: FUNCTION,
  onEvent: FUNCTION,
  crossTab: [(value) => typeof value === 'boolean' || NON_EMPTY_STRING[0](value) || isObject(value), 'a boolean, a non-empty string or an object'],
  page: or(false, methods('isVisible', 'subscribe')),
  network: or(false, methods('isOnline', 'subscribe')),
  'retry.limit': number(0, true),
  'retry.baseDelayMs': number(0),
  'retry.maxDelayMs': number(0),
  'crossTab.key': NON_EMPTY_STRING,
  'crossTab.identity': NON_EMPTY_STRING,
  'crossTab.channel': FUNCTION,
  'crossTab.locks': or(null, methods('request')),
  'crossTab.peerWaitMs': number(0),
  'scheduler.monotonicNow': FUNCTION,
  // The default `timeoutMs`; `false` turns ky's own timeout off, as the manager always does.
  'request.timeout': or(false, number(1)),
};

/** A value as an error message shows it: an object or function by its kind only. */
const describe = (value: unknown) => (typeof value === 'function' ? 'a function' : isObject(value) ? 'an object' : typeof value === 'string' ? `"${value}"` : String(value));

/**
 * Validates the options of `createTokenManager`, every one of them, so that misuse fails at once and
 * says how to fix it.
 *
 * @throws {TypeError} naming the first malformed option; an Error unless exactly one of `url` and `fetchToken` is given.
 */
export function checkOptions(options: TokenManagerOptions): void {
  const fail = (name: string, value: unknown, rule: string): never => {
    // A JWT passed where a function belongs (`fetchToken: jwt`) must not reach a log whole.
    throw new TypeError(redactTokens(`createTokenManager: option \`${name}\` must be ${rule}, got ${describe(value)}`));
  };
  if (!isObject(options)) fail('options', options, 'an object');
  for (const [path, [isValid, expected]] of Object.entries(RULES) as Array<[string, Rule]>) {
    // `crossTab: 'key'` has no fields: reading one of a string gives undefined.
    const value = path.split('.').reduce<any>((parent, name) => parent?.[name], options);
    if (value !== undefined && !isValid(value)) fail(path, value, expected);
  }
  const { url, fetchToken } = options;
  if ((url === undefined) === (fetchToken === undefined)) {
    throw new Error('createTokenManager needs either `url` or `fetchToken`, not both');
  }
}

/** The options with every default filled in: what the manager runs on. */
export interface ResolvedOptions {
  readonly scheduler: TokenScheduler;
  /** `random`, or `Math.random`, answering in [0, 1) whatever it is given. */
  readonly random: () => number;
  readonly onEvent: ((event: TokenEvent) => void) | undefined;
  readonly idleGraceMs: number;
  /** `undefined` when tokens are not shared with other tabs. */
  readonly crossTab: CrossTabSetup | undefined;
  /** `undefined` when there is none, or it is turned off. */
  readonly page: PageSignals | undefined;
  readonly network: NetworkSignals | undefined;
  /** `url` (through ky) or `fetchToken`. */
  readonly source: TokenSource;
  /** What the lifecycle keeps fixed for the manager's life. */
  readonly config: LifecycleConfig;
  /** The identity the manager starts bound to, if any. */
  readonly identity: string | undefined;
}

/** Checks the options ({@link checkOptions}) and fills in every default. */
export function resolveOptions(options: TokenManagerOptions): ResolvedOptions {
  checkOptions(options);
  const scheduler = options.scheduler ?? timeoutScheduler;
  const userRandom = options.random ?? Math.random;
  const crossTab = crossTabSetup(options.crossTab, options.url);
  return {
    scheduler,
    // A jitter source that answers NaN or 7 must not turn the backoff into a loop.
    random: () => {
      const value = userRandom();
      return value >= 0 && value < 1 ? value : 0.5;
    },
    onEvent: options.onEvent,
    idleGraceMs: options.idleGraceMs ?? DEFAULT_IDLE_GRACE_MS,
    crossTab,
    page: options.page === false ? undefined : (options.page ?? browserPageSignals()),
    network: options.network === false ? undefined : (options.network ?? browserNetworkSignals()),
    source: options.fetchToken
      ? customTokenSource(options.fetchToken)
      : httpTokenSource(options.url, options.request, () => scheduler.now()),
    config: {
      refreshBeforeMs: options.refreshBeforeMs,
      retry: withDefaults(DEFAULT_RETRY, options.retry),
      timeoutMs: options.timeoutMs ?? (options.request?.timeout || DEFAULT_TIMEOUT_MS),
      peerWaitMs: crossTab?.options.peerWaitMs ?? DEFAULT_PEER_WAIT_MS,
      isShared: crossTab !== undefined,
    },
    identity: options.identity ?? crossTab?.options.identity,
  };
}

/**
 * Reads the `crossTab` option. On by default in a browser (a `document` and `BroadcastChannel`) for a
 * `url` manager; a `fetchToken` manager shares only with an explicit `key`, since nothing else tells
 * which tabs use the same backend.
 */
export function crossTabSetup(
  option: boolean | string | CrossTabOptions | undefined,
  url: string | URL | undefined,
): CrossTabSetup | undefined {
  const options: CrossTabOptions = typeof option === 'string' ? { key: option } : (typeof option === 'object' && option) || {};
  // Off when turned off; by default, outside a page; without a channel to share over; or with nothing
  // telling which tabs use the same backend.
  if (
    option === false ||
    (option == null && typeof document === 'undefined') ||
    (options.channel === undefined && typeof BroadcastChannel === 'undefined') ||
    (url === undefined && options.key === undefined)
  ) {
    return undefined;
  }
  return { options, url };
}
