// The Voice page: the real `@twilio/voice-sdk` Device, kept fresh by this library's manager and
// attachVoice, against the fake signaling server named in the query string.
import { Device } from '@twilio/voice-sdk';
import { attachVoice, createTokenManager } from '../../../../src/index';
import { createHarness } from './harness';

const params = new URLSearchParams(location.search);
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
  const sound = new URL('/sound.wav', location.href).href;
  // `chunderw` (the signaling host) and `publishEvents` are read by the Device but not in its typings.
  const options: Device.Options & { chunderw: string; publishEvents: boolean } = {
    chunderw: params.get('chunderw')!,
    sounds: Object.fromEntries(Object.values(Device.SoundName).map((name) => [name, sound])),
    publishEvents: false,
    closeProtection: false,
    logLevel: 'warn',
    tokenRefreshMs: Number(params.get('tokenRefreshMs') ?? 10_000),
  };
  const device = new Device(token.jwt, options);
  device.on('tokenWillExpire', () => harness.hints.push(Date.now()));
  device.on('error', (error: { code?: number; message?: string }) => harness.sdkErrors.push(`${error.code}: ${error.message}`));
  harness.detach = attachVoice(manager, device, { onError: harness.onAdapterError });
  await device.register();
  harness.ready = true;
}

main().catch(harness.fail);
