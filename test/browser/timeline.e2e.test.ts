// @vitest-environment node
import type { Page } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium } from './chromium';
import { startDemoServer } from './demo-server';
import { createTimeline, layoutTimeline, record, type Shape } from '../../examples/demo/src/timeline';

const tokens = (page: Page) => page.evaluate(() => (window as unknown as { demo: { tokensReceived: number } }).demo.tokensReceived);
const untilValid = (page: Page) => page.waitForFunction(() => document.getElementById('status')?.textContent === 'valid');

/** Elements that stick out past the right edge of the viewport (none, or the page scrolls sideways). */
const overflow = (page: Page) =>
  page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll('body *')]
      .filter((element) => element.getClientRects().length > 0 && element.getBoundingClientRect().right > width + 0.5)
      .map((element) => `${element.tagName.toLowerCase()}#${element.id}.${element.getAttribute('class') ?? ''}`);
    return { scroll: document.documentElement.scrollWidth - width, wide };
  });

/** Installed in the page: on every repaint of the timeline, any two text boxes that intersect, and any text the now line crosses. */
function watchLabels() {
  const svg = document.getElementById('timeline')!;
  const found: string[] = [];
  const checks: Record<string, number> = {};
  const check = () => {
    const scheme = matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
    const key = `${document.documentElement.clientWidth} ${scheme}`;
    checks[key] = (checks[key] ?? 0) + 1;
    const texts = [...svg.querySelectorAll('text')].map((text) => ({ text: text.textContent ?? '', box: text.getBoundingClientRect() }));
    const line = svg.querySelector('.tl-now-line')?.getBoundingClientRect();
    const hit = (a: DOMRect, b: DOMRect, pad = 0) => a.left < b.right + pad && b.left - pad < a.right && a.top < b.bottom && b.top < a.bottom;
    texts.forEach((a, i) => {
      for (const b of texts.slice(i + 1)) if (hit(a.box, b.box)) found.push(`${key}: "${a.text}" × "${b.text}"`);
      // The line is 1.5 px wide: its box has no width, so pad it by half.
      if (line && a.text !== 'now' && hit(a.box, line, 0.75)) found.push(`${key}: "${a.text}" × the now line`);
    });
  };
  new MutationObserver(check).observe(svg, { childList: true });
  (window as unknown as { labelCheck: { found: string[]; checks: Record<string, number> } }).labelCheck = { found, checks };
}
const labelCheck = (page: Page) => page.evaluate(() => (window as unknown as { labelCheck: { found: string[]; checks: Record<string, number> } }).labelCheck);

/** WCAG contrast of every old lane's bars and label against the card, from computed styles (opacity included). */
function oldLaneContrasts() {
  const svg = document.getElementById('timeline')!;
  const rgb = (color: string) => (color.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
  const channel = (c: number) => ((c /= 255) <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const luminance = ([r, g, b]: number[]) => 0.2126 * channel(r!) + 0.7152 * channel(g!) + 0.0722 * channel(b!);
  const ratio = (a: number[], b: number[]) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi! + 0.05) / (lo! + 0.05);
  };
  const background = rgb(getComputedStyle(svg.closest('.card')!).backgroundColor);
  return [...svg.querySelectorAll('.tl-replaced .tl-seg, .tl-replaced .tl-lane-label')].map((element) => {
    let alpha = Number(getComputedStyle(element).fillOpacity);
    for (let node: Element | null = element; node && node !== svg.parentElement; node = node.parentElement) alpha *= Number(getComputedStyle(node).opacity);
    const fill = rgb(getComputedStyle(element).fill);
    const seen = fill.map((c, i) => alpha * c + (1 - alpha) * background[i]!);
    return { what: element.getAttribute('class') ?? '', ratio: ratio(seen, background) };
  });
}

