// @vitest-environment node
import { afterEach, describe, expect, it } from 'vitest';
import { hasChromium } from '../chromium';
import { launchSdkChromium } from './sdk-chromium';
import { startSdkPageServer, type SdkPageServer } from './sdk-page-server';

// The real-SDK tests trust `escapes` to be empty only if the fence really catches what leaves loopback.
describe.runIf(hasChromium)('the SDK Chromium’s loopback fence', () => {
  let browser: Awaited<ReturnType<typeof launchSdkChromium>> | undefined;
  let server: SdkPageServer | undefined;

  afterEach(async () => {
    await browser?.close();
    await server?.close();
    browser = server = undefined;
  });

  it('records and aborts every request and WebSocket to anywhere but 127.0.0.1', async () => {
    server = await startSdkPageServer({ script: 'window.harness = { ready: true };', ttlSeconds: 60 });
    browser = await launchSdkChromium();
    const page = await browser.context.newPage();
    await page.goto(server.url);
    const outcome = await page.evaluate(async () => {
      const fetched = await fetch('https://sdkgw.us1.twilio.com/v1/sounds/incoming.mp3').then(
        () => 'answered',
        () => 'blocked',
      );
      const socket = await new Promise<string>((resolve) => {
        const ws = new WebSocket('wss://global.vss.twilio.com/signaling');
        ws.onopen = () => resolve('open');
        ws.onclose = () => resolve('closed');
      });
      const local = await fetch('/api/token', { method: 'POST' }).then((response) => response.status);
      return { fetched, socket, local };
    });
    expect(outcome).toEqual({ fetched: 'blocked', socket: 'closed', local: 200 });
    expect(browser.escapes.sort()).toEqual([
      'https://sdkgw.us1.twilio.com/v1/sounds/incoming.mp3',
      'wss://global.vss.twilio.com/signaling',
    ]);
  }, 120_000);
});
