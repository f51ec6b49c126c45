import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../chromium';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);
const leavesLoopback = (url: URL) => (url.protocol === 'data:' || url.protocol === 'blob:' ? false : !LOOPBACK_HOSTS.has(url.hostname));

/**
 * A headless Chromium for the real SDKs: a fresh profile, trusting the test's self-signed certificate
 * (the Voice signaling server is `wss://`), and a fence: every request or WebSocket to anywhere but
 * 127.0.0.1 is recorded in `escapes` and aborted, so a test can fail when an SDK dials Twilio.
 */
export async function launchSdkChromium(): Promise<{ context: BrowserContext; escapes: string[]; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'ttl-sdk-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS, '--ignore-certificate-errors', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'],
    ignoreHTTPSErrors: true,
  });
  const escapes: string[] = [];
  await context.route(leavesLoopback, (route) => {
    escapes.push(route.request().url());
    return route.abort('blockedbyclient');
  });
  await context.routeWebSocket(leavesLoopback, (socket) => {
    escapes.push(socket.url());
    return socket.close({ code: 1008, reason: 'loopback only' });
  });
  return {
    context,
    escapes,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    },
  };
}

/**
 * Collects what went wrong in a page: uncaught exceptions and unhandled rejections (`pageerror`) and
 * console errors, each as text.
 */
export function watchPageErrors(page: Page): { uncaught: string[]; consoleErrors: string[] } {
  const uncaught: string[] = [];
  const consoleErrors: string[] = [];
  page.on('pageerror', (error) => uncaught.push(`${error.name}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  return { uncaught, consoleErrors };
}