describe.runIf(hasChromium)('the demo timeline in Chromium', () => {
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let server: Awaited<ReturnType<typeof startDemoServer>>;
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];

  const open = async (path: string, viewport?: { width: number; height: number }) => {
    const page = await browser.context.newPage();
    if (viewport) await page.setViewportSize(viewport);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    await page.goto(`${server.url}${path}`);
    return page;
  };

  beforeEach(async () => {
    pageErrors.length = 0;
    consoleErrors.length = 0;
    server = await startDemoServer({ TOKEN_TTL: '4' });
    browser = await launchChromium();
  });

  afterEach(async () => {
    await browser.close();
    await server.close();
    expect(pageErrors).toEqual([]);
  });

  it('draws one lane per token, with its refresh and expiry marks, and loads with no console error', async () => {
    const page = await open('/');
    await page.waitForSelector('#signin-form', { state: 'visible' });
    await page.fill('#identity-input', 'alice');
    await page.press('#identity-input', 'Enter'); // the form works from the keyboard
    await untilValid(page);
    await page.waitForFunction(() => (window as unknown as { demo: { tokensReceived: number } }).demo.tokensReceived >= 3, undefined, { timeout: 15_000 });
    // Each token the page took is a lane (up to six, newest first).
    await page.waitForFunction(() => {
      const received = (window as unknown as { demo: { tokensReceived: number } }).demo.tokensReceived;
      return document.querySelectorAll('#timeline [data-lane]').length === Math.min(received, 6);
    });
    const lanes = await page.$$eval('#timeline [data-lane]', (items) => items.map((item) => Number(item.getAttribute('data-lane'))));
    expect(lanes.length).toBeGreaterThanOrEqual(3);
    expect(lanes).toEqual([...lanes].sort((a, b) => b - a));
    const newest = page.locator('#timeline .tl-newest');
    await expect(newest.locator('[data-mark="refresh"]').count()).resolves.toBe(1);
    await expect(newest.locator('[data-mark="expires"]').count()).resolves.toBe(1);
    expect(await newest.textContent()).toMatch(/refresh due.*expires|expires.*refresh due/);
    expect(await page.$$eval('#timeline [data-mark="request"]', (items) => items.length)).toBeGreaterThanOrEqual(3);
    expect(await page.getAttribute('#timeline', 'aria-label')).toMatch(/^Timeline of \d+ tokens/);
    expect(await page.textContent('#role-badge')).toBe('Refresher: fetches for every tab');
    // No 401 before sign-in, nothing else either.
    expect(consoleErrors).toEqual([]);
    expect(await tokens(page)).toBeGreaterThanOrEqual(3);
  }, 120_000);

  it('marks each failure with its code during the simulated outage, then the recovery', async () => {
    const page = await open('/?identity=alice');
    await untilValid(page);
    await page.$eval('#outage', (button) => ((button as HTMLElement).dataset.seconds = '4'));
    await page.focus('#outage');
    await page.keyboard.press('Enter');
    const failure = await page.waitForSelector('#timeline [data-mark="failure"]', { timeout: 15_000 });
    expect(await failure.getAttribute('data-code')).toBe('simulated-outage');
    expect(await failure.textContent()).toContain('503');
    expect(await page.$$eval('#timeline [data-spell="outage"]', (items) => items.length)).toBe(1);
    // The failure panel: the attempt, the server's code and message, and a countdown to the retry.
    await page.waitForSelector('#failures[data-state="failing"]');
    expect(await page.textContent('#failure-head')).toMatch(/^This tab’s token request failed: attempt \d+/);
    expect(await page.textContent('#failure-detail')).toMatch(
      /^HTTP 503 simulated-outage: “The token backend is down \(simulated by the demo\)” · no new token for \d+\.\d s$/,
    );
    expect(await page.textContent('#failure-retry')).toMatch(/^(Next try in \d+\.\d s \(after \d+ failures?; the server said Retry-After \d+ s\)|Trying again now)$/);
    await page.waitForSelector('#failures[data-state="recovered"]', { timeout: 30_000 });
    expect(await page.textContent('#failure-head')).toMatch(/^Recovered at /);
    expect(await page.$$eval('#timeline [data-mark="recovery"]', (items) => items.length)).toBe(1);
    expect(await page.$$eval('#timeline [data-spell="outage"][data-open]', (items) => items.length)).toBe(0);
    const failures = await page.$$eval('#timeline [data-mark="failure"]', (items) => items.length);
    expect(failures).toBe(server.tokenRequests(503));
  }, 120_000);

  it('opens a second tab that shows it follows, when it would take over, and the refresher’s requests', async () => {
    const page = await open('/?identity=alice');
    await untilValid(page);
    const [second] = await Promise.all([browser.context.waitForEvent('page', { timeout: 30_000 }), page.click('#open-tab', { timeout: 30_000 })]);
    second.on('pageerror', (error) => pageErrors.push(error.message));
    await second.waitForLoadState();
    await untilValid(second);
    await second.waitForFunction(() => document.getElementById('role-badge')?.textContent === 'Follower: uses the refresher’s tokens');
    // A tick is a line with no width: attached, not "visible".
    await second.waitForSelector('#timeline [data-mark="takeover"]', { state: 'attached' });
    expect(await second.textContent('#tab-note')).toMatch(/fetches by itself at .* \(in \d+\.\d s\) only if the refresher sends no token by then/);
    expect(await second.textContent('#refresh-label')).toMatch(/^Takes over in/);
    // The refresher's requests serve this tab too: its timeline shows them (hollow), and its tokens come from another tab.
    await second.waitForSelector('#timeline .tl-request.tl-remote', { timeout: 10_000 });
    await second.waitForSelector('#timeline [data-lane][data-origin="tab"]');
  }, 120_000);

  it('has no horizontal scroll at 360 px, signed out and signed in, in dark mode too', async () => {
    const page = await open('/', { width: 360, height: 740 });
    await page.waitForSelector('#signin-form', { state: 'visible' });
    expect(await overflow(page)).toEqual({ scroll: 0, wide: [] });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${server.url}/?identity=a-rather-long-identity-for-a-phone.example.com`);
    await untilValid(page);
    await page.$eval('#outage', (button) => ((button as HTMLElement).dataset.seconds = '4'));
    await page.click('#outage');
    await page.waitForSelector('#failures[data-state="failing"]', { timeout: 15_000 });
    expect(await overflow(page)).toEqual({ scroll: 0, wide: [] });
    await page.waitForSelector('#failures[data-state="recovered"]', { timeout: 20_000 });
    expect(await overflow(page)).toEqual({ scroll: 0, wide: [] });
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).not.toBe('rgb(245, 246, 248)'); // the light theme's
  }, 120_000);

  describe('its labels and colours', () => {
    it('never draws two labels over each other, nor the now line through one, at 360, 390 and 1280 px, light and dark', async () => {
      const page = await browser.context.newPage();
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(`${server.url}/?identity=alice`);
      await untilValid(page);
      await page.evaluate(watchLabels);
      for (const width of [1280, 390, 360]) {
        await page.setViewportSize({ width, height: 900 });
        for (const colorScheme of ['light', 'dark'] as const) {
          await page.emulateMedia({ colorScheme });
          // An outage at every size and scheme: failure labels, the outage band, the recovery, new lanes.
          const before = await tokens(page);
          await page.$eval('#outage', (button) => ((button as HTMLElement).dataset.seconds = '2'));
          await page.click('#outage');
          await page.waitForSelector('#failures[data-state="failing"]', { timeout: 30_000 });
          await page.waitForSelector('#failures[data-state="recovered"]', { timeout: 30_000 });
          await page.waitForFunction((n) => (window as unknown as { demo: { tokensReceived: number } }).demo.tokensReceived >= n, before + 2, { timeout: 30_000 });
        }
      }
      const { found, checks } = await labelCheck(page);
      expect([...new Set(found)]).toEqual([]);
      // Every size and scheme was checked, on many repaints.
      for (const width of [1280, 390, 360]) for (const scheme of ['light', 'dark']) expect(checks[`${width} ${scheme}`] ?? 0).toBeGreaterThan(10);
    }, 240_000);

    it('keeps old lanes at 3:1 contrast or more against the card in dark mode', async () => {
      const page = await browser.context.newPage();
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.goto(`${server.url}/?identity=alice`);
      await untilValid(page);
      await page.waitForFunction(() => document.querySelectorAll('#timeline .tl-replaced .tl-seg').length >= 4, undefined, { timeout: 30_000 });
      const contrasts = await page.evaluate(oldLaneContrasts);
      expect(contrasts.some((entry) => entry.what.includes('tl-fresh'))).toBe(true);
      expect(contrasts.some((entry) => entry.what.includes('tl-window'))).toBe(true);
      for (const entry of contrasts) expect(entry, entry.what).toMatchObject({ ratio: expect.any(Number) });
      expect(contrasts.filter((entry) => entry.ratio < 3)).toEqual([]);
    }, 120_000);

    it('pauses under the mouse only with a visible cue, and moves on when the mouse leaves', async () => {
      const page = await browser.context.newPage();
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await page.goto(`${server.url}/?identity=alice`);
      await untilValid(page);
      expect(await page.isVisible('#timeline-paused')).toBe(false);
      await page.hover('#timeline-box');
      await page.waitForSelector('#timeline-paused', { state: 'visible' });
      expect(await page.textContent('#timeline-paused')).toBe('paused — move away to resume');
      const held = await page.getAttribute('#timeline', 'aria-label');
      const count = await tokens(page);
      // New tokens come; the paused timeline keeps its picture while the cue shows.
      await page.waitForFunction((n) => (window as unknown as { demo: { tokensReceived: number } }).demo.tokensReceived >= n, count + 2, { timeout: 30_000 });
      expect(await page.getAttribute('#timeline', 'aria-label')).toBe(held);
      expect(await page.isVisible('#timeline-paused')).toBe(true);
      await page.mouse.move(1, 1);
      await page.waitForSelector('#timeline-paused', { state: 'hidden' });
      await page.waitForFunction((before) => document.getElementById('timeline')?.getAttribute('aria-label') !== before, held, { timeout: 30_000 });
    }, 120_000);
  });
});

describe('the timeline layout (pure)', () => {
  const now = 1_800_000_000_000;
  const tokenAt = (at: number, lifetimeMs: number, leadMs: number) =>
    ({ type: 'token', at, origin: 'fetched', identity: 'alice', lifetimeMs, usableAt: at, refreshAt: at + lifetimeMs - leadMs, expiresAt: at + lifetimeMs, fingerprint: '…abcdef' }) as const;
  const xOf = (layout: ReturnType<typeof layoutTimeline>, mark: string) => {
    const lane = layout.shapes.find((shape) => shape.attrs['data-lane'] !== undefined && String(shape.attrs.class).includes('tl-newest'))!;
    const tick = lane.children!.find((shape) => shape.attrs['data-mark'] === mark)!;
    return Number(tick.attrs.x1);
  };

  it.each([
    ['a 20 s token', 20_000, 5_000],
    ['a 1 h token', 3_600_000, 300_000],
  ])('keeps %s readable: now, refresh due and expiry apart and inside the chart', (_name, lifetimeMs, leadMs) => {
    const model = createTimeline();
    record(model, { type: 'request', at: now - 1000, reason: 'initial', attempt: 1 });
    record(model, tokenAt(now - 900, lifetimeMs, leadMs));
    const width = 900;
    const layout = layoutTimeline(model, now, width);
    const refresh = xOf(layout, 'refresh');
    const expires = xOf(layout, 'expires');
    const nowX = Number(layout.shapes.find((shape) => shape.attrs.class === 'tl-now')!.children![0]!.attrs.x1);
    expect(refresh - nowX).toBeGreaterThan(60);
    expect(expires - refresh).toBeGreaterThan(15);
    expect(expires).toBeLessThanOrEqual(width);
    expect(layoutTimeline(model, now, width)).toEqual(layout); // pure
  });

  it('marks a failure with its status and code, shades the outage and marks the recovery', () => {
    const model = createTimeline();
    record(model, tokenAt(now - 20_000, 20_000, 5_000));
    record(model, { type: 'request', at: now - 5_000, reason: 'scheduled', attempt: 1 });
    record(model, {
      type: 'failure', at: now - 4_900, code: 'http', message: 'HTTP 503', status: 503, attempt: 1, retryAt: now + 1_000,
      serverError: { code: 'simulated-outage', message: 'The token backend is down (simulated by the demo)' },
    } as never);
    let layout = layoutTimeline(model, now, 360);
    const all = (shapes: readonly Shape[]): Shape[] => shapes.flatMap((shape) => [shape, ...all(shape.children ?? [])]);
    const failure = all(layout.shapes).find((shape) => shape.attrs['data-mark'] === 'failure')!;
    expect(failure.attrs['data-code']).toBe('simulated-outage');
    expect(all(failure.children!).some((shape) => shape.text === '503')).toBe(true);
    expect(all(layout.shapes).filter((shape) => shape.attrs['data-spell'] === 'outage' && shape.attrs['data-open'] === 'true')).toHaveLength(1);
    expect(layout.width).toBe(360);
    record(model, { type: 'request', at: now + 1_000, reason: 'retry', attempt: 2 });
    record(model, tokenAt(now + 1_100, 20_000, 5_000));
    layout = layoutTimeline(model, now + 2_000, 360);
    expect(all(layout.shapes).filter((shape) => shape.attrs['data-mark'] === 'recovery')).toHaveLength(1);
    expect(model.recoveries).toEqual([{ at: now + 1_100, since: now - 5_000, failures: 1 }]);
  });
});
