// @vitest-environment node
import type { Page } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium } from './chromium';
import { startDemoServer } from './demo-server';

interface DemoHandle {
  tokensReceived: number;
  manager?: {
    getState(): { status: string; token?: { identity?: string } };
    subscribe(listener: (state: { token?: { identity?: string } }) => void): () => void;
  };
}
type Sampled = Window & { demo: DemoHandle; identitiesSeen?: string[] };

/** The log's messages, oldest first. */
const logLines = (page: Page) => page.$$eval('#log li span', (items) => items.map((item) => item.textContent ?? '').reverse());
const untilValid = (page: Page) => page.waitForFunction(() => document.getElementById('status')?.textContent === 'valid');
const tokensOf = (page: Page) => page.evaluate(() => (window as unknown as Sampled).demo.tokensReceived);
const untilTokens = (page: Page, count: number, timeout = 20_000) =>
  page.waitForFunction((n) => (window as unknown as Sampled).demo.tokensReceived >= n, count, { timeout });

/** Records the identity of every token the page's manager holds, on each change and every 50 ms. */
const sampleIdentities = (page: Page) =>
  page.evaluate(() => {
    const win = window as unknown as Sampled;
    const seen: string[] = (win.identitiesSeen = []);
    const note = () => {
      const identity = win.demo.manager?.getState().token?.identity;
      if (identity !== undefined && seen.at(-1) !== identity) seen.push(identity);
    };
    win.demo.manager?.subscribe(note);
    setInterval(note, 50);
    note();
  });
const identitiesSeen = (page: Page) => page.evaluate(() => [...((window as unknown as Sampled).identitiesSeen ?? [])]);

describe.runIf(hasChromium)('one identity per tab in Chromium', () => {
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let server: Awaited<ReturnType<typeof startDemoServer>>;
  let problems: string[];

  /** A tab of the shared context (one cookie jar); page errors and console errors are collected. */
  const newTab = async (name: string) => {
    const page = await browser.context.newPage();
    page.on('pageerror', (error) => problems.push(`${name}: page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`${name}: console error: ${message.text()}`);
    });
    return page;
  };

  beforeEach(async () => {
    problems = [];
    server = await startDemoServer({ TOKEN_TTL: '4' });
    browser = await launchChromium();
  });

  afterEach(async () => {
    await browser.close();
    await server.close();
  });

  it('a tab signed in as alice never takes bob’s token when another tab signs in as bob', async () => {
    const alice = await newTab('alice');
    await alice.goto(`${server.url}/?identity=alice`);
    await untilValid(alice);
    await sampleIdentities(alice);
    await untilTokens(alice, 2); // one refresh as alice, to be sure the schedule runs

    // Same context, so bob's sign-in replaces the cookie alice's tab sends too.
    const bob = await newTab('bob');
    await bob.goto(`${server.url}/?identity=bob`);
    await untilValid(bob);
    expect(await bob.textContent('#identity')).toBe('bob');

    // Alice's next refresh brings bob's token from the server: refused, and the page says so.
    await alice.waitForSelector('#log li:has-text("Another tab signed in as")', { timeout: 10_000 });
    expect(await alice.isVisible('#identity-conflict')).toBe(true);
    expect(await alice.textContent('#conflict-identity')).toBe('alice');
    await alice.waitForSelector('#sign-in-again', { state: 'visible' });

    // A few refresh cycles of bob's tab later, alice's tab has still held only alice's tokens.
    const bobTokens = await tokensOf(bob);
    await untilTokens(bob, bobTokens + 3);
    expect(await identitiesSeen(alice)).toEqual(['alice']);
    const aliceState = await alice.evaluate(() => (window as unknown as Sampled).demo.manager!.getState());
    expect(aliceState.token?.identity ?? 'alice').toBe('alice');
    expect(await alice.textContent('#identity')).toBe('alice');

    const aliceLog = await logLines(alice);
    const refusals = aliceLog.filter((line) => line.startsWith('Another tab signed in as'));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatch(/^Another tab signed in as (bob|someone else): this tab keeps alice’s token; sign in again$/);
    // Refused is final: the tab stops asking (retrying would only fetch bob's token again).
    const refusedAt = aliceLog.indexOf(refusals[0]!);
    expect(aliceLog.slice(refusedAt).filter((line) => line.startsWith('Requesting a token'))).toEqual([]);
    expect(aliceLog.filter((line) => line.startsWith('New token')).every((line) => line.startsWith('New token for alice'))).toBe(true);
    // Bob's tab saw nothing of it.
    const bobLog = await logLines(bob);
    expect(bobLog.filter((line) => /Refused|Ignored|Another tab|failed/.test(line))).toEqual([]);
    expect(bobLog.filter((line) => line.startsWith('New token')).every((line) => line.startsWith('New token for bob'))).toBe(true);

    // "Sign in again" in alice's tab: now bob's tab is the one whose cookie is someone else's.
    await alice.click('#sign-in-again');
    await alice.waitForSelector('#signin-form', { state: 'visible' });
    expect(await alice.inputValue('#identity-input')).toBe('alice');
    await alice.click('#signin-form button[type=submit]');
    await untilValid(alice);
    expect(await alice.isVisible('#identity-conflict')).toBe(false);
    await bob.waitForSelector('#log li:has-text("Another tab signed in as")', { timeout: 10_000 });
    expect(await bob.textContent('#conflict-identity')).toBe('bob');
    expect(await bob.evaluate(() => (window as unknown as Sampled).demo.manager?.getState().token?.identity ?? 'bob')).toBe('bob');
    expect(await identitiesSeen(alice)).toEqual(['alice']);
    expect(problems).toEqual([]);
  }, 120_000);

  it('makes no request that fails and logs no console error before sign-in, after it, or on reload', async () => {
    const page = await newTab('page');
    const apiCalls: string[] = [];
    page.on('request', (request) => {
      const { pathname } = new URL(request.url());
      if (pathname.startsWith('/api/')) apiCalls.push(`${request.method()} ${pathname}`);
    });
    await page.goto(server.url);
    await page.waitForSelector('#signin-form', { state: 'visible' });
    await page.waitForTimeout(1_000);
    expect(apiCalls).toEqual([]); // no session yet: no /api/session (401) and no /api/token
    expect(server.tokenRequests()).toBe(0);

    await page.fill('#identity-input', 'alice');
    await page.click('#signin-form button[type=submit]');
    await untilValid(page);
    expect(apiCalls.filter((call) => call === 'POST /api/token').length).toBeGreaterThanOrEqual(1);

    // A reload finds the session again; after signing out, a reload asks for nothing.
    apiCalls.length = 0;
    await page.reload();
    await untilValid(page);
    expect(apiCalls.slice(0, 2)).toEqual(['GET /api/session', 'POST /api/token']);
    await page.click('#sign-out');
    await page.waitForSelector('#signin-form', { state: 'visible' });
    apiCalls.length = 0;
    await page.reload();
    await page.waitForSelector('#signin-form', { state: 'visible' });
    await page.waitForTimeout(500);
    expect(apiCalls).toEqual([]);
    expect(server.tokenRequests(401)).toBe(0);
    expect(problems).toEqual([]);
  }, 120_000);
});
