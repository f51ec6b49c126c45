import { expect, it } from 'vitest';
import { attachConversations, createTokenManager } from 'twilio-token-lifecycle';
import { FakeConversationsClient, mintTestToken } from 'twilio-token-lifecycle/testing';

// docs/guide/testing.md shows this file as it is, so the example there runs in every test run.
it('hands each new token to the client once, and detach() removes its listeners', async () => {
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
