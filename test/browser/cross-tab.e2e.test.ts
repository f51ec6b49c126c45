// @vitest-environment node
import type { Page } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium } from './chromium';
import { startDemoServer } from './demo-server';
import { launchRawChromium } from './raw-cdp';

interface DemoHandle {
  statuses: string[];
  tokensReceived: number;
  tokenTimes: number[];
  fingerprint(): string | undefined;
  manager?: { getState(): { role?: string; status: string; offline?: true } };
}
const read = (page: Page) =>
  page.evaluate(() => {
    const demo = (window as unknown as { demo: DemoHandle }).demo;
    const state = demo.manager?.getState();
    return { ...state, statuses: [...demo.statuses], tokensReceived: demo.tokensReceived, tokenTimes: [...demo.tokenTimes], fingerprint: demo.fingerprint() };
  });
const untilTokens = (page: Page, count: number, timeout = 30_000) =>
  page.waitForFunction((n) => (window as unknown as { demo: { tokensReceived: number } }).demo.tokensReceived >= n, count, { timeout });
const untilValid = (page: Page) => page.waitForFunction(() => document.getElementById('status')?.textContent === 'valid');

describe.runIf(hasChromium)('tabs, sleep and offline in Chromium', () => {
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let server: Awaited<ReturnType<typeof startDemoServer>>;
  const pageErrors: string[] = [];

  const openTab = async (path = '/') => {
    const page = await browser.context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${server.url}${path}`);
    await untilValid(page);
    return page;
  };

  beforeEach(async () => {
    server = await startDemoServer({ TOKEN_TTL: '6' });
    browser = await launchChromium();
  });

  afterEach(async () => {
    await browser.close();
    await server.close();
    expect(pageErrors).toEqual([]);
  });

  it('five tabs make one request per refresh cycle and hold the same token', async () => {
    const tabs = [await openTab('/?identity=alice')];
    for (let i = 1; i < 5; i++) tabs.push(await openTab());
    expect(server.tokenRequests()).toBe(1);
    const roles = await Promise.all(tabs.map(async (tab) => (await read(tab)).role));
    expect(roles.filter((role) => role === 'refresher')).toHaveLength(1);
    expect(roles.filter((role) => role === 'follower')).toHaveLength(4);

    const start = (await read(tabs[0]!)).tokensReceived;
    await untilTokens(tabs[0]!, start + 3);
    await tabs[0]!.waitForTimeout(300); // let the last token reach every tab
    expect(server.tokenRequests()).toBe(4);
    const states = await Promise.all(tabs.map(read));
    expect(new Set(states.map((state) => state.fingerprint)).size).toBe(1);
    for (const state of states) expect(state.statuses).not.toContain('expired');
    expect(await tabs[0]!.textContent('#tab-role')).toMatch(/refresher|follower/);
  }, 120_000);

  it('keeps refreshing when the refresher tab closes', async () => {
    const tabs = [await openTab('/?identity=alice'), await openTab(), await openTab()];
    const states = await Promise.all(tabs.map(read));
    const refresher = tabs[states.findIndex((state) => state.role === 'refresher')]!;
    const others = tabs.filter((tab) => tab !== refresher);
    await refresher.close();
    await others[0]!.waitForFunction(() => {
      const state = (window as unknown as { demo: DemoHandle }).demo.manager?.getState();
      return state?.role === 'refresher';
    }, undefined, { timeout: 30_000 }).catch(() => undefined);
    const before = server.tokenRequests();
    const start = (await read(others[0]!)).tokensReceived;
    await untilTokens(others[0]!, start + 2);
    await others[0]!.waitForTimeout(300);
    expect(server.tokenRequests() - before).toBe(2);
    const after = await Promise.all(others.map(read));
    expect(after.map((state) => state.role).sort()).toEqual(['follower', 'refresher']);
    expect(new Set(after.map((state) => state.fingerprint)).size).toBe(1);
    for (const state of after) expect(state.statuses).not.toContain('expired');
  }, 120_000);

  it('pauses requests offline and recovers within a second of going back online', async () => {
    const page = await openTab('/?identity=alice');
    await browser.context.setOffline(true);
    await page.waitForFunction(() => (window as unknown as { demo: DemoHandle }).demo.manager?.getState().offline === true);
    expect(await page.textContent('#network')).toMatch(/offline/);
    const before = server.tokenRequests();
    await page.waitForTimeout(8_000); // past the refresh time and the expiry
    expect(server.tokenRequests()).toBe(before);
    const start = await read(page);
    const onlineAt = Date.now();
    await browser.context.setOffline(false);
    await untilTokens(page, start.tokensReceived + 1);
    const recovered = await read(page);
    // Answered by the online event itself, not by the next scheduled check (up to a minute away):
    // the bound is ten times what it takes on a loaded machine.
    expect(recovered.tokenTimes.at(-1)! - onlineAt).toBeLessThan(10_000);
    expect(recovered.offline).toBeUndefined();
    expect(recovered.status).toBe('valid');
  }, 120_000);

});

describe.runIf(hasChromium)('a frozen page in Chromium', () => {
  it('refreshes on resume after being frozen past its refresh time', async () => {
    const server = await startDemoServer({ TOKEN_TTL: '6' });
    const chromium = await launchRawChromium();
    try {
      await chromium.goto(`${server.url}/?identity=alice`);
      const tokens = () => chromium.evaluate<number>('window.demo.tokensReceived');
      const waitFor = async (test: () => Promise<boolean>, timeoutMs: number) => {
        const until = Date.now() + timeoutMs;
        while (!(await test())) {
          if (Date.now() > until) throw new Error('timed out');
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      };
      await waitFor(async () => (await tokens()) >= 1, 30_000);
      const before = await tokens();
      await chromium.send('Page.setWebLifecycleState', { state: 'frozen' });
      const frozenAt = server.tokenRequests();
      await new Promise((resolve) => setTimeout(resolve, 8_000)); // past the refresh time and the expiry
      expect(server.tokenRequests()).toBe(frozenAt); // a frozen page runs nothing
      const resumedAt = Date.now();
      await chromium.send('Page.setWebLifecycleState', { state: 'active' });
      await waitFor(async () => (await tokens()) > before, 30_000);
      const lastTokenAt = await chromium.evaluate<number>('window.demo.tokenTimes.at(-1)');
      // Answered by the resume itself, not by the next scheduled check (up to a minute away).
      expect(lastTokenAt - resumedAt).toBeLessThan(10_000);
      expect(await chromium.evaluate<string>('window.demo.manager.getState().status')).toBe('valid');
    } finally {
      await chromium.close();
      await server.close();
    }
  }, 120_000);
});
