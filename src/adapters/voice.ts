import type { TokenManager } from '../token-manager';
import { attachClient, type AttachOptions, type Detach, type TokenClient } from './attach-client';

/** The shape of `@twilio/voice-sdk`'s `Device` that the adapter uses. */
export interface VoiceDeviceLike extends TokenClient<'tokenWillExpire' | 'destroyed'> {
  /** The token the device holds. */
  readonly token?: string | null;
}

/**
 * Hands every new token of `manager` to a Voice `Device`. Its `tokenWillExpire` is only a hint: the
 * SDK arms it once and does not re-arm it on `updateToken`, so it can fire late for a token already
 * replaced; the manager's own schedule is what keeps the device fresh. A destroyed Device detaches
 * itself (its `updateToken` throws from then on, so each later token would be an `update-failed`).
 */
export function attachVoice(manager: TokenManager, device: VoiceDeviceLike, options?: AttachOptions): Detach {
  const detach = attachClient(manager, device, { ...options, hints: ['tokenWillExpire'], heldToken: () => device.token });
  const stop = () => {
    device.removeListener('destroyed', stop);
    detach();
  };
  device.on('destroyed', stop);
  return stop;
}
