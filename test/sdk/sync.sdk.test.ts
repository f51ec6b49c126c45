// @vitest-environment node
import { describe } from 'vitest';
import { SyncClient } from 'twilio-sync';
import { attachSync } from 'twilio-token-lifecycle';
import { twilsockScenarios, type RealClient } from './twilsock-scenarios';

describe('attachSync with the real twilio-sync SyncClient on a fake twilsock server', () => {
  twilsockScenarios({
    name: 'Sync',
    create: (jwt, urls) =>
      new SyncClient(jwt, {
        twilsock: { uri: urls.twilsock },
        cdsUri: `${urls.rest}/cds`,
        logLevel: 'silent',
      } as ConstructorParameters<typeof SyncClient>[1]) as unknown as RealClient,
    attach: attachSync as never,
  });
});
