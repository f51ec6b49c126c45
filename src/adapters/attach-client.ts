import { noop, type Subscription } from 'rxjs';
import { parseAccessToken, type AccessToken } from '../access-token';
import { TokenError } from '../errors';
import type { TokenManager } from '../token-manager';
import { MAX_RECOVERY_ROUNDS, recoveryDelay } from './recovery';

/** A listener of an SDK event; `any` so the SDKs' own listener types (typed per event) are accepted without casts. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Listener = (...args: any[]) => void;

/** The part of an SDK client an adapter uses: a token setter and its token events. */
export interface TokenClient<Event extends string> {
  /** Takes a new JWT; a returned promise is never awaited, and a throw or rejection is `update-failed`. */
  updateToken(token: string): unknown;
  /** Adds a listener for one of the client's events. */
  on(event: Event, listener: Listener): unknown;
  /** Removes a listener `on` added; `detach()` calls it with the same function. */
  removeListener(event: Event, listener: Listener): unknown;
}

/** Adds `listener` to each of `events` (skipping `undefined`); returns what removes it from them all. */
export function listen<Event extends string>(
  client: Pick<TokenClient<Event>, 'on' | 'removeListener'>,
  events: readonly (Event | undefined)[],
  listener: Listener,
): () => void {
  for (const event of events) if (event) client.on(event, listener);
  return () => {
    for (const event of events) if (event) client.removeListener(event, listener);
  };
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
   * for another identity arrives (code `identity-mismatch`, once per token), or the SDK's server refuses
   * a token (code `token-rejected`, the SDK's code in `serverError.code`). If it throws, the error is
   * rethrown on its own (a microtask), never into the SDK or the adapter.
   * @default logs the error's message with console.warn
   */
  onError?: (error: TokenError) => void;
}

/** Undoes an `attach*`: removes every listener it added, cancels its timers and releases the manager. */
export type Detach = () => void;

/**
 * How {@link attachClient} drives a client: which of its events are warnings, which mean the token is
 * gone, and where it says which token it holds. The five adapters are such specs.
 *
 * Recovery (twilsock: Conversations, Chat, Sync): no token is handed while the client is disconnecting
 * (twilsock would drop it). After an expiry (a 410 close, `tokenExpired`, a `denied` state or a token
 * error 20101–20109) the adapter refreshes and hands the new token, never the refused one, when the
 * client can take it, and again after 1, 2, 4 … 30 s until the client reports `connected`. The backoff
 * starts over only once the client has stayed connected 30 s; after 10 attempts, or a token for another
 * identity, or a manager that can fetch no more, it forces no refresh and the client gets only the
 * manager's own new tokens.
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
   * | 'disconnected' | 'denied'` (twilsock's); with it the adapter recovers after an expiry.
   */
  connectionState?: Event;
  /**
   * The client's connection state at attach (twilsock's `client.connectionState`), so a client attached
   * while disconnecting is handed nothing it would drop, and one already denied is recovered.
   */
  currentState?: () => string | undefined;
  /**
   * The SDK's connection-error event (`{ errorCode, message }`): a token error (20101–20109) is
   * reported as `token-rejected` and starts a recovery.
   */
  connectionError?: Event;
}

/**
 * How long a rejected update waits for the client's `connected` before it is reported: Conversations
 * rejects an update handed before its first init, then connects with that very token.
 */
const CONNECT_GRACE_MS = 50;
const warn = (error: TokenError) => console.warn(`[twilio-token-lifecycle] ${error.message}`);

