// Loaded lazily by attachVoice({ register: 'one-tab' }): the runtime that carries out
// voice-registration.ts's rules with a lock, a channel and the Device.
// It imports nothing of the core at run time (no rxjs, no token code): a bundler then splits it off
// without touching the core's own chunk.
import type { Subscription } from 'rxjs';
import { broadcastChannel, type CrossTabChannel } from '../cross-tab/channel';
import type { LockManagerLike } from '../cross-tab/election';
import { registrationLock, type RegistrationLock } from '../cross-tab/registration-lock';
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
 * How long a holder waits for `register()` to settle (the SDK waits for the signaling socket and the
 * server's `ready`) before it gives the registration up, says so (`onError`, code `timeout`) and
 * competes again after the retry delay: a Device stuck in `registering` must not keep every tab unregistered.
 */
export const REGISTER_TIMEOUT_MS = 10_000;

/**
 * How long a new holder of the Web Lock waits before registering, unless the last holder said it had
 * unregistered (`voice-released`): a tab that crashes, or closes before the server confirmed its
 * unregister (the usual case: the page goes first), frees its lock as its socket closes, and the close may reach Twilio after the next tab's `register` (seen:
 * 60-370 ms in Chromium). A holder whose unregister the server confirmed says `voice-released` (and
 * clears the registration's trace in storage), so the next one registers at once. The lease fallback
 * needs none: its gain already waits half a lease (REGISTRATION_CONFIRM_MS).
 */
export const CLOSE_SETTLE_MS = 750;

/**
 * After `beforeunload` unregistered the holder, how long before it counts the page as staying (another
 * listener cancelled the unload) and registers again; an unload that comes later (a slow navigation) just
 * makes the next holder settle.
 */
export const UNLOAD_STAY_MS = 1_000;

type Settings = Pick<AttachVoiceOptions, 'onRegistrationChange' | 'onCallElsewhere'> &
  OneTabOptions & {
    /** A `register()` did not settle within {@link REGISTER_TIMEOUT_MS}: the attach's onError hears a TokenError with `message`. */
    onRegisterTimeout?: (message: string) => void;
  };

const CALL_ENDINGS = ['cancel', 'disconnect', 'reject'] as const;
const noop = (): void => undefined;
/** Registration retries: 1, 2, 4 … 30 s (as the adapters' recovery). */
const nextRetryDelay = (previous: number) => Math.min(2 * previous || 1_000, 30_000);
const NO_CHANNEL: CrossTabChannel = { post: noop, subscribe: () => noop, close: noop };

type WindowLike = NonNullable<OneTabOptions['window']>;
type StorageLike = NonNullable<OneTabOptions['storage']>;

function defaultStorage(): StorageLike | null {
  try {
    const storage = (globalThis as { localStorage?: StorageLike }).localStorage;
    storage?.getItem('twilio-token-lifecycle'); // throws where storage is blocked
    return storage ?? null;
  } catch {
    return null;
  }
}

function defaultWindow(): WindowLike | null {
  const target = globalThis as Partial<WindowLike>;
  return typeof target.addEventListener === 'function' && typeof target.removeEventListener === 'function' ? (target as WindowLike) : null;
}

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
  const { onRegistrationChange, onCallElsewhere, onRegisterTimeout } = settings;
  // The manager's own timers: a virtual scheduler drives these too.
  const scheduler = settings.scheduler ?? manager.scheduler;
  const locks = settings.locks === undefined ? defaultLocks() : settings.locks;
  const page = settings.window === undefined ? defaultWindow() : settings.window;
  const storage = settings.storage === undefined ? defaultStorage() : settings.storage;
  const tabId = randomId();
  let channel: CrossTabChannel | undefined;
  let lock: RegistrationLock | undefined;
  let name: string | undefined;
  let unlisten = noop;
  let isHolder = false; // the lock says this tab may be registered
  let isLeaving = false; // giving up: unregister first, then release
  let isDone = false;
  let isBusy = false; // a register() or unregister() is in flight
  let attempt = 0; // counts register()/unregister() calls: a late settlement of a given-up one is ignored
  let shouldRegister = false; // set on gaining the lock and by the retry timer
  let registeredHere = false;
  let retry: Subscription | undefined;
  let retryDelay = 0;
  let leaveTimer: Subscription | undefined;
  let settle: Subscription | undefined;
  let registerTimer: Subscription | undefined; // a holder's register() in flight, bounded
  let rejoin: Subscription | undefined; // gave the lock up after a stuck register(): competes again then
  let hasGivenWay = false; // since the last register() that settled: keeps the retry backoff across lock changes
  let heardRelease = false; // the current holder said `voice-released`
  let isUnloading = false; // beforeunload came and the page has not (yet) gone
  let stay: Subscription | undefined; // after beforeunload: the page stayed if this fires
  let owner: string | undefined; // the other tab the lock last confirmed as holder (its `voice-owner`)
  let subscription: Subscription | undefined;
  let known: readonly TrackedCall[] = []; // other tabs' calls
  const ownCalls = new Map<string, { call: VoiceCallLike; status: CallElsewhereStatus; off(): void }>();

  /**
   * The registration's trace in storage, shared by the tabs of the profile: `registered` from a holder's
   * `register()` until the server confirmed its unregister, so a tab that takes the lock
   * over knows whether an earlier holder's socket may still be registered (it closed without
   * unregistering, or crashed); `linger:<until>` while a holder waits that out, so the next one (should
   * it close meanwhile) waits only the rest. Where storage is blocked every new holder waits the whole
   * CLOSE_SETTLE_MS (unless it heard `voice-released`).
   */
  const trace = {
    read(): string | null | undefined {
      try {
        return storage ? storage.getItem(`${name}|trace`) : undefined;
      } catch {
        return undefined;
      }
    },
    write(value: string | null): void {
      try {
        if (value === null) storage?.removeItem(`${name}|trace`);
        else storage?.setItem(`${name}|trace`, value);
      } catch {
        // blocked: the next holder waits the whole settle
      }
    },
  };
  /** How long a new holder waits for an earlier holder's socket, by the trace (see above). */
  const settleFor = (): number => {
    const value = trace.read();
    if (value === null) return 0; // nobody registered, or the last holder unregistered
    const now = scheduler.now();
    const until = value?.startsWith('linger:') ? Number(value.slice(7)) : NaN;
    // A trace with no end (or beyond one settle: a clock set back) waits one whole settle from now.
    if (!(until - now <= CLOSE_SETTLE_MS)) {
      trace.write(`linger:${now + CLOSE_SETTLE_MS}`);
      return CLOSE_SETTLE_MS;
    }
    return Math.max(0, until - now);
  };

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
    if (retry || !isHolder || isLeaving || isUnloading) return;
    retry = scheduler.schedule(() => {
      retry = undefined;
      shouldRegister = true;
      sync();
    }, (retryDelay = nextRetryDelay(retryDelay)));
  };

  const run = (action: () => unknown, isRegister: boolean, onDone = noop) => {
    isBusy = true;
    const current = ++attempt;
    let result: unknown;
    try {
      result = action();
    } catch (error) {
      result = Promise.reject(error);
    }
    if (isRegister) registerTimer = scheduler.schedule(() => giveWay(current), REGISTER_TIMEOUT_MS);
    Promise.resolve(result).then(
      () => {
        if (isRegister && current === attempt) {
          retryDelay = 0;
          hasGivenWay = false;
        }
      },
      () => {
        if (isRegister && current === attempt) retryLater();
      },
    ).then(() => {
      if (current !== attempt) return; // given up on: the loop has moved on
      if (isRegister) registerTimer?.unsubscribe();
      isBusy = false;
      if (!isDone) onDone();
      sync();
    });
  };

  /**
   * A `register()` that has not settled in REGISTER_TIMEOUT_MS: says so, gives the lock to the next tab
   * and competes again after the retry delay. A Device that registers late is unregistered by the loop.
   */
  function giveWay(current: number): void {
    registerTimer = undefined;
    if (current !== attempt || isDone || isLeaving || !isHolder || device.state === 'registered') return;
    attempt += 1; // the stuck call's settlement changes nothing now
    isBusy = false;
    hasGivenWay = true;
    tell(onRegisterTimeout, `[twilio-token-lifecycle] Voice Device register() did not settle within ${REGISTER_TIMEOUT_MS / 1000} s: this tab gave the registration up and competes again later`);
    rejoin = scheduler.schedule(() => {
      rejoin = undefined;
      if (!isDone && !isLeaving) lock?.join(onLock);
    }, (retryDelay = nextRetryDelay(retryDelay)));
    lock?.leave(); // says `false` (onLock) as it was held
  }

  /** Brings the Device's registration in line with the lock: the one loop every change goes through. */
  function sync(): void {
    if (isDone) return;
    publish();
    // A destroyed Device owes nothing, whatever was in flight (its unregister before unload, say).
    if (isLeaving && device.state === 'destroyed') return finish();
    if (isBusy) return;
    const state = device.state;
    const isWanted = isHolder && !isLeaving;
    if (state === 'registered') {
      shouldRegister = false; // the SDK re-registered by itself: nothing owed
      registerTimer?.unsubscribe();
      registerTimer = undefined;
    }
    if (state === 'destroyed') {
      if (isLeaving) finish();
    } else if (isWanted && state === 'unregistered' && shouldRegister) {
      shouldRegister = false;
      trace.write('registered');
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
    for (const timer of [leaveTimer, retry, settle, registerTimer, rejoin, stay]) timer?.unsubscribe();
    // Unregistered, as the server confirmed: the next holder may register at once.
    if (wasHolder && !hasTimedOut && device.state === 'unregistered') {
      trace.write(null);
      post({ type: 'voice-released' });
    } else if (wasHolder && device.state === 'destroyed' && trace.read() === 'registered') {
      // Its socket is closing now (the SDK's pagehide, or the app, destroyed it): the settle counts from here.
      trace.write(`linger:${scheduler.now() + CLOSE_SETTLE_MS}`);
    }
    lock?.leave();
    for (const { off } of ownCalls.values()) off();
    ownCalls.clear();
    unlisten();
    channel?.close();
    for (const [event, listener] of deviceListeners) device.removeListener(event, listener);
    page?.removeEventListener('beforeunload', onBeforeUnload);
    subscription?.unsubscribe();
  }

  const leave = () => {
    if (isLeaving || isDone) return;
    isLeaving = true;
    if (!isHolder) return finish();
    leaveTimer = scheduler.schedule(() => finish(true), UNREGISTER_TIMEOUT_MS);
    sync();
  };

  /**
   * The page is about to be unloaded (closed, reloaded, navigated away): a registered holder sends its
   * unregister now (in `pagehide` the SDK, whose listener comes first, has already closed the socket).
   * Only the server's `offline` makes it say `voice-released` and clear the trace: a message sent as the
   * page goes may be lost with it (seen in Chromium on reload), so until then the next holder settles.
   * If the page stays after all (another listener cancelled the unload), it registers again.
   */
  function onBeforeUnload(): void {
    if (!isHolder || isLeaving || isDone || isBusy || device.state !== 'registered' || ownCalls.size > 0) return;
    isUnloading = true; // from now on this tab does not re-register, nor say it holds, on its own
    run(() => device.unregister(), false, () => {
      if (device.state !== 'unregistered' || stay === undefined) return;
      trace.write(null);
      post({ type: 'voice-released' });
    });
    // The server may answer `offline` before the unload comes: only time tells that the page stayed.
    stay = scheduler.schedule(() => {
      stay = undefined;
      isUnloading = false;
      post({ type: 'voice-owner' }); // withdraws any release
      shouldRegister = true;
      sync();
    }, UNLOAD_STAY_MS);
  }

  const registerNow = () => {
    settle?.unsubscribe();
    settle = undefined;
    shouldRegister = true;
    sync();
  };

  function onLock(isNowHolder: boolean): void {
    if (isDone) return;
    isHolder = isNowHolder;
    retry?.unsubscribe();
    retry = undefined;
    shouldRegister = false;
    settle?.unsubscribe();
    settle = undefined;
    if (!hasGivenWay) retryDelay = 0;
    if (isNowHolder) {
      // A register() from before (given up on) still in flight: bounded as a new one is.
      if (device.state === 'registering' && !isBusy) {
        const current = attempt;
        registerTimer = scheduler.schedule(() => giveWay(current), REGISTER_TIMEOUT_MS);
      }
      // Calls of an earlier holder are over for this tab; the others hear that it took over. (`owner`
      // stays that earlier holder: its `voice-released` may come just after the lock.)
      hear(relayMessage(tabId, { type: 'voice-owner' }));
      post({ type: 'voice-owner' });
      const settleMs = heardRelease || !locks ? 0 : settleFor();
      if (settleMs <= 0) registerNow();
      else settle = scheduler.schedule(registerNow, settleMs);
      heardRelease = false;
      return;
    }
    registerTimer?.unsubscribe();
    registerTimer = undefined;
    sync();
  }

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

  /**
   * Another tab says it now holds the registration: believed only if the lock agrees (this tab's own
   * lock says no while it holds it), since ending the calls of the real holder on a false word would tell
   * the app a ringing call was over.
   */
  const onOwnerClaim = (message: VoiceRelayMessage) => {
    if (isHolder || !lock) return;
    lock.isHeldBy(message.from).then(
      (isTrue) => {
        if (!isTrue || isDone || isHolder) return;
        heardRelease = false; // a release said before (by it, or an earlier holder) is void
        owner = message.from;
        hear(message);
      },
      noop, // the lock cannot tell (Web Locks refused): the claim is not believed
    );
  };

  /** Starts competing for the registration named after `jwt`'s account and identity. */
  const begin = (jwt: string | null | undefined) => {
    name = registrationName(jwt);
    if (name === undefined) return;
    channel = settings.channel ? settings.channel(name) : (broadcastChannel(name) ?? NO_CHANNEL);
    unlisten = channel.subscribe((message: unknown) => {
      // Anything malformed, or from this tab, is dropped: peers are not trusted.
      if (!isVoiceRelayMessage(message) || message.from === tabId) return;
      if (message.type === 'voice-hello') {
        // A new tab learns who holds the registration, then its calls.
        if (isHolder && !isUnloading) post({ type: 'voice-owner' });
        for (const { call, status } of ownCalls.values()) post({ type: 'voice-call', call: describeCall(call, status)! });
      } else if (message.type === 'voice-released') {
        // Only the holder's own word counts. It may come just after the lock did: a settling holder registers now.
        if (message.from !== owner) return;
        if (settle) registerNow();
        else heardRelease = true;
      } else if (message.type === 'voice-owner') {
        onOwnerClaim(message);
      } else {
        hear(message);
      }
    });
    lock = registrationLock(name, { locks, channel, scheduler, tabId });
    lock.join(onLock);
    post({ type: 'voice-hello' });
  };

  for (const [event, listener] of deviceListeners) device.on(event, listener);
  page?.addEventListener('beforeunload', onBeforeUnload);
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
