// @vitest-environment node
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium } from '../chromium';
import { bundlePage } from './bundle-page';
import { makeLoopbackCertificate, type LoopbackCertificate } from './certificate';
import { startFakeVoiceSignaling, type FakeVoiceSignaling } from './fake-voice-signaling';
import { openSdkPage, readHarness } from './open-sdk-page';
import { startSdkPageServer, type SdkPageServer } from './sdk-page-server';
import { tail } from './verify-test-token';

const TTL_SECONDS = 10; // the manager refreshes 2.5 s before expiry: a cycle every 7.5 s

describe.runIf(hasChromium)('attachVoice with the real @twilio/voice-sdk Device in Chromium', () => {
  let certificate: LoopbackCertificate;
  let script: string;
  let pageServer: SdkPageServer | undefined;
  let signaling: FakeVoiceSignaling | undefined;
  let browser: Awaited<ReturnType<typeof openSdkPage>>['browser'] | undefined;

  beforeAll(async () => {
    [certificate, script] = await Promise.all([makeLoopbackCertificate(), bundlePage('voice.ts')]);
  });

  afterEach(async () => {
    await browser?.close();
    await signaling?.close();
    await pageServer?.close();
    browser = signaling = pageServer = undefined;
  });

  it('keeps the token on the signaling socket valid over 3+ refresh cycles, each new token sent once', async () => {
    pageServer = await startSdkPageServer({ script, ttlSeconds: TTL_SECONDS });
    signaling = await startFakeVoiceSignaling({ certificate });
    // tokenRefreshMs 2 s: the SDK's own warning would come 2 s before each expiry, if it were re-armed.
    const opened = await openSdkPage(`${pageServer.url}/?chunderw=${signaling.chunderw}&tokenRefreshMs=2000`);
    browser = opened.browser;
    const { page, errors } = opened;

    // 5 tokens on the wire: the first and 4 refresh cycles (each ran while the previous token was live).
    const deadline = Date.now() + 45_000;
    while (signaling.listens.length < 5 && Date.now() < deadline) await page.waitForTimeout(250);
    const harness = await readHarness(page);
    const served = pageServer.requests.filter((request) => request.status === 200).map((request) => request.jwt!);

    expect(signaling.listens.length, 'tokens the Device sent').toBeGreaterThanOrEqual(5);
    // The server never saw its last token expire, and never got an expired or invalid one.
    expect(signaling.expiredOnWire).toEqual([]);
    expect(signaling.listens.filter((listen) => !listen.ok).map((listen) => tail(listen.jwt))).toEqual([]);
    // Each token reached the server before the one it replaces expired.
    for (let i = 1; i < signaling.listens.length; i++) {
      expect(signaling.listens[i]!.at).toBeLessThan(signaling.listens[i - 1]!.expiresAt!);
    }
    // Each token the endpoint served went out once, in order: no repeats, none skipped.
    const sent = signaling.listens.map((listen) => listen.jwt);
    expect(sent.map(tail)).toEqual(served.slice(0, sent.length).map(tail));
    expect(new Set(sent).size).toBe(sent.length);
    expect(signaling.connections()).toBe(1);
    // The SDK's tokenWillExpire is not re-armed on updateToken: it fired once, for the first token only.
    expect(harness.hints).toHaveLength(1);
    expect(harness.requests.map((request) => request.reason)).toEqual(['demand', ...served.slice(1).map(() => 'scheduled')]);

    expect(harness.adapterErrors).toEqual([]);
    expect(harness.sdkErrors).toEqual([]);
    expect(harness.unhandled).toEqual([]);
    expect(errors.uncaught).toEqual([]);
    expect(errors.consoleErrors).toEqual([]);
    expect(browser.escapes).toEqual([]);
  }, 120_000);
});
