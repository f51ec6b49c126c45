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
   * Called with a `TokenError` when `updateToken` throws or rejects (code `update-failed`) or a
   * token for another identity arrives (code `identity-mismatch`).
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
}

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
  const { hints = [], expired = [] } = spec;
  const onError = spec.onError ?? warn;
  let held: string | undefined = spec.createdWith ?? spec.heldToken?.() ?? manager.getState().token?.jwt;
  let identity = spec.identity ?? identityOf(held);
  let isAttached = true;

  const report = (error: TokenError) => {
    if (isAttached) onError(error);
  };
  const failed = (jwt: string) => (cause: unknown) => {
    if (held === jwt) held = undefined; // the client did not take it: hand it again on the next hint
    const detail = cause instanceof Error ? `: ${cause.message}` : '';
    report(new TokenError('update-failed', `The SDK client rejected the new token${detail}`, { cause }));
  };

  const hand = (token: AccessToken) => {
    if (!isAttached || token.jwt === held) return;
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

  // A failed request is already in the manager's state (status `error`); nothing to add here.
  const fetchFailed = noop;

  // A hint means "make sure the client holds a fresh enough token": the manager's own schedule decides,
  // so this fetches only when the manager's token is inside its refresh window.
  const onHint = () => {
    const { refreshAt, expiresAt } = manager.getState();
    const lead = refreshAt !== undefined && expiresAt !== undefined ? expiresAt - refreshAt : 0;
    // +1: at the very start of the window the token has exactly `lead` left, and that is due already.
    manager.getToken({ minValidityMs: lead + 1, reason: 'hint' }).then(hand, fetchFailed);
  };
  const onExpired = () => {
    manager.refresh().then(hand, fetchFailed);
  };

  for (const event of hints) client.on(event, onHint);
  for (const event of expired) client.on(event, onExpired);
  const subscription: Subscription = manager.token$.subscribe(hand);

  return () => {
    if (!isAttached) return;
    isAttached = false;
    subscription.unsubscribe();
    for (const event of hints) client.removeListener(event, onHint);
    for (const event of expired) client.removeListener(event, onExpired);
  };
}
