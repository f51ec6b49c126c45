// A softphone tab: the real `@twilio/voice-sdk` Device, attached with `register: 'one-tab'`, against the
// fake signaling server named in the query string (`?chunderw=…&identity=…`).
import { Device } from '@twilio/voice-sdk';
import { attachVoice, createTokenManager } from '../../../../src/index';
import { createHarness } from './harness';

const params = new URLSearchParams(location.search);
const identity = params.get('identity') ?? 'alice';
const harness = Object.assign(createHarness(), {
  identity,
  registeredHere: false,
  /** Each onRegistrationChange, with its time. */
  changes: [] as { at: number; here: boolean }[],
  /** Each onCallElsewhere, with its time. */
  elsewhere: [] as { at: number; sid: string; status: string }[],
  /** Each call that rang in this tab (the Device's `incoming`). */
  incoming: [] as { at: number; sid: string }[],
  /** Each end of a call that rang here (`cancel`). */
  cancelled: [] as { at: number; sid: string }[],
  deviceStates: [] as string[],
});

async function main() {
  const manager = createTokenManager({ url: `/api/token?identity=${encodeURIComponent(identity)}`, random: () => 0.99 });
  harness.watch(manager);
  const token = await manager.getToken();
  const sound = new URL('/sound.wav', location.href).href;
  // `chunderw` (the signaling host) and `publishEvents` are read by the Device but not in its typings.
  const options: Device.Options & { chunderw: string; publishEvents: boolean } = {
    chunderw: params.get('chunderw')!,
    sounds: Object.fromEntries(Object.values(Device.SoundName).map((name) => [name, sound])),
    publishEvents: false,
    closeProtection: false,
    logLevel: 'error',
  };
  const device = new Device(token.jwt, options);
  device.on('error', (error: { code?: number; message?: string }) => harness.sdkErrors.push(`${error.code}: ${error.message}`));
  for (const state of ['registered', 'unregistered', 'destroyed']) device.on(state, () => harness.deviceStates.push(state));
  device.on('incoming', (call: { parameters: { CallSid: string }; on(event: string, listener: () => void): void }) => {
    const sid = call.parameters.CallSid;
    harness.incoming.push({ at: Date.now(), sid });
    call.on('cancel', () => harness.cancelled.push({ at: Date.now(), sid }));
  });
  harness.detach = attachVoice(manager, device, {
    register: 'one-tab',
    onError: harness.onAdapterError,
    onRegistrationChange: (here) => {
      harness.registeredHere = here;
      harness.changes.push({ at: Date.now(), here });
    },
    onCallElsewhere: (call) => harness.elsewhere.push({ at: Date.now(), sid: call.sid, status: call.status }),
  });
  harness.ready = true;
}

main().catch(harness.fail);
