import { expect, it } from 'vitest';
import { attachConversations, createTokenManager } from 'twilio-token-lifecycle';
import { FakeConversationsClient, mintTestToken } from 'twilio-token-lifecycle/testing';

// The README's test-kit example, verbatim, so the documentation stays true.
it('runs the README test-kit example as written', async () => {
  // Tokens minted in the same second are identical, as Twilio's are; step `issuedAt` to tell them apart.
  let issuedAt = Date.now();
  const manager = createTokenManager({
    fetchToken: async () => mintTestToken({ identity: 'alice', ttlSeconds: 60, issuedAt: (issuedAt += 1000) }),
  });
  const client = new FakeConversationsClient((await manager.getToken()).jwt);
  const detach = attachConversations(manager, client);
  await manager.refresh();
  expect(client.updateTokenCalls).toHaveLength(1);
  detach();
  expect(client.listenerCount('tokenAboutToExpire')).toBe(0);
  manager.stop();
});
