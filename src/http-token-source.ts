import ky, { type Options as KyOptions } from 'ky';
import { TokenError, type ServerError, type TokenErrorCode } from './errors';
import type { TokenSource } from './token-source';

/** ky options for the token request. `retry`, `throwHttpErrors` and `signal` belong to the manager. */
export type TokenRequestOptions = Omit<KyOptions, 'retry' | 'throwHttpErrors' | 'signal' | 'prefixUrl'>;

const DEFAULT_REQUEST: KyOptions = { method: 'post', credentials: 'same-origin', timeout: 10_000 };
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]+$/;
// Anywhere in a string: three base64url runs long enough not to be a host name or a version.
const JWT_INSIDE = /[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}/;
const ERROR_BODY_LIMIT = 16_384;

function describe(url: string | URL, method: string | undefined): string {
  return `${(method ?? 'post').toUpperCase()} ${String(url)}`;
}

function statusCode(status: number): TokenErrorCode {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  return 'http';
}

/** `Retry-After` as ms: delta-seconds or an HTTP date (read against the server's own `Date`). */
export function parseRetryAfter(value: string | null, serverNow: number | undefined, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - (serverNow ?? now));
}

function readDate(response: Response): number | undefined {
  const value = response.headers.get('date');
  const at = value === null ? NaN : Date.parse(value);
  return Number.isNaN(at) ? undefined : at;
}

function extractJwt(body: string, contentType: string): string | undefined {
  const text = body.trim();
  if (contentType.includes('json') || text.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(text);
      const token = (parsed as { token?: unknown } | null)?.token;
      return typeof token === 'string' ? token.trim() : undefined;
    } catch {
      return undefined;
    }
  }
  return JWT_SHAPE.test(text) ? text : undefined;
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
    reader.cancel().catch(() => undefined);
  } catch {
    text = ''; // no body, or it broke off: a half-read body says nothing reliable
  }
  return text.slice(0, ERROR_BODY_LIMIT);
}

/** A server string safe to show: no control or format characters, no token, at most 200 characters. */
function clean(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  // Stripped before the token check, so a zero-width character cannot hide a JWT from it.
  const text = value.replace(/[\p{Cc}\p{Cf}]/gu, '').trim();
  return text && !JWT_INSIDE.test(text) ? [...text].slice(0, 200).join('') : undefined;
}

/** `{ "error": { "code", "message" } }` (the reference server), `{ "error": "…" }` or `{ "message": "…" }`. */
export function parseServerError(body: string): ServerError | undefined {
  let parsed: { error?: { code?: unknown; message?: unknown } | string; message?: unknown } | null;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const error = parsed?.error;
  const code = clean(typeof error === 'string' ? undefined : error?.code);
  const message = clean(typeof error === 'string' ? error : error?.message ?? parsed?.message);
  return code || message ? { ...(code && { code }), ...(message && { message }) } : undefined;
}

/**
 * The default transport: one ky request to `url` (POST, same-origin credentials, 10 s timeout
 * unless `request` says otherwise) answering JSON `{ "token": "<jwt>" }` or the bare JWT as text.
 */
export function httpTokenSource(url: string | URL, request: TokenRequestOptions = {}, now: () => number): TokenSource {
  const where = describe(url, request.method ?? DEFAULT_REQUEST.method);
  return async ({ signal }) => {
    let pending: Promise<Response>;
    // Either throw means no retry can help: the URL does not resolve as fetch would resolve it (each
    // time: a page's location can change), or ky rejected its input or options. Both are synchronous;
    // a network failure only ever rejects.
    try {
      new URL(String(url), globalThis.location?.href);
      pending = ky(url, { ...DEFAULT_REQUEST, ...request, retry: 0, throwHttpErrors: false, signal });
    } catch (error) {
      throw new TokenError(
        'misconfigured',
        `Token request cannot be sent: ${where} (${(error as Error).message}). Give an absolute URL; a relative one resolves only in a browser page`,
        { cause: error },
      );
    }
    let response: Response;
    try {
      response = await pending;
    } catch (error) {
      if ((error as { name?: unknown })?.name === 'TimeoutError') {
        throw new TokenError('timeout', `Token request timed out: ${where}`, { cause: error });
      }
      throw error;
    }
    const serverNow = readDate(response);
    if (!response.ok) {
      const { status } = response;
      const retryAfterMs =
        status === 429 || status === 503 ? parseRetryAfter(response.headers.get('retry-after'), serverNow, now()) : undefined;
      const serverError = parseServerError(await readErrorBody(response));
      const detail = [serverError?.message, serverError?.code && `(${serverError.code})`].filter(Boolean).join(' ');
      throw new TokenError(statusCode(status), `Token request failed with status ${status}: ${where}${detail && `: ${detail}`}`, {
        status,
        retryable: status !== 401 && status !== 403,
        retryAfterMs,
        serverError,
      });
    }
    const contentType = response.headers.get('content-type') ?? 'no content-type';
    const jwt = extractJwt(await response.text(), contentType);
    if (jwt === undefined) {
      throw new TokenError(
        'invalid-response',
        `Token response is neither JSON { "token": "<jwt>" } nor a bare JWT (${contentType}): ${where}`,
        { status: response.status },
      );
    }
    return { jwt, serverNow };
  };
}
