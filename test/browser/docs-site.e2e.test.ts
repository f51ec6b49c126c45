// @vitest-environment node
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDocsSite, serveSite } from '../docs/site';
import { hasChromium, launchChromium } from './chromium';

// The built docs site (npm run docs; built here unless up to date) opened in Chromium from a plain static
// server, offline: no page logs a console error, throws, or asks for anything that is not there.
describe.runIf(hasChromium)('the docs site in Chromium', () => {
  let site: Awaited<ReturnType<typeof serveSite>>;
  let browser: Awaited<ReturnType<typeof launchChromium>>;

  beforeAll(async () => {
    await ensureDocsSite();
    site = await serveSite();
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it.each(['/', '/guide/getting-started', '/guide/lifecycle', '/guide/server', '/api/', '/api/twilio-token-lifecycle/functions/createTokenManager'])(
    'renders %s with no console error and no failed request',
    async (path) => {
      const page = await browser.context.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('requestfailed', (request) => problems.push(`failed: ${request.url()}`));
      page.on('response', (response) => {
        if (response.status() >= 400) problems.push(`${response.status()}: ${response.url()}`);
      });
      await page.goto(`${site.url}${path}`, { waitUntil: 'networkidle', timeout: 60_000 });
      // The page is VitePress's, hydrated: its title and the sidebar or hero are there.
      await page.waitForSelector('.VPContent', { timeout: 30_000 });
      expect(await page.title()).toContain('twilio-token-lifecycle');
      // Client-side navigation works too: follow the first sidebar or hero link.
      const link = page.locator('.VPSidebar a.link, .VPHero a.VPButton').first();
      if ((await link.count()) > 0) {
        await link.click();
        await page.waitForLoadState('networkidle');
      }
      expect(problems).toEqual([]);
      await page.close();
    },
    60_000,
  );
});
