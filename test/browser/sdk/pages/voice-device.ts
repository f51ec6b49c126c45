// What the Voice pages share: the real `@twilio/voice-sdk` Device, pointed at the fake signaling server
// named in the query string (`?chunderw=…`), with its SDK errors recorded on the harness.
import { Device } from '@twilio/voice-sdk';
import type { Harness } from './harness';

/** The page's query string. */
export const params = new URLSearchParams(location.search);

/** A Device for `jwt` on the fake signaling server; `options` add to (or override) the shared ones. */
export function createVoiceDevice(jwt: string, harness: Harness, options: Device.Options = {}): Device {
  const sound = new URL('/sound.wav', location.href).href;
  // `chunderw` (the signaling host) and `publishEvents` are read by the Device but not in its typings.
  const shared: Device.Options & { chunderw: string; publishEvents: boolean } = {
    chunderw: params.get('chunderw')!,
    sounds: Object.fromEntries(Object.values(Device.SoundName).map((name) => [name, sound])),
    publishEvents: false,
    closeProtection: false,
  };
  const device = new Device(jwt, { ...shared, ...options });
  device.on('error', (error: { code?: number; message?: string }) => harness.sdkErrors.push(`${error.code}: ${error.message}`));
  return device;
}
