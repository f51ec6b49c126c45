// @vitest-environment node
import { describe } from 'vitest';
import { Client } from '@twilio/conversations';
import { attachConversations } from 'twilio-token-lifecycle';
import { chatLikeOptions, twilsockScenarios, type RealClient } from './twilsock-scenarios';

describe('attachConversations with the real @twilio/conversations Client on a fake twilsock server', () => {
  twilsockScenarios({
    name: 'Conversations',
    create: (jwt, urls) =>
      new Client(jwt, chatLikeOptions(urls) as ConstructorParameters<typeof Client>[1]) as unknown as RealClient,
    attach: attachConversations as never,
  });
});
