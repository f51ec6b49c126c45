/**
 * What went wrong, as a stable string an app can switch on. `update-failed` and `token-rejected` come
 * from the SDK adapters; `identity-mismatch` from the manager and the adapters. `token-rejected`: the
 * SDK's server refused a token (e.g. 20104, expired); `serverError.code` holds the SDK's code.
 */
export type TokenErrorCode =
  | 'network'
  | 'timeout'
  | 'http'
  | 'unauthorized'
  | 'forbidden'
  | 'invalid-response'
  | 'invalid-token'
  | 'misconfigured'
  | 'aborted'
  | 'stopped'
  | 'identity-mismatch'
  | 'update-failed'
  | 'token-rejected';

/** The JSON error a token endpoint answered with: `{ "error": { "code", "message" } }`. */
export interface ServerError {
  readonly code?: string;
  readonly message?: string;
}

export interface TokenErrorOptions {
  /** HTTP status of the token response, when there was one. */
  status?: number;
  /** Whether trying again later may succeed. Defaults by code. */
  retryable?: boolean;
  /** How long the server asked us to wait (`Retry-After`), in ms. */
  retryAfterMs?: number;
  /** When the manager will try again (scheduler wall clock, epoch ms), if it will. */
  retryAt?: number;
  /** The server's JSON error body, when it sent one. */
  serverError?: ServerError;
  /** The underlying failure. */
  cause?: unknown;
}

/**
 * Every JWT in a string: three base64url runs, the first a JSON header (`{"` or `{ ` is `eyJ`/`eyA`, `{\n`
 * `ewo`), long enough not to be a version: a host name of three long labels is not one.
 */
const JWTS = /e[wy][\w-]{6,}\.[\w-]{8,}\.[\w-]{8,}/g;

/**
 * `text` with every JWT in it replaced by `[token]`. Invisible characters (Unicode format characters,
 * Cf: zero-width space and joiners, word joiner, BOM, soft hyphen …, the other default-ignorables, and
 * control characters)
 * could split a token so that no pattern sees it: text that hides one so loses them all; any other text
 * stays as it is (an emoji keeps its joiners).
 */
export function redactTokens(text: string): string {
  // Lone surrogates too: one split from its pair by a format character would join it once that goes.
  // Control characters (NUL, ESC, NEL …) too: a console shows none of them.
  const bare = text.replace(/[\p{Cc}\p{Cf}\p{Cs}\p{DI}]/gu, '');
  const redacted = bare.replace(JWTS, '[token]');
  return redacted === bare ? text : redacted;
}

// The codes that are worth retrying unless the error says otherwise.
const RETRYABLE_BY_DEFAULT: readonly TokenErrorCode[] = ['network', 'timeout', 'http', 'invalid-response', 'invalid-token'];

/**
 * The one error type this library throws or reports. Switch on `code`; `cause` holds the original
 * failure. Messages never contain a whole token: any JWT in one (a server's or an SDK's text quoted,
 * even split by invisible characters) is replaced by `[token]`.
 */
export class TokenError extends Error {
  override readonly name = 'TokenError';
  // Assigned in the constructor, in this order (`declare`: no class-field initialisers to ship).
  declare readonly code: TokenErrorCode;
  declare readonly status: number | undefined;
  declare readonly retryable: boolean;
  declare readonly retryAfterMs: number | undefined;
  /** When the manager tries again on its own (epoch ms, scheduler clock); unset when it will not. */
  declare readonly retryAt: number | undefined;
  /** The server's `{ "error": { "code", "message" } }`, when the failed response carried one. */
  declare readonly serverError: ServerError | undefined;

  constructor(code: TokenErrorCode, message: string, { status, retryable, retryAfterMs, retryAt, serverError, cause }: TokenErrorOptions = {}) {
    super(redactTokens(message), cause === undefined ? undefined : { cause });
    Object.assign(this, { code, status, retryable: retryable ?? RETRYABLE_BY_DEFAULT.includes(code), retryAfterMs, retryAt, serverError });
  }
}

/** The same error with `retryAt` set: errors are values, so the manager never mutates one. */
export function withRetryAt(error: TokenError, retryAt: number | undefined): TokenError {
  // Spreading copies the own enumerable fields; `cause` is not enumerable, so it is passed on by name.
  return error.retryAt === retryAt ? error : new TokenError(error.code, error.message, { ...error, retryAt, cause: error.cause });
}

/** Why a wait for a token ended early: `signal` aborted. */
export const abortedError = (signal: AbortSignal): TokenError =>
  new TokenError('aborted', 'Waiting for a token was aborted', { cause: signal.reason });

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
