import type { Subscription } from 'rxjs';
import { parseAccessToken, type AccessToken } from '../access-token';
import { TokenError } from '../errors';
import type { TokenManager } from '../token-manager';

// `any` so the SDKs' own listener types (typed per event) are accepted without casts.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Listener = (...args: any[]) => void;

/** The part of an SDK client an adapter uses: a token setter and its token events. */
export interface TokenClient<Event extends string> {
  updateToken(token: string): unknown;
  on(event: Event, listener: Listener): unknown;
  removeListener(event: Event, listener: Listener): unknown;
}

/** Options of every `attach*` adapter. */
export interface AttachOptions {
  /**
   * The JWT the client was created with, so it is not handed to it again.
   * @default the token the client reports (Voice), else the manager's current token
   */
  createdWith?: string;
  /**
   * The identity the client belongs to; a token for anyone else is never handed to it.
   * @default the identity of `createdWith`, else of the first token handed
   */
  identity?: string;
  /**
   * Called with a `TokenError` when `updateToken` throws or rejects (code `update-failed`), a token
   * for another identity arrives (code `identity-mismatch`), or the SDK's server refuses a token (code
   * `token-rejected`, the SDK's code in `serverError.code`).
   * @default logs the error's message with console.warn
   */
  onError?: (error: TokenError) => void;
}

/** Undoes an `attach*`: removes every listener it added and releases the manager. */
export type Detach = () => void;

/**
 * How {@link attachClient} drives a client: which of its events are warnings, which mean the token is
 * gone, and where it says which token it holds. The five adapters are such specs.
 */
export interface ClientSpec<Event extends string> extends AttachOptions {
  /** The SDK's "about to expire" warnings: hints, never commands (they can be stale). @default [] */
  hints?: readonly Event[];
  /** The SDK's "expired" events: the client lost its session, so it needs a new token. @default [] */
  expired?: readonly Event[];
  /** The token the client holds, where the SDK says. */
  heldToken?: () => string | null | undefined;
  /**
   * The SDK's connection-state event, whose argument is `'connecting' | 'connected' | 'disconnecting'
   * | 'disconnected' | 'denied'` (twilsock's). With it, no token is handed while the client is
   * disconnecting (twilsock drops it), and after an expiry a new token is handed, with backoff, until
   * the client reports `connected`.
   */
  connectionState?: Event;
  /**
   * The SDK's connection-error event (`{ errorCode, message }`): a token error (20101–20109) is
   * reported as `token-rejected`.
   */
  connectionError?: Event;
}

/** The longest wait between two recovery attempts after an expiry. */
const MAX_RECOVERY_DELAY_MS = 30_000;

const noop = () => undefined;
const warn = (error: TokenError) => console.warn(`[twilio-token-lifecycle] ${error.message}`);

function identityOf(jwt: string | undefined): string | undefined {
  if (jwt === undefined) return undefined;
  try {
    return parseAccessToken(jwt).identity;
  } catch {
    return undefined;
  }
}

/**
 * Keeps any token-holding client fresh: hands it each new token of `manager` once, for its identity
 * only, and treats its token events as hints. Every `attach*` adapter is built on it; use it for a
 * client this package has no adapter for.
 *
 * @example
 * const detach = attachClient(manager, client, { hints: ['tokenWillExpire'], expired: ['tokenExpired'] });
 */
