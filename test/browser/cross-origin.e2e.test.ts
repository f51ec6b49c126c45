// @vitest-environment node
// A page on one origin, the reference token server on another, in real Chromium, through the
// manager's real fetch path (ky): what crosses only because the server exposes `Date` and `Retry-After`.
import type { Page } from 'playwright-core';
import { mintAccessToken } from 'twilio-token-lifecycle/server';
import type { TokenEvent } from 'twilio-token-lifecycle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppOptions } from '../../examples/server/app';
import { hasChromium, launchChromium } from './chromium';
import type { Outcome } from './cross-origin/page';
import { startApiServer, startPageServer } from './cross-origin/servers';

type Failure = Extract<TokenEvent, { type: 'failure' }>;
type RequestEvent = Extract<TokenEvent, { type: 'request' }>;
/** A token answer as it crossed the network (Playwright sees every header, whatever CORS exposes). */
interface OnTheWire {
  status: number;
  date: string | undefined;
  retryAfter: string | undefined;
}

// Long enough that the request's way to the server (milliseconds on loopback, seconds at worst on a
// loaded machine) never hides the cache's age below.
const CACHE_AGE_MS = 10_000;
/** The signer of a server that hands out a token from its cache: minted 10 s before it answers. */
const cachedSigner: AppOptions['mint'] = (input) => mintAccessToken({ ...input, now: (input.now ?? Date.now()) - CACHE_AGE_MS });

const failureOf = (outcome: Outcome) => outcome.events.find((event): event is Failure => event.type === 'failure')!;
const requestOf = (outcome: Outcome) => outcome.events.find((event): event is RequestEvent => event.type === 'request')!;

