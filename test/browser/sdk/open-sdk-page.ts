import type { Page } from 'playwright-core';
import type { Harness } from './pages/harness';
import { launchSdkChromium, watchPageErrors } from './sdk-chromium';

/** Opens `url` in a fresh SDK Chromium and waits until the page's harness says ready (or failed). */
export async function openSdkPage(url: string) {
  const browser = await launchSdkChromium();
  try {
    const page = await browser.context.newPage();
    const errors = watchPageErrors(page);
    await page.goto(url);
    await page.waitForFunction(() => {
      const harness = (window as unknown as { harness?: Harness }).harness;
      return harness?.ready || harness?.fatal !== undefined;
    }, undefined, { timeout: 20_000 });
    const fatal = await readHarness(page).then((harness) => harness.fatal);
    if (fatal !== undefined) throw new Error(`The page failed to start: ${fatal}`);
    return { browser, page, errors };
  } catch (error) {
    await browser.close();
    throw error;
  }
}

/** A copy of the page's `window.harness`, without its functions. */
export const readHarness = (page: Page): Promise<Harness> =>
  page.evaluate(() => JSON.parse(JSON.stringify((window as unknown as { harness: Harness }).harness)) as Harness);