export function attachClient<Event extends string>(
  manager: TokenManager,
  client: TokenClient<Event>,
  spec: ClientSpec<Event> = {},
): Detach {
  const { hints = [], expired = [], connectionState, connectionError } = spec;
  const onError = spec.onError ?? warn;
  let held: string | undefined = spec.createdWith ?? spec.heldToken?.() ?? manager.getState().token?.jwt;
  let identity = spec.identity ?? identityOf(held);
  let isAttached = true;
  // The client's last reported connection state; unknown for a client without a state event.
  let state: string | undefined;
  // Set by an expiry (a 410 close or a refused token), cleared when the client reports `connected`.
  let isLost = false;
  let recoveryDelay = 0;
  let recoveryTimer: ReturnType<typeof setTimeout> | undefined;

  const report = (error: TokenError) => {
    if (isAttached) onError(error);
  };
  const failed = (jwt: string) => (cause: unknown) => {
    // The client did not take it: hand it again on the next hint. A twilsock client ignores a token
    // equal to the one it last saw, so one that reports its state only ever gets a different token.
    if (held === jwt && state === undefined) held = undefined;
    const detail = cause instanceof Error ? `: ${cause.message}` : '';
    // Judged after the SDK's state events, which come a macrotask late: Conversations rejects an update
    // handed before its first init although it connects with the token, and a refused token is
    // reported as `token-rejected`.
    const judge = () => {
      if (state === 'connected' || isLost) return;
      report(new TokenError('update-failed', `The SDK client rejected the new token${detail}`, { cause }));
    };
    if (state === undefined) judge();
    else setTimeout(judge, 50);
  };

  const hand = (token: AccessToken) => {
    // Twilsock drops a token handed while it is disconnecting: leaving that state hands the current one.
    if (!isAttached || token.jwt === held || state === 'disconnecting') return;
    identity ??= token.identity;
    if (token.identity !== identity) {
      report(
        new TokenError(
          'identity-mismatch',
          `A token for identity "${token.identity ?? '(none)'}" was not handed to the client of "${identity ?? '(none)'}"; create a new client to switch users`,
          { retryable: false },
        ),
      );
      return;
    }
    held = token.jwt;
    try {
      // Never awaited: offline, Conversations' promise never settles, and that must block nothing.
      const result = client.updateToken(token.jwt);
      if (result && typeof (result as PromiseLike<unknown>).then === 'function') {
        (result as PromiseLike<unknown>).then(undefined, failed(token.jwt));
      }
    } catch (error) {
      failed(token.jwt)(error);
    }
  };

  // A hint means "make sure the client holds a fresh enough token": the manager's own schedule decides,
  // so this fetches only when the manager's token is inside its refresh window.
  const onHint = () => {
    const { refreshAt, expiresAt } = manager.getState();
    const lead = refreshAt !== undefined && expiresAt !== undefined ? expiresAt - refreshAt : 0;
    // +1: at the very start of the window the token has exactly `lead` left, and that is due already.
    // A failed request is already in the manager's state (status `error`); nothing to add here.
    manager.getToken({ minValidityMs: lead + 1, reason: 'hint' }).then(hand, noop);
  };

  // After an expiry the client needs a token it has not seen: a new one now, then (for a client that
  // reports its state) again with a doubling wait until it is connected. Never a loop, whatever the
  // SDK's events do; the manager's gate still allows one request a second at most.
  const recover = () => {
    recoveryTimer = undefined;
    // Disconnecting: the token would be dropped; leaving that state calls this again.
    if (!isAttached || !isLost || state === 'disconnecting') return;
    manager.refresh().then(hand, (error: TokenError) => {
      if (!error.retryable) isLost = false; // stopped, or halted by a 401/403: no token will come
    });
    if (connectionState === undefined) isLost = false;
    else {
      recoveryDelay = Math.min(2 * recoveryDelay || 1000, MAX_RECOVERY_DELAY_MS);
      recoveryTimer = setTimeout(recover, recoveryDelay);
    }
  };
  const onExpired = () => {
    isLost = true;
    if (!recoveryTimer) recover();
  };
  const onState = (next: string) => {
    state = next;
    if (next === 'connected') {
      isLost = false;
      recoveryDelay = 0;
      clearTimeout(recoveryTimer);
      recoveryTimer = undefined;
    } else if (next !== 'disconnecting') {
      const current = manager.getState().token;
      if (current) hand(current); // one that came while it was disconnecting
      if (!recoveryTimer) recover();
    }
  };
  const onConnectionError = (error?: { errorCode?: number; message?: string }) => {
    const code = error?.errorCode ?? 0;
    if (code > 20100 && code < 20110) {
      // Retryable: the adapter keeps handing new tokens until one is taken.
      const options = { serverError: { code: `${code}` }, retryable: true, cause: error };
      report(new TokenError('token-rejected', `The SDK's server refused the token (${code})`, options));
    }
  };

  const listeners: [readonly (Event | undefined)[], Listener][] = [
    [hints, onHint],
    [expired, onExpired],
    [[connectionState], onState],
    [[connectionError], onConnectionError],
  ];
  const each = (use: (event: Event, listener: Listener) => unknown) => {
    for (const [events, listener] of listeners) for (const event of events) if (event) use(event, listener);
  };
  each((event, listener) => client.on(event, listener));
  const subscription: Subscription = manager.token$.subscribe(hand);

  return () => {
    if (!isAttached) return;
    isAttached = false;
    clearTimeout(recoveryTimer);
    subscription.unsubscribe();
    each((event, listener) => client.removeListener(event, listener));
  };
}