describe.runIf(hasChromium)('a token server on another origin, in Chromium', () => {
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let pageServer: Awaited<ReturnType<typeof startPageServer>>;
  const apiServers: { close(): Promise<void> }[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    pageServer = await startPageServer();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([pageServer?.close(), ...apiServers.map((server) => server.close())]);
    expect(pageErrors).toEqual([]);
  });

  /** The reference server, on `name` (localhost: another site than the page's 127.0.0.1; 127.0.0.1: the same site), allowing the page's origin. */
  const apiServer = async (name: 'localhost' | '127.0.0.1', options: Parameters<typeof startApiServer>[2] = {}, allowPage = true) => {
    const server = await startApiServer(name, allowPage ? { ALLOWED_ORIGINS: pageServer.url } : {}, options);
    apiServers.push(server);
    return server;
  };

  /** A fresh tab of the page (no cookies, so no session). */
  const openPage = async () => {
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(pageServer.url);
    await page.waitForFunction(() => 'crossOrigin' in window);
    return page;
  };

  /** A manager's first outcome in `page`. */
  const outcomeIn = (page: Page, url: string) =>
    page.evaluate((tokenUrl) => (window as unknown as { crossOrigin: { firstOutcome(url: string): Promise<Outcome> } }).crossOrigin.firstOutcome(tokenUrl), url);

  /** A manager's first outcome in `page`, and its token answer as it crossed the network; the page is closed after. */
  const firstOutcome = async (page: Page, url: string): Promise<{ outcome: Outcome; wire: OnTheWire }> => {
    const answered = page.waitForResponse((response) => response.url() === url && response.request().method() === 'POST', { timeout: 30_000 });
    const outcome = await outcomeIn(page, url);
    const response = await answered;
    const headers = await response.allHeaders();
    await page.close();
    return { outcome, wire: { status: response.status(), date: headers['date'], retryAfter: headers['retry-after'] } };
  };
  const signIn = (page: Page, api: string) =>
    page.evaluate((origin) => (window as unknown as { crossOrigin: { signIn(api: string, identity: string): Promise<number> } }).crossOrigin.signIn(origin, 'alice'), api);

  /** The first outcome of a manager on a server that answers every `/api/*` request 429 with `Retry-After: 60`. */
  const rateLimited = async (exposeHeaders: boolean) => {
    const api = await apiServer('localhost', { coarseLimit: async () => false, exposeHeaders });
    const { outcome, wire } = await firstOutcome(await openPage(), `${api.url}/api/token`);
    // The server sent both headers either way: only what the page may read differs.
    expect(wire).toEqual({ status: 429, date: expect.any(String), retryAfter: '60' });
    return outcome;
  };

  it('a 429 from another site: the manager reads Retry-After and waits the minute out', async () => {
    const outcome = await rateLimited(true);
    expect(outcome.readable).toEqual([{ date: expect.any(String), retryAfter: '60' }]);
    const failure = failureOf(outcome);
    expect(failure).toMatchObject({ code: 'http', status: 429, retryAfterMs: 60_000 });
    expect(failure.retryAt! - failure.at).toBe(60_000);
    expect(outcome.state).toMatchObject({ status: 'error', error: { code: 'http', status: 429, retryAfterMs: 60_000, retryAt: failure.retryAt } });
    // About a minute ahead when the test reads it (generous: the read may come late on a busy machine).
    expect(outcome.state.error!.retryAt! - outcome.readAt).toBeGreaterThan(30_000);
    expect(outcome.state.error!.retryAt! - outcome.readAt).toBeLessThanOrEqual(60_000);
  }, 90_000);

  it('the same 429 from a server that exposes no headers: Retry-After is unreadable, so the backoff alone times the retry', async () => {
    const outcome = await rateLimited(false);
    expect(outcome.readable).toEqual([{ date: null, retryAfter: null }]);
    const failure = failureOf(outcome);
    expect(failure).toMatchObject({ code: 'http', status: 429 });
    expect(failure).not.toHaveProperty('retryAfterMs');
    // Full jitter of the 1 s base (random 0.99): a retry within the second, not after the server's minute.
    expect(failure.retryAt! - failure.at).toBeLessThanOrEqual(1000);
    expect(outcome.state.error).toMatchObject({ code: 'http', status: 429 });
    expect(outcome.state.error).not.toHaveProperty('retryAfterMs');
  }, 90_000);

  /**
   * A signed-in page's first token from a server that serves it 10 s old. The session cookie is
   * SameSite=Strict, so the server is on 127.0.0.1 too: another origin (port), the same site, as
   * app.example.com and api.example.com are.
   */
  const cachedToken = async (exposeHeaders: boolean) => {
    const api = await apiServer('127.0.0.1', { mint: cachedSigner, exposeHeaders });
    const page = await openPage();
    expect(await signIn(page, api.url)).toBe(200);
    const { outcome, wire } = await firstOutcome(page, `${api.url}/api/token`);
    expect(wire).toEqual({ status: 200, date: expect.any(String), retryAfter: undefined });
    expect(outcome.state.status).toBe('valid');
    const token = outcome.token!;
    // Served 10 s old by the server's own clock (its Date, whole seconds like iat).
    expect(Date.parse(wire.date!) - token.issuedAt).toBeGreaterThanOrEqual(CACHE_AGE_MS);
    return { outcome, token, serverDate: Date.parse(wire.date!), sentAt: requestOf(outcome).at };
  };

  it('a token served from a cache to another origin is timed by the server’s Date: never held past its exp', async () => {
    const { outcome, token, serverDate, sentAt } = await cachedToken(true);
    expect(outcome.readable).toEqual([{ date: expect.any(String), retryAfter: null }]);
    // The token's exp is on the server's clock, which is this machine's: the page's expiry is not past it.
    expect(outcome.state.expiresAt!).toBeLessThanOrEqual(token.expiresAt);
    // Its lifetime counts from the server's Date (less the 1 s of rounding), from when the request was sent.
    expect(outcome.state.expiresAt! - sentAt).toBeCloseTo(token.expiresAt - serverDate - 1000, -2);
  }, 90_000);

  it('the same token from a server that exposes no Date: timed by its iat alone, so held past its exp', async () => {
    const { outcome, token, sentAt } = await cachedToken(false);
    expect(outcome.readable).toEqual([{ date: null, retryAfter: null }]);
    expect(outcome.state.expiresAt! - sentAt).toBeCloseTo(token.expiresAt - token.issuedAt - 1000, -2);
    // Past exp by the cache's 10 s, less the 1 s of rounding and the request's way to the server
    // (milliseconds on loopback; this holds while it takes under 9 s).
    expect(outcome.state.expiresAt!).toBeGreaterThan(token.expiresAt);
  }, 90_000);

  it('a 401 from another site (no session) reaches the manager as unauthorized, not as a network failure', async () => {
    const api = await apiServer('localhost');
    const { outcome, wire } = await firstOutcome(await openPage(), `${api.url}/api/token`);
    expect(wire.status).toBe(401);
    expect(failureOf(outcome)).toMatchObject({ code: 'unauthorized', status: 401, serverError: { code: 'no-session' }, retryAt: undefined });
    expect(outcome.state).toMatchObject({ status: 'error', error: { code: 'unauthorized', status: 401, serverCode: 'no-session' } });
  }, 90_000);

  it('a server that does not allow the page’s origin: the same request is a network failure (CORS hides the answer)', async () => {
    const lines: string[] = [];
    const api = await apiServer('localhost', { log: (line) => lines.push(line) }, false);
    const page = await openPage();
    const outcome = await outcomeIn(page, `${api.url}/api/token`);
    await page.close();
    // The server refused it (no CORS headers on that answer): the page is told nothing but that it failed.
    expect(lines.filter((line) => line.startsWith('POST /api/token '))).toEqual([expect.stringMatching(/^POST \/api\/token 403 /)]);
    expect(failureOf(outcome)).toMatchObject({ code: 'network', status: undefined });
    expect(outcome.state).toMatchObject({ status: 'error', error: { code: 'network' } });
  }, 90_000);
});
