// @vitest-environment node
import type { Page } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium } from './chromium';
import { startDemoServer } from './demo-server';

interface DemoHandle {
  statuses: string[];
  tokensReceived: number;
  fingerprint(): string | undefined;
}
const demo = (page: Page) =>
  page.evaluate(() => {
    const handle = (window as unknown as { demo: DemoHandle }).demo;
    return { statuses: [...handle.statuses], tokensReceived: handle.tokensReceived, fingerprint: handle.fingerprint() };
  });
/** The log's messages, oldest first. */
/** Waits until the demo has taken a new token and shows `valid` again (after an outage). */
async function recovered(page: Page, timeout: number): Promise<void> {
  const before = (await demo(page)).tokensReceived;
  await page.waitForFunction(
    (count) => {
      const handle = (window as unknown as { demo: DemoHandle }).demo;
      return handle.tokensReceived > count && document.getElementById('status')?.textContent === 'valid';
    },
    before,
    { timeout },
  );
}
const logLines = (page: Page) => page.$$eval('#log li span', (items) => items.map((item) => item.textContent ?? '').reverse());

describe.runIf(hasChromium)('the demo page in Chromium', () => {
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let server: Awaited<ReturnType<typeof startDemoServer>>;
  let page: Page;
  const pageErrors: string[] = [];

  beforeEach(async () => {
    server = await startDemoServer({ TOKEN_TTL: '4' });
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${server.url}/?identity=alice`);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'valid');
  });

  afterEach(async () => {
    await browser.close();
    await server.close();
    expect(pageErrors).toEqual([]);
  });

  it('keeps a valid token across three refreshes with no moment of expired', async () => {
    const first = await demo(page);
    await page.waitForFunction(() => (window as unknown as { demo: DemoHandle }).demo.tokensReceived >= 4, undefined, { timeout: 25_000 });
    const after = await demo(page);
    expect(after.statuses).not.toContain('expired');
    expect(after.statuses).not.toContain('error');
    expect(after.fingerprint).not.toBe(first.fingerprint);
    expect(server.tokenRequests(200)).toBeGreaterThanOrEqual(4);
    expect(await page.textContent('#identity')).toBe('alice');
    // The page shows the countdowns and the decoded grants.
    expect(await page.textContent('#expires-in')).toMatch(/\d\.\d s/);
    expect(JSON.parse((await page.textContent('#grants')) ?? '')).toEqual({ video: {} });
    // The log is the manager's events: each request with its reason and attempt, each token.
    const lines = await logLines(page);
    expect(lines).toContain('Requesting a token: first token (initial, attempt 1)');
    expect(lines).toContain('Requesting a token: refresh window reached (scheduled, attempt 1)');
    const tokens = lines.filter((line) => line.startsWith('New token'));
    expect(tokens.length).toBeGreaterThanOrEqual(4);
    for (const line of tokens) expect(line).toMatch(/^New token for alice, valid 4 s, from this tab’s request \(…[\w-]{6}\)$/);
    // A lone tab starts as a follower and is promoted at once: the log says only where it ended up.
    expect(lines.filter((line) => line.startsWith('This tab is'))).toEqual(['This tab is the refresher: it fetches for every tab']);
    expect(lines.some((line) => /expired|failed|Refused|Ignored/.test(line))).toBe(false);
  }, 120_000);

  it('stops requesting tokens after sign-out', async () => {
    await page.click('#sign-out');
    await page.waitForSelector('#signin-form', { state: 'visible' });
    const atSignOut = server.tokenRequests();
    await page.waitForTimeout(9_000); // two token lifetimes
    expect(server.tokenRequests()).toBe(atSignOut);
    expect((await demo(page)).fingerprint).toBeUndefined();
  }, 120_000);

  it('shows errors while the backend fails, then recovers by itself', async () => {
    await page.$eval('#outage', (button) => ((button as HTMLElement).dataset.seconds = '4'));
    await page.click('#outage');
    await page.waitForFunction(() => (window as unknown as { demo: DemoHandle }).demo.statuses.includes('error'), undefined, { timeout: 15_000 });
    // The failure line carries the code, the HTTP status, the server's own message and the retry plan.
    await page.waitForSelector('#log li:has-text("Token request failed (http, HTTP 503")');
    const failure = (await logLines(page)).find((line) => line.startsWith('Token request failed'))!;
    expect(failure).toMatch(
      /^Token request failed \(http, HTTP 503, attempt \d+\): the server says “The token backend is down \(simulated by the demo\)” \(simulated-outage\); retrying in \d+\.\d s$/,
    );
    expect(server.tokenRequests(503)).toBeGreaterThanOrEqual(1);
    await recovered(page, 30_000);
    expect(server.tokenRequests(200)).toBeGreaterThan(1);
    expect((await logLines(page)).filter((line) => line.startsWith('Requesting a token: retry after a failure (retry, attempt ')).length).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('logs a second tab as a follower fed by another tab, and its promotion when the first tab closes', async () => {
    const second = await browser.context.newPage();
    second.on('pageerror', (error) => pageErrors.push(error.message));
    await second.goto(server.url);
    await second.waitForFunction(() => document.getElementById('status')?.textContent === 'valid');
    const start = (await demo(second)).tokensReceived;
    await second.waitForFunction((n) => (window as unknown as { demo: DemoHandle }).demo.tokensReceived >= n, start + 1, { timeout: 10_000 });
    let lines = await logLines(second);
    expect(lines.filter((line) => line.startsWith('This tab is'))).toEqual(['This tab is a follower: it takes the refresher’s tokens']);
    expect(lines.filter((line) => line.startsWith('Requesting a token'))).toEqual([]);
    const tokens = lines.filter((line) => line.startsWith('New token'));
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    for (const line of tokens) expect(line).toMatch(/^New token for alice, valid 4 s, from another tab \(…[\w-]{6}\)$/);

    await page.close();
    await second.waitForSelector('#log li:has-text("This tab is now the refresher")', { timeout: 30_000 });
    const promoted = (await demo(second)).tokensReceived;
    await second.waitForFunction((n) => (window as unknown as { demo: DemoHandle }).demo.tokensReceived >= n, promoted + 1, { timeout: 10_000 });
    lines = await logLines(second);
    expect(lines.filter((line) => line.startsWith('This tab is'))).toEqual([
      'This tab is a follower: it takes the refresher’s tokens',
      'This tab is now the refresher: it fetches for every tab',
    ]);
    expect(lines.at(-1)).toMatch(/^New token for alice, valid 4 s, from this tab’s request/);
  }, 120_000);

  it('says once that the token expired, however often the status flips while the backend is down', async () => {
    // Down for longer than a token lives: the token dies while the retries go on.
    await page.$eval('#outage', (button) => ((button as HTMLElement).dataset.seconds = '8'));
    await page.click('#outage');
    await page.waitForFunction(() => (window as unknown as { demo: DemoHandle }).demo.statuses.includes('expired'), undefined, { timeout: 15_000 });
    await recovered(page, 40_000);
    const lines = await logLines(page);
    expect(lines.filter((line) => /expired/i.test(line))).toEqual(['The token expired before a new one came']);
    // Every failure is its own line, and each says when the next attempt is.
    const failures = lines.filter((line) => line.startsWith('Token request failed'));
    expect(failures.length).toBe(server.tokenRequests(503));
    for (const line of failures) expect(line).toMatch(/; retrying in \d+\.\d s$/);
    const lastFailure = lines.lastIndexOf(failures.at(-1)!);
    expect(lines.slice(lastFailure).some((line) => line.startsWith('New token for alice'))).toBe(true);
  }, 120_000);

  it('never shows a bare "expired": beside it, always when the next try is', async () => {
    // Every status the page shows, with the hint beside it at that moment.
    await page.evaluate(() => {
      const seen: Array<{ status: string; hint: string; hidden: boolean }> = [];
      (window as unknown as { statusSeen: typeof seen }).statusSeen = seen;
      const status = document.getElementById('status')!;
      const hint = document.getElementById('status-hint')!;
      new MutationObserver(() => seen.push({ status: status.textContent ?? '', hint: hint.textContent ?? '', hidden: hint.hidden })).observe(status, {
        childList: true,
        characterData: true,
        subtree: true,
      });
    });
    // Down for longer than a token lives (4 s): the token dies while the manager waits for the retry.
    await page.$eval('#outage', (button) => ((button as HTMLElement).dataset.seconds = '8'));
    await page.click('#outage');
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'expired', undefined, { timeout: 30_000 });
    expect(await page.textContent('#status-hint')).toMatch(/^(next try in \d+\.\d s|trying again now)$/);
    expect(await page.isVisible('#status-hint')).toBe(true);
    // The panel says when, and why then: the simulated outage answers with Retry-After.
    expect(await page.textContent('#failure-retry')).toMatch(/^(Next try in \d+\.\d s \(after \d+ failures?; the server said Retry-After \d+ s\)|Trying again now)$/);
    await recovered(page, 40_000);
    expect(await page.isVisible('#status-hint')).toBe(false);
    const seen = await page.evaluate(() => (window as unknown as { statusSeen: Array<{ status: string; hint: string; hidden: boolean }> }).statusSeen);
    const expired = seen.filter((entry) => entry.status === 'expired');
    expect(expired.length).toBeGreaterThanOrEqual(1);
    for (const entry of expired) expect(entry).toMatchObject({ hidden: false, hint: expect.stringMatching(/^(next try in \d+\.\d s|trying again now)$/) });
  }, 120_000);
});

describe.runIf(hasChromium)('the outage button, with tokens that live a minute', () => {
  it('asks for a token at once, says so, and shows the failure long before the next scheduled refresh', async () => {
    const server = await startDemoServer({ TOKEN_TTL: '60' });
    const browser = await launchChromium();
    const errors: string[] = [];
    try {
      const page = await browser.context.newPage();
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${server.url}/?identity=alice`);
      await page.waitForFunction(() => document.getElementById('status')?.textContent === 'valid');
      // A 60 s token is refreshed 15 s before it expires: the next scheduled request is ~45 s away.
      const refreshAt = await page.evaluate(() => (window as unknown as { demo: { manager: { getState(): { refreshAt?: number } } } }).demo.manager.getState().refreshAt!);
      await page.click('#outage');
      await page.waitForSelector('#timeline [data-mark="failure"]', { timeout: 30_000 });
      const failedAt = await page.evaluate(() => (window as unknown as { demo: { timeline: { failures: Array<{ at: number }> } } }).demo.timeline.failures[0]!.at);
      expect(failedAt).toBeLessThan(refreshAt);
      // The event order proves "at once": the switch, then a request because the page asked (refresh), then its failure.
      const lines = await logLines(page);
      const switched = lines.findIndex((line) => line.startsWith('The backend now fails for 15 s: asking for a token now'));
      expect(switched).toBeGreaterThan(0);
      expect(lines.slice(switched + 1, switched + 3)).toEqual([
        'Requesting a token: you asked (refresh, attempt 1)',
        expect.stringMatching(/^Token request failed \(http, HTTP 503, attempt 1\): the server says “The token backend is down \(simulated by the demo\)” \(simulated-outage\); retrying in 1[45]\.\d s$/),
      ]);
      expect(lines.filter((line) => line.startsWith('Requesting a token')).length).toBe(2); // the first token's and this one
      // The panel: the failure, and when the next try is and why.
      await page.waitForSelector('#failures[data-state="failing"]');
      expect(await page.textContent('#failure-retry')).toMatch(/^Next try in 1[0-5]\.\d s \(after 1 failure; the server said Retry-After 1[45] s\)$/);
      // The token is still good: the status says the failure, and when the next try is.
      expect(await page.textContent('#status')).toBe('error');
      expect(await page.textContent('#status-hint')).toMatch(/^next try in \d+\.\d s$/);
      expect(server.tokenRequests(503)).toBe(1);
    } finally {
      await browser.close();
      await server.close();
    }
    expect(errors).toEqual([]);
  }, 120_000);
});

