// The Voice page: the real `@twilio/voice-sdk` Device, kept fresh by this library's manager and
// attachVoice, against the fake signaling server named in the query string.
import { attachVoice, createTokenManager } from '../../../../src/index';
import { createHarness } from './harness';
import { createVoiceDevice, params } from './voice-device';

const harness = createHarness();

async function main() {
  const manager = createTokenManager({
    url: '/api/token',
    // A failed scheduled refresh is retried only after 30 s, so a hint's own request is visible.
    retry: { baseDelayMs: Number(params.get('retryBaseMs') ?? 1000) },
    random: () => 0.99,
  });
  harness.watch(manager);
  const token = await manager.getToken();
  const device = createVoiceDevice(token.jwt, harness, { logLevel: 'warn', tokenRefreshMs: Number(params.get('tokenRefreshMs') ?? 10_000) });
  device.on('tokenWillExpire', () => harness.hints.push(Date.now()));
  harness.detach = attachVoice(manager, device, { onError: harness.onAdapterError });
  await device.register();
  harness.ready = true;
}

main().catch(harness.fail);
