import ky, { type Options as KyOptions } from 'ky';
import { TokenError, type TokenErrorCode } from './errors';
import type { TokenSource } from './token-source';

/** ky options for the token request. `retry`, `throwHttpErrors` and `signal` belong to the manager. */
export type TokenRequestOptions = Omit<KyOptions, 'retry' | 'throwHttpErrors' | 'signal' | 'prefixUrl'>;

const DEFAULT_REQUEST: KyOptions = { method: 'post', credentials: 'same-origin', timeout: 10_000 };
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]+$/;

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

/**
 * The default transport: one ky request to `url` (POST, same-origin credentials, 10 s timeout
 * unless `request` says otherwise) answering JSON `{ "token": "<jwt>" }` or the bare JWT as text.
 */
export function httpTokenSource(url: string | URL, request: TokenRequestOptions = {}, now: () => number): TokenSource {
  const where = describe(url, request.method ?? DEFAULT_REQUEST.method);
  return async ({ signal }) => {
    let response: Response;
    try {
      response = await ky(url, { ...DEFAULT_REQUEST, ...request, retry: 0, throwHttpErrors: false, signal });
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
      await response.body?.cancel().catch(() => undefined);
      throw new TokenError(statusCode(status), `Token request failed with status ${status}: ${where}`, {
        status,
        retryable: status !== 401 && status !== 403,
        retryAfterMs,
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
