// @vitest-environment node
import { describe } from 'vitest';
import { Client } from 'twilio-chat';
import { attachChat } from 'twilio-token-lifecycle';
import { twilsockScenarios, type RealClient } from './twilsock-scenarios';

describe('attachChat with the real twilio-chat Client on a fake twilsock server', () => {
  twilsockScenarios({
    name: 'Chat',
    create: async (jwt, urls) =>
      (await Client.create(jwt, {
        twilsock: { uri: urls.twilsock },
        apiUri: `${urls.rest}/aim`,
        typingUri: `${urls.rest}/aim`,
        cdsUri: `${urls.rest}/cds`, // the embedded SyncClient reads the top-level options
        Sync: { cdsUri: `${urls.rest}/cds` },
        logLevel: 'silent',
      } as Parameters<typeof Client.create>[1])) as unknown as RealClient,
    attach: attachChat as never,
  });
});
