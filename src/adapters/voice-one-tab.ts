// Loaded lazily by attachVoice({ register: 'one-tab' }): the runtime that carries out
// voice-registration.ts's rules with a lock, a channel and the Device.
// It imports nothing of the core at run time (no rxjs, no token code): a bundler then splits it off
// without touching the core's own chunk.
import type { SchedulerLike, Subscription } from 'rxjs';
import { broadcastChannel, type CrossTabChannel } from '../cross-tab/channel';
import type { LeaderElection, LockManagerLike } from '../cross-tab/election';
import { registrationLock } from '../cross-tab/registration-lock';
import type { TokenManager } from '../token-manager';
import type { Listener } from './attach-client';
import type { AttachVoiceOptions, OneTabOptions, RegistrableVoiceDevice, VoiceCallLike } from './voice';
import {
  describeCall,
  isVoiceRelayMessage,
  registrationName,
  relayMessage,
  relayStep,
  type CallElsewhereStatus,
  type TrackedCall,
  type VoiceRelayMessage,
} from './voice-registration';

/**
 * How long a leaving holder waits for `unregister()` (the SDK waits for the server's `offline`) before it
 * releases the lock anyway: a server that never answers must not keep every tab unregistered.
 */
export const UNREGISTER_TIMEOUT_MS = 5_000;

/**
 * How long a new holder of the Web Lock waits before registering, unless the last holder said it had
 * unregistered (`voice-released`): a tab that closes, reloads or crashes frees its lock as its socket
 * closes, and the close may reach Twilio after the next tab's `register` (seen: 60 ms in Chromium).
 * The lease fallback needs none: its gain already waits half a lease (REGISTRATION_CONFIRM_MS).
 */
export const CLOSE_SETTLE_MS = 750;

type Settings = Pick<AttachVoiceOptions, 'onRegistrationChange' | 'onCallElsewhere'> & OneTabOptions;

const CALL_ENDINGS = ['cancel', 'disconnect', 'reject'] as const;
const noop = (): void => undefined;
/** Registration retries: 1, 2, 4 … 30 s (as the adapters' recovery). */
const nextRetryDelay = (previous: number) => Math.min(2 * previous || 1_000, 30_000);
/** setTimeout and Date.now, read at call time (fake timers drive them); only `unsubscribe` is used of what it returns. */
const timeouts = {
  now: () => Date.now(),
  schedule(work: () => void, delay = 0) {
    const handle = setTimeout(work, delay);
    return { unsubscribe: () => clearTimeout(handle) } as Subscription;
  },
} as SchedulerLike;
const NO_CHANNEL: CrossTabChannel = { post: noop, subscribe: () => noop, close: noop };

function defaultLocks(): LockManagerLike | null {
  const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
  return typeof locks?.request === 'function' ? locks : null;
}

function randomId(): string {
  return typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : Math.random().toString(36).slice(2);
}

