// The page of the cross-origin test: this library's manager, asking a token server on another origin
// with credentials, through its real fetch path (ky). The test drives it through `window.crossOrigin`.
import { createTokenManager, type TokenEvent, type TokenState } from 'twilio-token-lifecycle';

/** What the test reads back: plain data only. */
export interface Outcome {
  events: TokenEvent[];
  state: {
    status: TokenState['status'];
    expiresAt?: number;
    error?: { code: string; status?: number; retryAfterMs?: number; retryAt?: number; serverCode?: string };
  };
  /** The held token's `iat` and `exp` (server clock, epoch ms), when one came. */
  token?: { issuedAt: number; expiresAt: number };
  /** `Date` and `Retry-After` of each token answer, as script on this page can read them (`null`: hidden by CORS). */
  readable: { date: string | null; retryAfter: string | null }[];
  /** The page's clock when the outcome was read. */
  readAt: number;
}

/** How long the page waits for the manager to settle: far above a loopback round trip. */
const DEADLINE_MS = 30_000;

/** One manager for `url`, until its first token or failure; then it is stopped. */
function firstOutcome(url: string): Promise<Outcome> {
  const events: TokenEvent[] = [];
  const readable: Outcome['readable'] = [];
  const manager = createTokenManager({
    url,
    request: {
      credentials: 'include',
      // Looks only: what the manager's own read of these headers can see.
      hooks: { afterResponse: [(_request, _options, response) => void readable.push({ date: response.headers.get('date'), retryAfter: response.headers.get('retry-after') })] },
    },
    crossTab: false,
    // The backoff without a `Retry-After`, at its longest: full jitter of the 1 s base.
    random: () => 0.99,
    onEvent: (event) => events.push(event),
  });
  return new Promise<Outcome>((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      manager.stop();
      reject(new Error(`no token or failure in ${DEADLINE_MS} ms; events: ${JSON.stringify(events)}`));
    }, DEADLINE_MS);
    const unsubscribe = manager.subscribe((state) => {
      if (state.status !== 'valid' && state.status !== 'error') return;
      clearTimeout(timer);
      queueMicrotask(() => unsubscribe());
      const { error, token } = state;
      resolve({
        events: [...events],
        state: {
          status: state.status,
          ...(state.expiresAt !== undefined && { expiresAt: state.expiresAt }),
          ...(error && {
            error: {
              code: error.code,
              ...(error.status !== undefined && { status: error.status }),
              ...(error.retryAfterMs !== undefined && { retryAfterMs: error.retryAfterMs }),
              ...(error.retryAt !== undefined && { retryAt: error.retryAt }),
              ...(error.serverError?.code !== undefined && { serverCode: error.serverError.code }),
            },
          }),
        },
        ...(token && { token: { issuedAt: token.issuedAt, expiresAt: token.expiresAt } }),
        readable: [...readable],
        readAt: Date.now(),
      });
      manager.stop();
    });
    // getToken rejects on a failure: the state says it, so the rejection is only noted.
    manager.getToken().catch(() => undefined);
  });
}

/** Signs in at the token server's origin (its session cookie is SameSite=Strict: only a same-site page can). */
async function signIn(api: string, identity: string): Promise<number> {
  const response = await fetch(`${api}/api/login`, {
    method: 'POST',
    credentials: 'include',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ identity }),
  });
  return response.status;
}

(window as unknown as { crossOrigin: unknown }).crossOrigin = { firstOutcome, signIn };
