import { TokenError } from './errors';
import type { FetchReason } from './lifecycle/state';

// The lifecycle model owns the type; re-exported here, where the public index takes it from.
export type { FetchReason };

/** What a custom `fetchToken` receives. */
export interface FetchTokenContext {
  /** Aborted when the manager stops or the request times out; pass it on to your transport. */
  signal: AbortSignal;
  reason: FetchReason;
}

/** A custom transport: resolves to the JWT, or to `{ token }`. */
export type FetchToken = (context: FetchTokenContext) => Promise<string | { token: string }>;

/** One fetched token, with the server's clock when the transport could read it. */
export interface FetchedToken {
  jwt: string;
  /** The response's `Date` header, in epoch ms, when readable. */
  serverNow?: number | undefined;
}

export type TokenSource = (context: FetchTokenContext) => Promise<FetchedToken>;

/**
 * Turns any transport failure into a {@link TokenError}, keeping the original as `cause`. Only the
 * manager's own abort (`signal.aborted`) is `aborted`; an AbortError the transport raised by itself
 * is a retryable `network` failure, or the manager would give up on a request nobody cancelled.
 */
export function toTokenError(error: unknown, signal: AbortSignal): TokenError {
  if (error instanceof TokenError) return error;
  const { aborted } = signal;
  const message =
    aborted || (error as { name?: unknown } | null)?.name === 'AbortError'
      ? `Token request was aborted${aborted ? '' : ' by the transport'}`
      : // A transport's message may quote a token: TokenError redacts it.
        `Token request failed${error instanceof Error ? `: ${error.message}` : ''}`;
  return new TokenError(aborted ? 'aborted' : 'network', message, { cause: error });
}

/**
 * Adapts a user's `fetchToken` to a {@link TokenSource}, checking what it resolves to. A synchronous
 * throw is a bug in the app, not a failed request, so it is a non-retryable `misconfigured` error;
 * a rejection is left for the manager to map. A non-promise return value is accepted as is.
 */
export function customTokenSource(fetchToken: FetchToken): TokenSource {
  return async (context) => {
    let pending: ReturnType<FetchToken>;
    try {
      pending = fetchToken(context);
    } catch (error) {
      const message = error instanceof Error ? error.message : typeof error === 'string' ? error : typeof error;
      throw new TokenError('misconfigured', `fetchToken threw synchronously: ${message}; it must return a promise`, { cause: error });
    }
    const result = await pending;
    const jwt = typeof result === 'string' ? result : (result as { token?: unknown } | null)?.token;
    if (typeof jwt !== 'string') throw new TokenError('invalid-response', 'fetchToken must resolve to { "token": "<jwt>" } or a JWT');
    return { jwt: jwt.trim() };
  };
}