function identityOf(jwt: string | undefined): string | undefined {
  try {
    return parseAccessToken(jwt!).identity; // throws for undefined too
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
  // The client's connection state; unknown for a client without a state event.
  let state = spec.currentState?.();
  // `connected` transitions so far: a rejected update counts as taken only if one comes after it.
  let connections = 0;
  // Set by an expiry (a 410 close or a refused token), cleared when the client reports `connected`.
  let isLost = false;
  // Forced refreshes in this recovery: the wait before the next one follows from it (see recovery.ts).
  let rounds = 0;
  let mismatched: string | undefined; // the last token reported as identity-mismatch
  let refused: string | undefined; // the last token reported as token-rejected
  let recoveryTimer: Subscription | undefined;
  // One pending update-failed check: a burst of failures within CONNECT_GRACE_MS is reported once.
  let judgeTimer: Subscription | undefined;
  const later = (work: () => void, ms: number) => manager.scheduler.schedule(work, ms);

  const report = (error: TokenError) => {
    try {
      if (isAttached) onError(error);
    } catch (thrown) {
      // The app's bug: rethrown on its own, never into the SDK's emit or the adapter (as the manager
      // does for `onEvent`).
      queueMicrotask(() => {
        throw thrown;
      });
    }
  };
  const failed = (jwt: string) => {
    const before = connections;
    return (cause: unknown) => {
      if (!isAttached) return; // settled after detach: nothing to report, no timer to leave
      // The client did not take it: hand it again on the next hint. A twilsock client ignores a token
      // equal to the one it last saw, so one that reports its state only ever gets a different token.
      if (held === jwt && state === undefined) held = undefined;
      const detail = cause instanceof Error ? `: ${cause.message}` : '';
      // A refused token is reported as `token-rejected`; a client that connects after this hand took it.
      const judge = () => {
        if (connections > before || isLost) return;
        report(new TokenError('update-failed', `The SDK client rejected the new token${detail}`, { cause }));
      };
      judgeTimer?.unsubscribe();
      if (state === undefined) judge();
      else judgeTimer = later(judge, CONNECT_GRACE_MS);
    };
  };

  const hand = (token: AccessToken | undefined) => {
    // Twilsock drops a token handed while it is disconnecting: leaving that state hands the current one.
    if (!token || !isAttached || token.jwt === held || state === 'disconnecting') return;
    identity ??= token.identity;
    if (token.identity !== identity) {
      // The client can take none of the manager's tokens: recovering is pointless.
      isLost = false;
      if (token.jwt !== mismatched) {
        report(
          new TokenError(
            'identity-mismatch',
            `Withheld a token for "${token.identity}" from the client of "${identity}": a new user needs a new client`,
          ), // not retryable, by default for this code
        );
      }
      mismatched = token.jwt;
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
    const lead = expiresAt! - refreshAt! || 0; // NaN (so 0) while either is unknown
    // +1: at the very start of the window the token has exactly `lead` left, and that is due already.
    // A failed request is already in the manager's state (status `error`); nothing to add here.
    manager.getToken({ minValidityMs: lead + 1, reason: 'hint' }).then(hand, noop);
  };

  // After an expiry the client needs a token it has not seen: a new one, then (for a client that
  // reports its state) again with a doubling wait until it is connected (see recovery.ts for the pace).
  const recover = () => {
    recoveryTimer = undefined;
    // Connected through a whole wait (`connected` restarts it): the next expiry starts a fresh backoff.
    if (state === 'connected' && !isLost) rounds = 0;
    // Disconnecting: the token would be dropped; leaving that state calls this again.
    // Past its last round a recovery waits for the manager's own next token (see recovery.ts).
    if (!isAttached || !isLost || state === 'disconnecting' || rounds++ >= MAX_RECOVERY_ROUNDS) return;
    manager.refresh().then(hand, (error: TokenError) => {
      if (!error.retryable) isLost = false; // stopped, or halted by a 401/403: no token will come
    });
    if (connectionState === undefined) isLost = false;
    else recoveryTimer = later(recover, recoveryDelay(rounds));
  };
  const onExpired = () => {
    isLost = true;
    // The first attempt of a fresh backoff comes at once; one soon after the last recovery waits its turn.
    recoveryTimer ??= later(recover, connectionState ? recoveryDelay(rounds) : 0);
  };
  const onState = (next: string | undefined) => {
    state = next;
    if (next === 'connected') {
      connections++;
      isLost = false;
      // The backoff starts over only if the client stays connected through one more wait.
      if (rounds) {
        recoveryTimer?.unsubscribe();
        recoveryTimer = later(recover, recoveryDelay(rounds));
      }
    } else if (next !== 'disconnecting') {
      hand(manager.getState().token); // one that came while it was disconnecting
      if (next === 'denied') onExpired(); // a refused token, whatever its code
      else if (!recoveryTimer) recover();
    }
  };
  const onConnectionError = (error?: { errorCode?: number; message?: string }) => {
    const code = Number(error?.errorCode); // NaN for none
    if (code > 20100 && code < 20110) {
      // Retryable: recovery hands new tokens, paced, until one is taken or its rounds run out. Each
      // refused token is reported once, however often the SDK repeats the error.
      if (held !== refused) report(
        new TokenError('token-rejected', `The SDK's server refused the token (${code})`, {
          serverError: { code: `${code}` },
          retryable: true,
          cause: error,
        }),
      );
      refused = held;
      onExpired();
    }
  };

  const unlisten = [
    listen(client, hints, onHint),
    listen(client, expired, onExpired),
    listen(client, [connectionState], onState),
    listen(client, [connectionError], onConnectionError),
  ];
  const subscription: Subscription = manager.token$.subscribe(hand);
  onState(state); // as if it had just reported its state: attached while denied, it recovers now

  return () => {
    if (!isAttached) return;
    isAttached = false;
    recoveryTimer?.unsubscribe();
    judgeTimer?.unsubscribe();
    subscription.unsubscribe();
    for (const stop of unlisten) stop();
  };
}
