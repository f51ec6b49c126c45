// The Voice panel: each tab has a (simulated) Voice Device attached with `register: 'one-tab'`, so one
// tab of this user is registered. "Simulate an incoming call", from any tab, plays Twilio: it rings the
// registered tab's Device; the other tabs hear of it from attachVoice and say where it rings.
import { attachVoice, type CallElsewhere, type TokenManager } from 'twilio-token-lifecycle';
import { FakeVoiceDevice, type FakeVoiceCall } from 'twilio-token-lifecycle/testing';

const byId = (id: string) => document.getElementById(id)!;
/** How long the simulated caller lets it ring before hanging up. */
const RING_MS = 20_000;
const NOT_HERE = 'Not registered here: calls ring in your other tab, and this one takes over if it closes';

/** What the page exposes of the panel, for the browser tests. */
export interface VoicePanelHandle {
  registeredHere: boolean;
  calls: string[];
}

/** Starts the panel for `identity`'s manager; returns how to stop it. */
export function startVoicePanel(manager: TokenManager, jwt: string, identity: string, handle: VoicePanelHandle): () => void {
  const registration = byId('voice-registration');
  const callLine = byId('voice-call');
  const invite = byId('voice-invite') as HTMLButtonElement;
  const answer = byId('voice-answer') as HTMLButtonElement;
  const hangUp = byId('voice-hangup') as HTMLButtonElement;
  const device = new FakeVoiceDevice(jwt);
  // "Twilio": any tab may place the call; only a registered Device gets it.
  const twilio = new BroadcastChannel(`twilio-token-lifecycle-demo-voice:${identity}`);
  let ringing: FakeVoiceCall | undefined;
  let callerGivesUp: ReturnType<typeof setTimeout> | undefined;

  const show = (text: string) => {
    callLine.textContent = text;
    handle.calls.push(text);
  };
  const showButtons = () => {
    answer.hidden = !ringing || ringing.status() !== 'pending';
    hangUp.hidden = !ringing || ringing.status() === 'closed';
    hangUp.textContent = ringing?.status() === 'open' ? 'Hang up' : 'Decline';
  };
  const ring = () => {
    const call = device.simulateIncomingCall({ From: '+1 555 0100', To: `client:${identity}` });
    if (!call) return; // not the registered tab
    ringing = call;
    show(`Incoming call from ${call.parameters.From}: ringing here`);
    call.on('accept', () => show(`On a call with ${call.parameters.From}, in this tab`));
    for (const end of ['cancel', 'reject', 'disconnect'] as const) {
      call.on(end, () => {
        clearTimeout(callerGivesUp);
        ringing = undefined;
        show(end === 'cancel' ? 'The caller hung up' : 'Call ended');
        showButtons();
      });
    }
    callerGivesUp = setTimeout(() => call.simulateCancel(), RING_MS);
    showButtons();
  };
  twilio.addEventListener('message', ring);
  invite.onclick = () => {
    twilio.postMessage('invite'); // the other tabs
    ring(); // and this one
  };
  answer.onclick = () => (ringing?.accept(), showButtons());
  hangUp.onclick = () => (ringing?.status() === 'open' ? ringing.disconnect() : ringing?.reject());

  const describe = (call: CallElsewhere) =>
    call.status === 'ringing'
      ? `Incoming call from ${call.from}: ringing in your other tab`
      : call.status === 'accepted'
        ? `On a call with ${call.from}, in your other tab`
        : 'The call in your other tab ended';
  const detach = attachVoice(manager, device, {
    register: 'one-tab',
    onRegistrationChange: (here) => {
      handle.registeredHere = here;
      registration.dataset.here = String(here);
      registration.textContent = here ? 'Registered in this tab: incoming calls ring here' : NOT_HERE;
    },
    onCallElsewhere: (call) => show(describe(call)),
  });
  // Until the lock says otherwise (a first tab registers within a second).
  registration.textContent = NOT_HERE;

  return () => {
    clearTimeout(callerGivesUp);
    detach();
    device.destroy();
    twilio.close();
    invite.onclick = answer.onclick = hangUp.onclick = null;
    callLine.textContent = '';
    ringing = undefined;
    showButtons();
  };
}
