import ky, { TimeoutError, type Options as KyOptions } from 'ky';
import { noop } from 'rxjs';
import { redactTokens, TokenError, type ServerError } from './errors';
import type { TokenSource } from './token-source';
import { withDefaults } from './with-defaults';

/** ky options for the token request. `retry`, `throwHttpErrors` and `signal` belong to the manager. */
export type TokenRequestOptions = Omit<KyOptions, 'retry' | 'throwHttpErrors' | 'signal' | 'prefixUrl'>;

// ky's own timeout is off unless `request.timeout` sets one: the manager times every request itself.
const DEFAULT_REQUEST: KyOptions = { method: 'post', credentials: 'same-origin', timeout: false };
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]+$/;
const ERROR_BODY_LIMIT = 16_384;

/** An HTTP date as epoch ms; `undefined` when unreadable. */
function parseDate(value: string | null): number | undefined {
  const at = Date.parse(value ?? '');
  return Number.isNaN(at) ? undefined : at;
}

/** `JSON.parse`, or `undefined` for text that is not JSON. */
function parseJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `Retry-After` as ms: delta-seconds or an HTTP date (read against the server's own `Date`). */
export function parseRetryAfter(value: string | null, serverNow: number | undefined, now: number): number | undefined {
  const text = value?.trim() ?? '';
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - (serverNow ?? now);
  return Number.isNaN(ms) ? undefined : Math.max(0, ms); // an unreadable date is NaN
}

/** Up to 16 KiB of an error body, '' when unreadable: the rest is cancelled, never downloaded. */
async function readErrorBody(response: Response): Promise<string> {
  let text = '';
  try {
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    for (let chunk; text.length < ERROR_BODY_LIMIT && !(chunk = await reader.read()).done; ) {
      text += decoder.decode(chunk.value, { stream: true });
    }
    reader.cancel().catch(noop);
  } catch {
    return ''; // no body, or it broke off: a half-read body says nothing reliable
  }
  return text.slice(0, ERROR_BODY_LIMIT);
}

/** A server string safe to show: no control, format or other invisible characters, no token, at most 200 characters. */
function clean(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  // Stripped before the token check, so a zero-width character cannot hide a JWT from it.
  const text = value.replace(/[\p{Cc}\p{Cf}\p{Cs}\p{DI}]/gu, '').trim();
  return text && redactTokens(text) === text ? [...text].slice(0, 200).join('') : undefined;
}

/** `{ "error": { "code", "message" } }` (the reference server), `{ "error": "…" }` or `{ "message": "…" }`. */
export function parseServerError(body: string): ServerError | undefined {
  const parsed = parseJson(body);
  const error = parsed?.error;
  // A string's `code` is undefined: `{ "error": "…" }` is a message alone.
  const code = clean(error?.code);
  const message = clean(typeof error === 'string' ? error : (error?.message ?? parsed?.message));
  return code || message ? { ...(code && { code }), ...(message && { message }) } : undefined;
}

/**
 * The default transport: one ky request to `url` (POST with same-origin credentials unless `request`
 * says otherwise; the manager times it out) answering JSON `{ "token": "<jwt>" }` or the bare JWT.
 */
export function httpTokenSource(url: string | URL, request: TokenRequestOptions = {}, now: () => number): TokenSource {
  // Messages name the endpoint without its query or credentials, which may hold secrets.
  const where = `${(request.method ?? 'post').toUpperCase()} ${String(url).replace(/\/\/[^/@]*@/, '//').replace(/[?#].*/, '')}`;
  return async ({ signal }) => {
    let pending: Promise<Response>;
    // Either throw means no retry can help: the URL does not resolve as fetch would resolve it (each
    // time: a page's location can change), or ky rejected its input or options. Both are synchronous;
    // a network failure only ever rejects.
    try {
      new URL(String(url), globalThis.location?.href);
      pending = ky(url, { ...withDefaults(DEFAULT_REQUEST, request), retry: 0, throwHttpErrors: false, signal });
    } catch (error) {
      throw new TokenError(
        'misconfigured',
        `Token request cannot be sent: ${where} (${(error as Error).message}); outside a page, give an absolute URL`,
        { cause: error },
      );
    }
    const response = await pending.catch((error: unknown) => {
      throw error instanceof TimeoutError
        ? new TokenError('timeout', `Token request timed out: ${where}`, { cause: error })
        : error;
    });
    const serverNow = parseDate(response.headers.get('date'));
    const { status } = response;
    if (!response.ok) {
      const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(response.headers.get('retry-after'), serverNow, now()) : undefined;
      const serverError = parseServerError(await readErrorBody(response));
      const detail = [serverError?.message, serverError?.code && `(${serverError.code})`].filter(Boolean).join(' ');
      // 401 and 403 are not retryable (by their codes' default): only `refresh()` asks again.
      throw new TokenError(status === 401 ? 'unauthorized' : status === 403 ? 'forbidden' : 'http', `Token request failed with status ${status}: ${where}${detail && `: ${detail}`}`, {
        status,
        retryAfterMs,
        serverError,
      });
    }
    const contentType = response.headers.get('content-type') ?? 'no content-type';
    const text = (await response.text()).trim();
    const jwt = contentType.includes('json') || text.startsWith('{') ? parseJson(text)?.token : JWT_SHAPE.test(text) ? text : undefined;
    if (typeof jwt !== 'string') {
      throw new TokenError('invalid-response', `Token response is not { "token": "<jwt>" } or a JWT (${contentType}): ${where}`, { status });
    }
    return { jwt: jwt.trim(), serverNow };
  };
}
