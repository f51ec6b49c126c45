import type { CrossTabChannelFactory } from '../cross-tab/channel';
import type { LockManagerLike } from '../cross-tab/election';
import { TokenError } from '../errors';
import type { TokenManager, TokenScheduler } from '../token-manager';
import { attachClient, type AttachOptions, type Detach, type Listener, type TokenClient } from './attach-client';
import type { CallElsewhere } from './voice-registration';

/** The shape of `@twilio/voice-sdk`'s `Device` that the adapter uses. */
export interface VoiceDeviceLike extends TokenClient<'tokenWillExpire' | 'destroyed'> {
  /** The token the device holds. */
  readonly token?: string | null;
}

/** The part of a Voice `Call` that `register: 'one-tab'` reads: its parameters and how it ends. */
export interface VoiceCallLike {
  /** Twilio's call parameters: `CallSid`, `From`, `To`. */
  readonly parameters?: Readonly<Record<string, string | undefined>>;
  on(event: 'accept' | 'cancel' | 'disconnect' | 'reject', listener: Listener): unknown;
  removeListener(event: 'accept' | 'cancel' | 'disconnect' | 'reject', listener: Listener): unknown;
}

/** A `Device` whose registration `register: 'one-tab'` manages: `register()`, `unregister()`, `state` and their events. */
export interface RegistrableVoiceDevice extends VoiceDeviceLike {
  /** `'unregistered' | 'registering' | 'registered' | 'destroyed'`, as the SDK's `device.state`. */
  readonly state: string;
  register(): unknown;
  unregister(): unknown;
  on(event: 'tokenWillExpire' | 'destroyed' | 'registered' | 'unregistered' | 'incoming', listener: Listener): unknown;
  removeListener(event: 'tokenWillExpire' | 'destroyed' | 'registered' | 'unregistered' | 'incoming', listener: Listener): unknown;
}

/** Where `register: 'one-tab'` coordinates; for tests and unusual hosts. */
export interface OneTabOptions {
  /** The lock manager; `null` uses the BroadcastChannel lease (1 s). @default navigator.locks */
  locks?: LockManagerLike | null;
  /** The bus between tabs, for the lease and the call relay. @default BroadcastChannel */
  channel?: CrossTabChannelFactory;
  /** Timers of the lease, the settle wait and registration retries. @default the manager's `scheduler` */
  scheduler?: TokenScheduler;
  /**
   * Where `beforeunload` is heard: a registered holder whose page is about to unload sends its unregister
   * then, and tells the next holder it need not wait for the closing socket. `null`: not listened for.
   * @default globalThis (the window), where it has addEventListener
   */
  window?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'> | null;
  /**
   * Where the tabs note whether a registration may still be live (one short key per registration), so a
   * tab that takes over after a clean close registers at once, and waits for a socket only after a crash.
   * `null`: not used (every takeover waits, unless the last holder said it unregistered).
   * @default localStorage, where it is usable
   */
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;
}

/** Options of {@link attachVoice}. */
export interface AttachVoiceOptions extends AttachOptions {
  /**
   * `'one-tab'`: the adapter owns the Device's registration for incoming calls. It calls `register()`
   * only while this tab holds the browser-wide registration for the token's account + identity (a Web
   * Lock; a BroadcastChannel lease where Web Locks are missing), and `unregister()` before giving it
   * up (detach, another identity's token); when the holder closes, crashes or detaches, another tab
   * attached the same way registers. Do not call `register()` yourself then.
   * @default undefined (or null): the app registers the Device, as without this library
   */
  register?: 'one-tab';
  /** With `register: 'one-tab'`: called when this tab becomes (`true`) or stops being (`false`) the registered one. */
  onRegistrationChange?: (registeredHere: boolean) => void;
  /**
   * With `register: 'one-tab'`: an incoming call of the registered tab, in every other tab: `'ringing'`,
   * then `'accepted'` or `'ended'` (an accepted call ends with `'ended'`; a call of a holder that closed
   * ends when the next holder takes over).
   */
  onCallElsewhere?: (call: CallElsewhere) => void;
  /** With `register: 'one-tab'`: the lock, channel and timers it uses. @default the browser's */
  oneTab?: OneTabOptions;
}

/**
 * Hands every new token of `manager` to a Voice `Device`. Its `tokenWillExpire` is only a hint: the
 * SDK arms it once and does not re-arm it on `updateToken`, so it can fire late for a token already
 * replaced; the manager's own schedule is what keeps the device fresh. A destroyed Device detaches
 * itself (its `updateToken` throws from then on, so each later token would be an `update-failed`).
 *
 * With `register: 'one-tab'`, one tab per browser registers for incoming calls (see
 * {@link AttachVoiceOptions.register}); its code is loaded on first use.
 *
 * @example
 * const detach = attachVoice(manager, device, {
 *   register: 'one-tab',
 *   onRegistrationChange: (here) => render({ here }),
 *   onCallElsewhere: (call) => render({ call }), // "ringing in your other tab"
 * });
 */
export function attachVoice(manager: TokenManager, device: RegistrableVoiceDevice, options: AttachVoiceOptions & { register: 'one-tab' }): Detach;
export function attachVoice(manager: TokenManager, device: VoiceDeviceLike, options?: AttachVoiceOptions & { register?: undefined }): Detach;
export function attachVoice(manager: TokenManager, device: RegistrableVoiceDevice, options?: AttachVoiceOptions): Detach;
export function attachVoice(manager: TokenManager, device: VoiceDeviceLike, options: AttachVoiceOptions = {}): Detach {
  const { register, onRegistrationChange, onCallElsewhere, oneTab, ...attach } = options;
  // null (a JSON config's "unset") is absent, as undefined is.
  if (register != null && register !== 'one-tab') throw new TypeError(`attachVoice: register must be 'one-tab', not ${String(register)}`);
  const detach = attachClient(manager, device, { ...attach, hints: ['tokenWillExpire'], heldToken: () => device.token });
  let isAttached = true;
  let stopRegistration: (() => void) | undefined;
  if (register) {
    // Its own chunk: apps that never ask for it never load it.
    import('./voice-one-tab').then(({ startOneTabRegistration }) => {
      if (!isAttached) return;
      // A register() that never settled: the attach's error path hears it, as a TokenError.
      const onRegisterTimeout = (message: string) => (attach.onError ?? console.warn)(new TokenError('timeout', message));
      stopRegistration = startOneTabRegistration(manager, device as RegistrableVoiceDevice, { onRegistrationChange, onCallElsewhere, onRegisterTimeout, ...oneTab });
    }, console.warn);
  }
  const stop = () => {
    if (!isAttached) return;
    isAttached = false;
    device.removeListener('destroyed', stop);
    stopRegistration?.();
    detach();
  };
  device.on('destroyed', stop);
  return stop;
}
