// @vitest-environment node
import { describe } from 'vitest';
import { Client } from 'twilio-chat';
import { attachChat } from 'twilio-token-lifecycle';
import { chatLikeOptions, twilsockScenarios, type RealClient } from './twilsock-scenarios';

describe('attachChat with the real twilio-chat Client on a fake twilsock server', () => {
  twilsockScenarios({
    name: 'Chat',
    create: async (jwt, urls) =>
      (await Client.create(jwt, chatLikeOptions(urls) as Parameters<typeof Client.create>[1])) as unknown as RealClient,
    attach: attachChat as never,
  });
});