/** A callback of the app's: a throw is rethrown on its own, never into the SDK or this runtime. */
function tell<T>(callback: ((value: T) => void) | undefined, value: T): void {
  try {
    callback?.(value);
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}

/**
 * Makes `device` the one registered Device of its account + identity in this browser while this tab
 * holds the registration lock, relays its incoming calls to the other tabs and theirs to the app.
 * Returns how to stop: unregister (if registered here), then release the lock.
 */
export function startOneTabRegistration(manager: TokenManager, device: RegistrableVoiceDevice, settings: Settings): () => void {
  if (typeof device.register !== 'function' || typeof device.unregister !== 'function') {
    console.error("[twilio-token-lifecycle] attachVoice: register: 'one-tab' needs a Device with register() and unregister()");
    return noop;
  }
  const { onRegistrationChange, onCallElsewhere } = settings;
  const scheduler = settings.scheduler ?? timeouts;
  const locks = settings.locks === undefined ? defaultLocks() : settings.locks;
  const tabId = randomId();
  let channel: CrossTabChannel | undefined;
  let lock: LeaderElection | undefined;
  let name: string | undefined;
  let unlisten = noop;
  let isHolder = false; // the lock says this tab may be registered
  let isLeaving = false; // giving up: unregister first, then release
  let isDone = false;
  let isBusy = false; // a register() or unregister() is in flight
  let shouldRegister = false; // set on gaining the lock and by the retry timer
  let registeredHere = false;
  let retry: Subscription | undefined;
  let retryDelay = 0;
  let leaveTimer: Subscription | undefined;
  let settle: Subscription | undefined;
  let heardRelease = false; // the last holder said `voice-released` (since the last `voice-owner`)
  let subscription: Subscription | undefined;
  let known: readonly TrackedCall[] = []; // other tabs' calls
  const ownCalls = new Map<string, { call: VoiceCallLike; status: CallElsewhereStatus; off(): void }>();

  const post = (body: Parameters<typeof relayMessage>[1]) => channel?.post(relayMessage(tabId, body) as never);
  const hear = (message: VoiceRelayMessage) => {
    const step = relayStep(known, message);
    known = step.calls;
    for (const change of step.changes) tell(onCallElsewhere, change);
  };

  const publish = () => {
    const next = isHolder && !isLeaving && device.state === 'registered';
    if (next === registeredHere) return;
    registeredHere = next;
    tell(onRegistrationChange, next);
  };

  // Retries a failed or lost registration while this tab holds the lock: 1, 2, 4 … 30 s.
  const retryLater = () => {
    if (retry || !isHolder || isLeaving) return;
    retry = scheduler.schedule(() => {
      retry = undefined;
      shouldRegister = true;
      sync();
    }, (retryDelay = nextRetryDelay(retryDelay)));
  };

  const run = (action: () => unknown, isRegister: boolean) => {
    isBusy = true;
    let result: unknown;
    try {
      result = action();
    } catch (error) {
      result = Promise.reject(error);
    }
    Promise.resolve(result).then(
      () => {
        if (isRegister) retryDelay = 0;
      },
      () => {
        if (isRegister) retryLater();
      },
    ).then(() => {
      isBusy = false;
      sync();
    });
  };

  /** Brings the Device's registration in line with the lock: the one loop every change goes through. */
  function sync(): void {
    if (isDone) return;
    publish();
    if (isBusy) return;
    const state = device.state;
    const isWanted = isHolder && !isLeaving;
    if (state === 'registered') shouldRegister = false; // the SDK re-registered by itself: nothing owed
    if (state === 'destroyed') {
      if (isLeaving) finish();
    } else if (isWanted && state === 'unregistered' && shouldRegister) {
      shouldRegister = false;
      run(() => device.register(), true);
    } else if (!isWanted && state === 'registered') {
      // Leaving, or the SDK re-registered by itself after a signaling reconnect while another tab holds it.
      run(() => device.unregister(), false);
    } else if (isLeaving && state !== 'registering') {
      finish();
    }
  }

  /**
   * Releases the lock (after the Device is unregistered, or `hasTimedOut` waiting for that) and removes
   * everything this added.
   */
  function finish(hasTimedOut = false): void {
    if (isDone) return;
    isDone = true;
    const wasHolder = isHolder;
    isHolder = false;
    leaveTimer?.unsubscribe();
    retry?.unsubscribe();
    settle?.unsubscribe();
    // Unregistered, as the server confirmed: the next holder may register at once.
    if (wasHolder && !hasTimedOut && device.state === 'unregistered') post({ type: 'voice-released' });
    lock?.leave();
    for (const { off } of ownCalls.values()) off();
    ownCalls.clear();
    unlisten();
    channel?.close();
    for (const [event, listener] of deviceListeners) device.removeListener(event, listener);
    subscription?.unsubscribe();
  }

  const leave = () => {
    if (isLeaving || isDone) return;
    isLeaving = true;
    if (!isHolder) return finish();
    leaveTimer = scheduler.schedule(() => finish(true), UNREGISTER_TIMEOUT_MS);
    sync();
  };

  const registerNow = () => {
    settle?.unsubscribe();
    settle = undefined;
    shouldRegister = true;
    sync();
  };

  const onLock = (isNowHolder: boolean) => {
    if (isDone) return;
    isHolder = isNowHolder;
    retry?.unsubscribe();
    retry = undefined;
    retryDelay = 0;
    shouldRegister = false;
    settle?.unsubscribe();
    settle = undefined;
    if (isNowHolder) {
      // Calls of an earlier holder are over for this tab; the others hear that it took over.
      hear(relayMessage(tabId, { type: 'voice-owner' }));
      post({ type: 'voice-owner' });
      if (heardRelease || !locks) registerNow();
      else settle = scheduler.schedule(registerNow, CLOSE_SETTLE_MS);
      heardRelease = false;
      return;
    }
    sync();
  };

  const onIncoming = (call: VoiceCallLike) => {
    const ringing = describeCall(call, 'ringing');
    if (!ringing || !isHolder || ownCalls.has(ringing.sid)) return;
    const { sid } = ringing;
    const update = (status: CallElsewhereStatus) => {
      const entry = ownCalls.get(sid);
      if (!entry || entry.status === status) return;
      entry.status = status;
      post({ type: 'voice-call', call: describeCall(call, status)! });
      if (status === 'ended') {
        entry.off();
        ownCalls.delete(sid);
      }
    };
    const onAccept = () => update('accepted');
    const onEnd = () => update('ended');
    call.on('accept', onAccept);
    for (const event of CALL_ENDINGS) call.on(event, onEnd);
    const off = () => {
      call.removeListener('accept', onAccept);
      for (const event of CALL_ENDINGS) call.removeListener(event, onEnd);
    };
    ownCalls.set(sid, { call, status: 'ringing', off });
    post({ type: 'voice-call', call: ringing });
  };

  // Deferred: the SDK's destroy() says `unregistered` before `destroyed`, and registering then would
  // open a new socket for a Device being destroyed.
  const onState = () => {
    queueMicrotask(() => {
      // Unregistered while holding (a signaling drop): the SDK re-registers after a reconnect; if it
      // has not by the retry, this tab does.
      if (device.state === 'unregistered' && !isBusy) retryLater();
      sync();
    });
  };
  const deviceListeners: ['registered' | 'unregistered' | 'incoming', Listener][] = [
    ['registered', onState],
    ['unregistered', onState],
    ['incoming', onIncoming],
  ];

  /** Starts competing for the registration named after `jwt`'s account and identity. */
  const begin = (jwt: string | null | undefined) => {
    name = registrationName(jwt);
    if (name === undefined) return;
    channel = settings.channel ? settings.channel(name) : (broadcastChannel(name) ?? NO_CHANNEL);
    unlisten = channel.subscribe((message: unknown) => {
      // Anything malformed, or from this tab, is dropped: peers are not trusted.
      if (!isVoiceRelayMessage(message) || message.from === tabId) return;
      if (message.type === 'voice-hello') {
        for (const { call, status } of ownCalls.values()) post({ type: 'voice-call', call: describeCall(call, status)! });
      } else if (message.type === 'voice-released') {
        // It may come just after the lock did: a settling holder registers now.
        if (settle) registerNow();
        else heardRelease = true;
      } else {
        if (message.type === 'voice-owner') heardRelease = false;
        hear(message);
      }
    });
    lock = registrationLock(name, { locks, channel, scheduler, tabId });
    lock.join(onLock);
    post({ type: 'voice-hello' });
  };

  for (const [event, listener] of deviceListeners) device.on(event, listener);
  // The Device's own token names its registration; without one, the manager's first token does.
  begin(device.token);
  // A token for another account or identity: this Device can never register for it, so give up.
  subscription = manager.token$.subscribe((token) => {
    const next = registrationName(token.jwt);
    if (name === undefined) begin(token.jwt);
    else if (next !== undefined && next !== name) leave();
  });
  if (isDone) subscription.unsubscribe(); // gave up during the replay of the current token
  // Registered already (by the app) while another tab may hold it: the loop unregisters it.
  sync();
  return leave;
}
