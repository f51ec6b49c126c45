// @vitest-environment node
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium } from '../chromium';
import { bundlePage } from './bundle-page';
import { startFakeVideoSignaling, type FakeVideoSignaling, type FakeVideoSignalingOptions } from './fake-video-signaling';
import { openSdkPage, readHarness } from './open-sdk-page';
import { startSdkPageServer, type SdkPageServer } from './sdk-page-server';
import { tail } from './verify-test-token';

type JoinResult = { sid?: string; state?: string; identity?: string; code?: number; name?: string; message?: string };

describe.runIf(hasChromium)('connectVideo with the real twilio-video connect in Chromium', () => {
  let script: string;
  let pageServer: SdkPageServer | undefined;
  let signaling: FakeVideoSignaling | undefined;
  let opened: Awaited<ReturnType<typeof openSdkPage>> | undefined;

  beforeAll(async () => {
    script = await bundlePage('video.ts');
  });

  afterEach(async () => {
    if (opened) {
      await opened.page.evaluate(() => (window as unknown as { harness: { leave(): void } }).harness.leave());
      const harness = await readHarness(opened.page);
      expect(harness.unhandled).toEqual([]);
      expect(opened.errors.uncaught).toEqual([]);
      expect(opened.errors.consoleErrors).toEqual([]);
      expect(opened.browser.escapes).toEqual([]);
      await opened.browser.close();
    }
    await signaling?.close();
    await pageServer?.close();
    opened = signaling = pageServer = undefined;
  });

  const join = async (refuse: FakeVideoSignalingOptions['refuse'], reuseForMs = 0, ttlSeconds = 120) => {
    pageServer = await startSdkPageServer({ script, ttlSeconds, reuseForMs });
    signaling = await startFakeVideoSignaling({ refuse });
    opened = await openSdkPage(`${pageServer.url}/?wsServer=${encodeURIComponent(signaling.wsServer)}`);
    const result = await opened.page.evaluate(
      () => (window as unknown as { harness: { join(): Promise<JoinResult> } }).harness.join(),
    );
    return { result, signaling, pageServer, page: opened.page };
  };

  // Twilio refuses the same bytes every time: once refused, a JWT is refused again.
  const refuseFirstAndRepeats = (code: number): FakeVideoSignalingOptions['refuse'] => (jwt, earlier) =>
    earlier.length === 0 || earlier.some((connect) => connect.jwt === jwt && connect.answer !== 'connected') ? code : undefined;

  it.each([20104, 20101])('after a %i, connects with a different token than the one refused', async (code) => {
    // The token server hands out the same JWT for 1.5 s (Twilio's helper does within a second; the
    // margin keeps the one-request-a-second gate from stepping over it): the first refresh returns
    // the refused bytes, and connectVideo must wait for new ones.
    const { result, signaling, pageServer, page } = await join(refuseFirstAndRepeats(code), 1_500);

    expect(result.code, result.message).toBeUndefined();
    expect(result).toMatchObject({ state: 'connected', identity: 'alice' });
    expect(result.sid).toMatch(/^RM[0-9a-f]{32}$/);
    expect(signaling.connects.map((connect) => connect.answer)).toEqual([code, 'connected']);
    const [refused, accepted] = signaling.connects.map((connect) => connect.jwt) as [string, string];
    expect(tail(accepted)).not.toBe(tail(refused));
    // The first refresh came back with the refused bytes; the retry waited for the next.
    const served = pageServer.requests.map((request) => request.jwt!);
    expect(served.map(tail)).toEqual([refused, refused, accepted].map(tail));
    expect((await readHarness(page)).requests.map((request) => request.reason)).toEqual(['demand', 'refresh', 'refresh']);
  }, 120_000);

  it('connects with 60 s tokens and the default minValidityMs (half a fresh token’s lifetime)', async () => {
    const { result, signaling, pageServer } = await join(() => undefined, 0, 60);

    expect(result.code, result.message).toBeUndefined();
    expect(result).toMatchObject({ state: 'connected', identity: 'alice' });
    expect(signaling.connects.map((connect) => connect.answer)).toEqual(['connected']);
    expect(pageServer.requests).toHaveLength(1);
  }, 60_000);

  it('gives up with the SDK’s 20104, never re-sending it, when the server keeps handing out the refused JWT', async () => {
    const { result, signaling, pageServer } = await join(refuseFirstAndRepeats(20104), 60_000);

    expect(result).toMatchObject({ code: 20104, name: 'TwilioError' });
    expect(signaling.connects).toHaveLength(1);
    // The first request and three refreshes, one a second, all answered with the same bytes.
    expect(pageServer.requests).toHaveLength(4);
    expect(new Set(pageServer.requests.map((request) => request.jwt)).size).toBe(1);
  }, 120_000);

  it('rejects with the SDK’s 20104 when the new token is refused too, after one retry', async () => {
    const { result, signaling } = await join(() => 20104);

    expect(result).toMatchObject({ code: 20104, name: 'TwilioError', message: 'Access Token expired or expiration date invalid' });
    expect(signaling.connects).toHaveLength(2);
    expect(new Set(signaling.connects.map((connect) => connect.jwt)).size).toBe(2);
  }, 120_000);
});
