// @vitest-environment node
import type { Page } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium } from './chromium';
import { startDemoServer } from './demo-server';

// Each way the local signer can break a token: who refuses it (the server's Twilio stand-in, with its
// code; or the TokenManager itself, before any SDK sees it) and the finding the token doctor shows for
// it in the failure panel.
const BREAKS = [
  { mode: 'wrong-secret', by: 'twilio', twilioCode: '20107', finding: 'twilio-rejected', says: /signature/i, head: 'Twilio refused the token: 20107' },
  { mode: 'ttl-in-ms', by: 'twilio', twilioCode: '20157', finding: 'ttl-in-milliseconds', says: /milliseconds/, head: 'Twilio refused the token: 20157' },
  { mode: 'missing-grant', by: 'twilio', twilioCode: '20106', finding: 'missing-grant', says: /video/i, head: 'Twilio refused the token: 20106' },
  // The manager will not hand a token on whose nbf lies an hour ahead: it is refused before Twilio.
  { mode: 'future-nbf', by: 'manager', twilioCode: '', finding: 'not-yet-valid', says: /not valid for another/, head: 'The TokenManager turned the token down' },
] as const;
const DEADLINE = 30_000; // far above the few hundred ms each step takes, so a busy machine passes

describe.runIf(hasChromium)('the demo page explains a refused token with the token doctor', () => {
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let server: Awaited<ReturnType<typeof startDemoServer>>;
  let page: Page;
  const pageErrors: string[] = [];
  const requested: string[] = [];

  beforeEach(async () => {
    // 120 s: written in milliseconds, that is 120,000 s, past Twilio's 24 h.
    server = await startDemoServer({ TOKEN_TTL: '120' });
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('request', (request) => requested.push(new URL(request.url()).pathname));
    const firstVerdict = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/demo/twilio', { timeout: DEADLINE });
    await page.goto(`${server.url}/?identity=alice`);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'valid', undefined, { timeout: DEADLINE });
    expect((await firstVerdict).status()).toBe(200);
  });

  afterEach(async () => {
    await browser.close();
    await server.close();
    expect(pageErrors).toEqual([]);
  });

  it('shows, for each way of breaking the token, the doctor\'s finding; the doctor is loaded only on a refusal', async () => {
    // A sound token was taken: no explanation, and the doctor's file never fetched.
    expect(await page.isHidden('#doctor')).toBe(true);
    expect(await page.isVisible('#break-control')).toBe(true);
    expect(requested).toContain('/demo.js');
    expect(requested).not.toContain('/doctor.js');

    for (const { mode, by, twilioCode, finding, says, head } of BREAKS) {
      await page.selectOption('#break-mode', mode);
      await page.click('#break-token');
      const panel = `#doctor[data-refused-by="${by}"][data-twilio-code="${twilioCode}"]`;
      await page.waitForSelector(`${panel} li[data-code="${finding}"]`, { state: 'visible', timeout: DEADLINE });
      expect(await page.isVisible('#failures')).toBe(true);
      expect(await page.textContent('#doctor-head')).toContain(head);
      const item = page.locator(`#doctor-findings li[data-code="${finding}"]`);
      expect(await item.getAttribute('data-severity')).toBe('error');
      const text = (await item.textContent()) ?? '';
      expect(text).toMatch(says);
      expect(text).toContain('Fix: ');
      // The panel never shows the token itself.
      const jwt = await page.evaluate(() => (window as unknown as { demo: { manager?: { getState(): { token?: { jwt: string } } } } }).demo.manager?.getState().token?.jwt);
      expect(jwt).toBeTruthy();
      expect(await page.textContent('#failures')).not.toContain(jwt!.split('.')[2]);
      expect(await page.textContent('#failures')).not.toContain(jwt!.split('.')[1]);

      await page.click('#mend-token');
      await page.waitForSelector('#doctor', { state: 'hidden', timeout: DEADLINE });
    }
    // Loaded once, on the first refusal, and kept.
    expect(requested.filter((path) => path === '/doctor.js')).toHaveLength(1);
  }, 180_000);
});
