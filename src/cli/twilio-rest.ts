/** What Twilio's REST API answered to one read, reduced to what the doctor decides on. */
export type RestAnswer =
  | { kind: 'found' }
  /** 401 (Twilio code 20003: wrong key, secret, account or region) or 403. */
  | { kind: 'refused'; status: number; code?: number }
  /** 404 (Twilio code 20404): no such resource for this account in this region. */
  | { kind: 'not-found'; code?: number }
  /** Any other status (429, 5xx…): Twilio answered, but nothing can be concluded. */
  | { kind: 'unexpected'; status: number; code?: number }
  /** No answer: DNS, connection, TLS or the timeout. `reason` is in words and holds no credential. */
  | { kind: 'unreachable'; reason: string };

/** Reads Twilio resources with HTTP basic auth `SK…:secret`. */
export interface RestClient {
  get(url: string): Promise<RestAnswer>;
  /** How many requests were sent. */
  readonly requestCount: number;
}

export interface RestClientOptions {
  apiKeySid: string;
  apiSecret: string;
  /** Per request. @default 10_000 */
  timeoutMs?: number;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

const DEFAULT_TIMEOUT_MS = 10_000;

const basicAuth = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;

/** Twilio's error body: `{ code, message, more_info, status }`. Anything else gives no code. */
function twilioCode(body: string): number | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    const code = (parsed as { code?: unknown } | null)?.code;
    return typeof code === 'number' && Number.isInteger(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

const SYSTEM_ERRORS: Record<string, string> = {
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'DNS did not answer',
  ECONNREFUSED: 'the connection was refused',
  ECONNRESET: 'the connection was reset',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'the host is unreachable',
};

function unreachableReason(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${timeoutMs / 1000} s`;
  // undici puts the system error (ENOTFOUND, ECONNREFUSED, a TLS failure) in `cause`.
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string') return SYSTEM_ERRORS[cause.code] ? `${cause.code}, ${SYSTEM_ERRORS[cause.code]}` : cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** A REST reader that never throws: every failure is an answer. */
export function createRestClient(options: RestClientOptions): RestClient {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const doFetch = options.fetch ?? fetch;
  const authorization = basicAuth(options.apiKeySid, options.apiSecret);
  let requestCount = 0;
  return {
    get requestCount() {
      return requestCount;
    },
    async get(url) {
      requestCount += 1;
      try {
        // One deadline for the headers and the body: a server that stalls mid-body is no answer either.
        const response = await doFetch(url, {
          headers: { Authorization: authorization, Accept: 'application/json', 'User-Agent': 'twilio-token-lifecycle-doctor' },
          redirect: 'error',
          signal: AbortSignal.timeout(timeoutMs),
        });
        const body = await response.text();
        if (response.ok) return { kind: 'found' };
        const code = twilioCode(body);
        const withCode = code === undefined ? {} : { code };
        if (response.status === 401 || response.status === 403) return { kind: 'refused', status: response.status, ...withCode };
        if (response.status === 404) return { kind: 'not-found', ...withCode };
        return { kind: 'unexpected', status: response.status, ...withCode };
      } catch (error) {
        return { kind: 'unreachable', reason: unreachableReason(error, timeoutMs) };
      }
    },
  };
}
