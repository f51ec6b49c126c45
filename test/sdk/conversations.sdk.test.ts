// @vitest-environment node
import { describe } from 'vitest';
import { Client } from '@twilio/conversations';
import { attachConversations } from 'twilio-token-lifecycle';
import { twilsockScenarios, type RealClient } from './twilsock-scenarios';

describe('attachConversations with the real @twilio/conversations Client on a fake twilsock server', () => {
  twilsockScenarios({
    name: 'Conversations',
    create: (jwt, urls) =>
      new Client(jwt, {
        twilsock: { uri: urls.twilsock },
        apiUri: `${urls.rest}/aim`,
        typingUri: `${urls.rest}/aim`,
        cdsUri: `${urls.rest}/cds`, // the embedded SyncClient reads the top-level options
        Sync: { cdsUri: `${urls.rest}/cds` },
        logLevel: 'silent',
      } as ConstructorParameters<typeof Client>[1]) as unknown as RealClient,
    attach: attachConversations as never,
  });
});
