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
    expect(await page.locator('#log li').count()).toBeGreaterThanOrEqual(5);
  }, 40_000);

  it('stops requesting tokens after sign-out', async () => {
    await page.click('#sign-out');
    await page.waitForSelector('#signin-form', { state: 'visible' });
    const atSignOut = server.tokenRequests();
    await page.waitForTimeout(9_000); // two token lifetimes
    expect(server.tokenRequests()).toBe(atSignOut);
    expect((await demo(page)).fingerprint).toBeUndefined();
  }, 30_000);

  it('shows errors while the backend fails, then recovers by itself', async () => {
    await page.$eval('#outage', (button) => ((button as HTMLElement).dataset.seconds = '4'));
    await page.click('#outage');
    await page.waitForFunction(() => (window as unknown as { demo: DemoHandle }).demo.statuses.includes('error'), undefined, { timeout: 15_000 });
    await page.waitForSelector('#log li:has-text("Refresh failed (http)")');
    expect(server.tokenRequests(503)).toBeGreaterThanOrEqual(1);
    const during = await demo(page);
    await page.waitForFunction(
      (before) => {
        const handle = (window as unknown as { demo: DemoHandle }).demo;
        return handle.tokensReceived > before && document.getElementById('status')?.textContent === 'valid';
      },
      during.tokensReceived,
      { timeout: 30_000 },
    );
    expect(server.tokenRequests(200)).toBeGreaterThan(1);
  }, 45_000);
});
