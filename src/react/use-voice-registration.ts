import { useState } from 'react';
import type { AttachVoiceOptions } from '../adapters/voice';
import type { CallElsewhere } from '../adapters/voice-registration';

/** What `useVoiceDevice` adds to a client result for `register: 'one-tab'`. */
export interface VoiceRegistrationState {
  /** Whether this tab's Device is the registered one (`register: 'one-tab'` only; `false` otherwise). */
  readonly registeredHere: boolean;
  /** Incoming calls ringing or answered in the registered tab, when that is another tab; ended ones leave the list. */
  readonly callsElsewhere: readonly CallElsewhere[];
}

const NONE: VoiceRegistrationState = { registeredHere: false, callsElsewhere: [] };

/** The list after one change: an ended call leaves it, any other replaces its entry (or joins). */
const withCall = (calls: readonly CallElsewhere[], call: CallElsewhere): readonly CallElsewhere[] => {
  const others = calls.filter((known) => known.sid !== call.sid);
  return call.status === 'ended' ? others : [...others, call];
};

/**
 * The registration state of `useVoiceDevice`, and the `attachVoice` options that feed it (read when the
 * Device is attached, as the hook's other options are). `reset` is called when a Device is attached
 * or detached, so a new user's Device starts from nothing.
 */
export function useVoiceRegistration(options: Pick<AttachVoiceOptions, 'register' | 'onRegistrationChange' | 'onCallElsewhere' | 'oneTab'> | undefined) {
  const [state, setState] = useState(NONE);
  const attachOptions: AttachVoiceOptions | undefined = options?.register && {
    register: 'one-tab',
    oneTab: options.oneTab,
    onRegistrationChange(registeredHere) {
      setState((previous) => ({ ...previous, registeredHere }));
      options.onRegistrationChange?.(registeredHere);
    },
    onCallElsewhere(call) {
      setState((previous) => ({ ...previous, callsElsewhere: withCall(previous.callsElsewhere, call) }));
      options.onCallElsewhere?.(call);
    },
  };
  return { state, attachOptions, reset: () => setState(NONE) };
}
