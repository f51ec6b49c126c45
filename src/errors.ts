/**
 * What went wrong, as a stable string an app can switch on. `identity-mismatch` and `update-failed`
 * come from the SDK adapters.
 */
export type TokenErrorCode =
  | 'network'
  | 'timeout'
  | 'http'
  | 'unauthorized'
  | 'forbidden'
  | 'invalid-response'
  | 'invalid-token'
  | 'aborted'
  | 'stopped'
  | 'identity-mismatch'
  | 'update-failed';

export interface TokenErrorOptions {
  /** HTTP status of the token response, when there was one. */
  status?: number;
  /** Whether trying again later may succeed. Defaults by code. */
  retryable?: boolean;
  /** How long the server asked us to wait (`Retry-After`), in ms. */
  retryAfterMs?: number;
  /** The underlying failure. */
  cause?: unknown;
}

const RETRYABLE_BY_DEFAULT: ReadonlySet<TokenErrorCode> = new Set([
  'network',
  'timeout',
  'http',
  'invalid-response',
  'invalid-token',
]);

/**
 * The one error type this library throws or reports. Switch on `code`; `cause` holds the original
 * failure. Messages never contain a whole token.
 */
export class TokenError extends Error {
  override readonly name = 'TokenError';
  readonly code: TokenErrorCode;
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(code: TokenErrorCode, message: string, options: TokenErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
    this.retryable = options.retryable ?? RETRYABLE_BY_DEFAULT.has(code);
    this.retryAfterMs = options.retryAfterMs;
  }
}

/**
 * True for a {@link TokenError}, also one thrown by another copy of this library (another bundle or
 * iframe), which `instanceof` would miss.
 */
export function isTokenError(value: unknown): value is TokenError {
  return (
    value instanceof TokenError ||
    (typeof value === 'object' &&
      value !== null &&
      (value as { name?: unknown }).name === 'TokenError' &&
      typeof (value as { code?: unknown }).code === 'string')
  );
}
