import { TokenError } from './errors';

/** Why the manager is asking for a token. */
export type FetchReason = 'initial' | 'scheduled' | 'retry' | 'refresh' | 'demand' | 'wake';

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

const isAbort = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';

/** Turns any transport failure into a {@link TokenError}, keeping the original as `cause`. */
export function toTokenError(error: unknown, signal: AbortSignal): TokenError {
  if (error instanceof TokenError) return error;
  if (signal.aborted || isAbort(error)) return new TokenError('aborted', 'Token request was aborted', { cause: error });
  const detail = error instanceof Error ? `: ${error.message}` : '';
  return new TokenError('network', `Token request failed${detail}`, { cause: error });
}

/** Adapts a user's `fetchToken` to a {@link TokenSource}, checking what it resolves to. */
export function customTokenSource(fetchToken: FetchToken): TokenSource {
  return async (context) => {
    const result = await fetchToken(context);
    const jwt = typeof result === 'string' ? result : (result as { token?: unknown } | null)?.token;
    if (typeof jwt !== 'string') {
      throw new TokenError('invalid-response', 'fetchToken must resolve to a JWT string or to { token: string }');
    }
    return { jwt: jwt.trim() };
  };
}
