// @vitest-environment node
import type { Page } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium } from './chromium';
import { startDemoServer } from './demo-server';

const isRegisteredHere = (page: Page) => page.evaluate(() => (window as unknown as { demo: { voice: { registeredHere: boolean } } }).demo.voice.registeredHere);
const callLine = (page: Page) => page.textContent('#voice-call');

describe.runIf(hasChromium)('the demo’s Voice panel in Chromium', () => {
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let server: Awaited<ReturnType<typeof startDemoServer>>;
  const pageErrors: string[] = [];

  beforeEach(async () => {
    server = await startDemoServer({});
    browser = await launchChromium();
  });

  afterEach(async () => {
    await browser.close();
    await server.close();
    expect(pageErrors).toEqual([]);
  });

  const open = async (query = '') => {
    const page = await browser.context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${server.url}/${query}`);
    await page.waitForFunction(() => (window as unknown as { demo?: { manager?: unknown } }).demo?.manager !== undefined, undefined, { timeout: 20_000 });
    return page;
  };

  it('registers one of two tabs; a call placed from the other rings in the registered one, and the other says where', async () => {
    const first = await open('?identity=alice');
    const second = await open(); // same session cookie: signs in as alice by itself
    let flags: boolean[] = [];
    for (let i = 0; i < 200 && flags.filter(Boolean).length !== 1; i++) {
      await first.waitForTimeout(100);
      flags = [await isRegisteredHere(first), await isRegisteredHere(second)];
    }
    expect(flags.filter(Boolean)).toHaveLength(1);
    const [holder, other] = flags[0] ? [first, second] : [second, first];
    expect(await other!.textContent('#voice-registration')).toMatch(/^Not registered here: calls ring in your other tab/);

    await other!.click('#voice-invite');
    await holder!.waitForFunction(() => document.getElementById('voice-call')?.textContent?.endsWith('ringing here'), undefined, { timeout: 10_000 });
    await other!.waitForFunction(() => document.getElementById('voice-call')?.textContent?.endsWith('ringing in your other tab'), undefined, { timeout: 10_000 });
    await holder!.click('#voice-answer');
    await other!.waitForFunction(() => document.getElementById('voice-call')?.textContent?.includes('On a call'), undefined, { timeout: 10_000 });
    await holder!.click('#voice-hangup');
    await other!.waitForFunction(() => document.getElementById('voice-call')?.textContent === 'The call in your other tab ended', undefined, { timeout: 10_000 });
    expect(await callLine(holder!)).toBe('Call ended');

    // The registered tab closes: the other one takes over.
    await holder!.close();
    await other!.waitForFunction(() => (window as unknown as { demo: { voice: { registeredHere: boolean } } }).demo.voice.registeredHere, undefined, { timeout: 20_000 });
    expect(await other!.textContent('#voice-registration')).toBe('Registered in this tab: incoming calls ring here');
  }, 60_000);
});
