// A softphone tab: the real `@twilio/voice-sdk` Device, attached with `register: 'one-tab'`, against the
// fake signaling server named in the query string (`?chunderw=…&identity=…`).
import { attachVoice, createTokenManager } from '../../../../src/index';
import { createHarness } from './harness';
import { createVoiceDevice, params } from './voice-device';

const identity = params.get('identity') ?? 'alice';
const harness = Object.assign(createHarness(), {
  identity,
  registeredHere: false,
  /** When attachVoice was called (this page's Date.now()). */
  attachedAt: 0,
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
  const device = createVoiceDevice(token.jwt, harness, { logLevel: 'error' });
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
  harness.attachedAt = Date.now();
  // The test, if it listens, hears the moment this tab starts competing (the chaos run's "tab up").
  (window as unknown as { reportAttached?: (at: number) => void }).reportAttached?.(harness.attachedAt);
  harness.ready = true;
}

main().catch(harness.fail);
