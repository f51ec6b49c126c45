// One Voice registration per browser profile: the pure rules (which lock, which messages, what a tab
// makes of them). No timers, no channels: voice-one-tab.ts carries them out. Like it, this imports nothing
// of the core at run time, so the lazy chunk they make shares no code with it (the core stays as it was).

/** Where an incoming call of the registered tab stands, as the other tabs hear it. */
export type CallElsewhereStatus = 'ringing' | 'accepted' | 'ended';

/** An incoming call ringing (or answered) in the tab that holds the registration, seen from another tab. */
export interface CallElsewhere {
  /** The Call SID (`CA…`). */
  readonly sid: string;
  /** The caller, as Twilio's `From` (a number or `client:<identity>`). */
  readonly from: string;
  /** Who was called, as Twilio's `To`. */
  readonly to: string;
  /** `'ringing'`, then `'accepted'` or `'ended'`; an accepted call ends with `'ended'` too. */
  readonly status: CallElsewhereStatus;
}

/** A call another tab told us of, with the tab that owns it. */
export interface TrackedCall extends CallElsewhere {
  readonly owner: string;
}

const PREFIX = 'twilio-token-lifecycle:voice-registration|';

/**
 * The name of the browser-wide registration (lock and channel) for the account and identity of `jwt`:
 * one registered tab per account + identity. `undefined` for a JWT that cannot be read or names no identity.
 */
export function registrationName(jwt: string | null | undefined): string | undefined {
  try {
    // The payload only: the manager has checked the token; a Device's own token names its user.
    const base64 = jwt!.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes)) as { sub?: unknown; grants?: { identity?: unknown } };
    const { sub } = claims;
    const identity = claims.grants?.identity;
    return typeof sub === 'string' && sub && typeof identity === 'string' && identity ? `${PREFIX}${sub}|${identity}` : undefined;
  } catch {
    return undefined;
  }
}

interface RelayEnvelope {
  ns: 'twilio-token-lifecycle';
  v: 1;
  /** The sending tab. */
  from: string;
}

/**
 * What tabs of one identity tell each other over the registration's channel:
 * - `voice-call`: the registered tab's incoming call changed (or is repeated for a tab that said hello);
 * - `voice-owner`: this tab now holds the registration (calls of any earlier holder are over for it);
 * - `voice-hello`: a tab joined and asks for the calls in progress;
 * - `voice-released`: the holder has unregistered (the server confirmed) and is about to free the lock, so
 *   the next holder need not wait for its socket to go.
 */
export type VoiceRelayMessage = RelayEnvelope & RelayBody;

/** A relay message without its envelope, as a tab writes it. */
export type RelayBody = { type: 'voice-call'; call: CallElsewhere } | { type: 'voice-owner' } | { type: 'voice-hello' } | { type: 'voice-released' };

const STATUSES: readonly unknown[] = ['ringing', 'accepted', 'ended'];
const isText = (value: unknown, max: number): value is string => typeof value === 'string' && value.length <= max;

/** Whether a message from the channel is a well-formed relay message; peers (and anything else on it) are not trusted. */
export function isVoiceRelayMessage(value: unknown): value is VoiceRelayMessage {
  const message = value as Partial<Record<string, unknown>> | null | undefined;
  if (message?.ns !== 'twilio-token-lifecycle' || message.v !== 1 || !isText(message.from, 100) || !message.from) return false;
  if (message.type === 'voice-owner' || message.type === 'voice-hello' || message.type === 'voice-released') return true;
  if (message.type !== 'voice-call') return false;
  const call = message.call as Partial<Record<string, unknown>> | null | undefined;
  return isText(call?.sid, 64) && call.sid !== '' && isText(call.from, 256) && isText(call.to, 256) && STATUSES.includes(call.status);
}

/** Builds a relay message. */
export const relayMessage = (from: string, body: RelayBody): VoiceRelayMessage =>
  ({ ns: 'twilio-token-lifecycle', v: 1, from, ...body }) as VoiceRelayMessage;

/** The part of a Voice `Call` the relay reads: Twilio's call parameters. */
export interface CallParametersLike {
  readonly parameters?: Readonly<Record<string, string | undefined>>;
}

/** The relay's view of a Voice `Call` (its SID, caller and callee) in `status`; `undefined` without a SID. */
export function describeCall(call: CallParametersLike, status: CallElsewhereStatus): CallElsewhere | undefined {
  const { CallSid, From = '', To = '' } = call.parameters ?? {};
  if (typeof CallSid !== 'string' || !CallSid) return undefined;
  return { sid: CallSid.slice(0, 64), from: String(From).slice(0, 256), to: String(To).slice(0, 256), status };
}

/** The calls a tab knows of after a message, and the changes to tell the app (each call's new status). */
export interface RelayStep {
  calls: readonly TrackedCall[];
  changes: readonly CallElsewhere[];
}

const plain = ({ sid, from, to, status }: CallElsewhere): CallElsewhere => ({ sid, from, to, status });

/**
 * What a tab makes of a relay message (`self`: its own id, for when it becomes the holder itself):
 * - a call's status: told once per change; `ended` forgets it (an `ended` for a call never heard of is
 *   nothing to tell);
 * - a new holder (another tab's `voice-owner`, or this tab becoming it): every call of another holder is
 *   over for this tab (its holder closed, crashed or handed over), so each is told as `ended`.
 */
export function relayStep(calls: readonly TrackedCall[], message: VoiceRelayMessage): RelayStep {
  if (message.type === 'voice-hello' || message.type === 'voice-released') return { calls, changes: [] };
  if (message.type === 'voice-owner') {
    const over = calls.filter((call) => call.owner !== message.from);
    return {
      calls: calls.filter((call) => call.owner === message.from),
      changes: over.map((call) => ({ ...plain(call), status: 'ended' as const })),
    };
  }
  const incoming = plain(message.call);
  const known = calls.find((call) => call.sid === incoming.sid);
  if (known?.status === incoming.status) return { calls, changes: [] };
  const others = calls.filter((call) => call.sid !== incoming.sid);
  if (incoming.status === 'ended') return known ? { calls: others, changes: [incoming] } : { calls, changes: [] };
  return { calls: [...others, { ...incoming, owner: message.from }], changes: [incoming] };
}
