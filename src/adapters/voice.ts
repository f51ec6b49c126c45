import type { TokenManager } from '../token-manager';
import { attachClient, type AttachOptions, type Detach, type TokenClient } from './attach-client';

/** The shape of `@twilio/voice-sdk`'s `Device` that the adapter uses. */
export interface VoiceDeviceLike extends TokenClient<'tokenWillExpire'> {
  /** The token the device holds. */
  readonly token?: string | null;
}

/**
 * Hands every new token of `manager` to a Voice `Device`. Its `tokenWillExpire` is only a hint: the
 * SDK arms it once and does not re-arm it on `updateToken`, so it can fire late for a token already
 * replaced; the manager's own schedule is what keeps the device fresh.
 */
export function attachVoice(manager: TokenManager, device: VoiceDeviceLike, options?: AttachOptions): Detach {
  return attachClient(manager, device, { ...options, hints: ['tokenWillExpire'], heldToken: () => device.token });
}
