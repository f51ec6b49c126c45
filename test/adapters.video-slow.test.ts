// @vitest-environment node
// Found by an adversarial review: the manager holds a fetched token for `exp − iat − 1 s − round trip`,
// so a default taken from the nominal lifetime could ask a short token on a slow server for more than any
// fresh one gives, and connectVideo rejected with invalid-token though a usable token was in hand.
import { afterEach, describe, expect, it } from 'vitest';
import { connectVideo, createTokenManager, type TokenManager } from 'twilio-token-lifecycle';
import { mintTestToken, VirtualClock } from 'twilio-token-lifecycle/testing';

const managers: TokenManager[] = [];
afterEach(() => {
  for (const manager of managers.splice(0)) manager.stop();
});

describe('connectVideo default minValidityMs', () => {
  it('connects with a 10 s token fetched over a 4.2 s round trip under the default minValidityMs', async () => {
    const clock = new VirtualClock({ trueNow: Date.UTC(2026, 11, 7, 9, 0, 0), wallOffsetMs: 0 });
    const manager = createTokenManager({
      fetchToken: () =>
        new Promise<string>((resolve) => {
          // 2.1 s up, minted, 2.1 s down: slow mobile, well under the 10 s request timeout.
          clock.setTimer(() => {
            const jwt = mintTestToken({ issuedAt: clock.trueNow, ttlSeconds: 10 });
            clock.setTimer(() => resolve(jwt), 2100);
          }, 2100);
        }),
      scheduler: clock.scheduler,
      crossTab: false,
      network: false,
      page: false,
      random: () => 0.5,
    });
    managers.push(manager);
    const connected: string[] = [];
    const room = connectVideo(manager, async (token: string) => {
      connected.push(token);
      return { token };
    }).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    for (let i = 0; i < 40; i++) await clock.advance(500);
    const result = await room;
    expect(result).not.toHaveProperty('error');
    expect(connected).toHaveLength(1);
  });
});
