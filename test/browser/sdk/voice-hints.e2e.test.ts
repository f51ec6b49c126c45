// @vitest-environment node
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium } from '../chromium';
import { bundlePage } from './bundle-page';
import { makeLoopbackCertificate, type LoopbackCertificate } from './certificate';
import { startFakeVoiceSignaling, type FakeVoiceSignaling } from './fake-voice-signaling';
import { openSdkPage, readHarness } from './open-sdk-page';
import { startSdkPageServer, type SdkPageServer } from './sdk-page-server';
import { sleep, until } from './until';

// 20 s tokens: the manager refreshes 5 s before expiry. The Device fires tokenWillExpire
// `reported TTL − tokenRefreshMs` after it connects, so tokenRefreshMs places the hint.
const TTL_SECONDS = 20;

describe.runIf(hasChromium)('the real Device’s tokenWillExpire is a hint to attachVoice', () => {
  let certificate: LoopbackCertificate;
  let script: string;
  let pageServer: SdkPageServer | undefined;
  let signaling: FakeVoiceSignaling | undefined;
  let opened: Awaited<ReturnType<typeof openSdkPage>> | undefined;

  beforeAll(async () => {
    [certificate, script] = await Promise.all([makeLoopbackCertificate(), bundlePage('voice.ts')]);
  });

  afterEach(async () => {
    if (opened) {
      const harness = await readHarness(opened.page);
      expect(harness.adapterErrors).toEqual([]);
      expect(harness.unhandled).toEqual([]);
      expect(opened.errors.uncaught).toEqual([]);
      // Chromium logs the 503 this test answers on purpose; nothing else may reach the console.
      const deliberate = /^Failed to load resource: the server responded with a status of 503/;
      expect(opened.errors.consoleErrors.filter((text) => !deliberate.test(text))).toEqual([]);
      expect(opened.browser.escapes).toEqual([]);
      await opened.browser.close();
    }
    await signaling?.close();
    await pageServer?.close();
    opened = signaling = pageServer = undefined;
  });

  const start = async (query: string) => {
    pageServer = await startSdkPageServer({ script, ttlSeconds: TTL_SECONDS });
    signaling = await startFakeVoiceSignaling({ certificate });
    opened = await openSdkPage(`${pageServer.url}/?chunderw=${signaling.chunderw}&${query}`);
    return { pageServer, signaling, page: opened.page };
  };

  it('outside the refresh window, a hint fetches nothing and hands nothing', async () => {
    // The hint comes about 4 s after connecting, with some 15 s left: far from the 5 s window.
    const { pageServer, signaling, page } = await start('tokenRefreshMs=15000');
    await until('the hint', async () => (await readHarness(page)).hints.length === 1, 15_000);
    await sleep(1_500);
    const harness = await readHarness(page);
    expect(harness.requests.map((request) => request.reason)).toEqual(['demand']);
    expect(pageServer.requests).toHaveLength(1);
    expect(signaling.listens).toHaveLength(1);
    // The hint came well before the window: the test proves what it claims.
    expect(signaling.listens[0]!.expiresAt! - harness.hints[0]!).toBeGreaterThan(8_000);
  }, 120_000);

  it('inside the refresh window, a hint fetches and the Device gets the new token before expiry', async () => {
    // The scheduled refresh (5 s before expiry) fails and its retry is 30 s away; the hint comes
    // about 3 s before expiry and must fetch on its own.
    const { pageServer, signaling, page } = await start('tokenRefreshMs=3000&retryBaseMs=30000');
    pageServer.failNext(1);
    const first = signaling.listens[0]!;
    await until('the hint’s token on the wire', () => signaling.listens.length === 2, 25_000);
    await until('the first token’s expiry', () => Date.now() > first.expiresAt! + 500, 30_000);
    const harness = await readHarness(page);

    expect(harness.requests.map((request) => request.reason)).toEqual(['demand', 'scheduled', 'hint']);
    expect(pageServer.requests.map((request) => request.status)).toEqual([200, 503, 200]);
    expect(harness.hints).toHaveLength(1);
    const [hint] = harness.hints as [number];
    expect(first.expiresAt! - hint).toBeLessThan(5_000); // inside the window
    const second = signaling.listens[1]!;
    expect(second.ok).toBe(true);
    expect(second.jwt).toBe(pageServer.requests[2]!.jwt);
    expect(second.at).toBeLessThan(first.expiresAt!);
    expect(signaling.expiredOnWire).toEqual([]);
  }, 120_000);
});
