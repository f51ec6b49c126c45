import { MintInputError } from './mint-input-error';
import { MAX_IDENTITY_LENGTH, MAX_TTL_SECONDS, type MintInput } from './mint-input';

// URI-reserved characters Twilio asks identities to avoid, plus whitespace.
const FORBIDDEN = /[!*'();:@&=+$,/?%#[\]\s]/u;
// Controls, format characters (zero-width, bidi controls, BOM), line and paragraph separators and lone
// surrogates: `alice` + U+200B looks like `alice` and must not pass for her.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
// Voice routes calls to `client:identity`, so its identities may hold only these.
const VOICE_SAFE = /^[A-Za-z0-9_]+$/;
const SID = { AC: /^AC[0-9a-fA-F]{32}$/, SK: /^SK[0-9a-fA-F]{32}$/ };
const REGION = /^[a-z0-9-]{1,32}$/i;
// The grant keys of Twilio's helper 6.x: a typo such as `sync` for `data_sync` would sign a useless token.
const GRANT_KEYS = new Set(['chat', 'voice', 'video', 'data_sync', 'task_router', 'player']);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function checkIdentity(identity: unknown, hasVoice: boolean): asserts identity is string {
  const fail = (why: string) => {
    throw new MintInputError('invalid-identity', `identity ${why}`);
  };
  if (typeof identity !== 'string' || identity.length === 0) fail('is required (a non-empty string)');
  const value = identity as string;
  if (value.length > MAX_IDENTITY_LENGTH) fail(`is longer than ${MAX_IDENTITY_LENGTH} characters`);
  if (INVISIBLE.test(value)) fail('must not contain control, format (zero-width, bidi) or line-separator characters');
  if (FORBIDDEN.test(value)) fail("must not contain spaces or any of ! * ' ( ) ; : @ & = + $ , / ? % # [ ]");
  // Not normalised here: the token would name someone other than the app's user. The app normalises once.
  if (value !== value.normalize('NFC')) fail('must be in Unicode NFC; normalise it with identity.normalize("NFC") where the user signs in');
  if (hasVoice && !VOICE_SAFE.test(value)) fail('may hold only letters, digits and _ with the voice grant');
}

/** Throws a {@link MintInputError} unless `input` can be signed as it is. Pure. */
export function checkMintInput(input: MintInput): void {
  if (!isObject(input)) {
    throw new TypeError('mintAccessToken(input) needs an object: { accountSid, apiKeySid, apiSecret, identity, ttlSeconds, grants }');
  }
  if (typeof input.accountSid !== 'string' || !SID.AC.test(input.accountSid)) {
    throw new MintInputError('invalid-sid', 'accountSid must be an Account SID: AC and 32 hex digits');
  }
  if (typeof input.apiKeySid !== 'string' || !SID.SK.test(input.apiKeySid)) {
    throw new MintInputError('invalid-sid', 'apiKeySid must be an API key SID: SK and 32 hex digits');
  }
  if (typeof input.apiSecret !== 'string' || input.apiSecret.length === 0) {
    throw new MintInputError('invalid-secret', 'apiSecret must be the API key secret, a non-empty string');
  }
  const { ttlSeconds, grants, notBefore, now, region } = input;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_TTL_SECONDS) {
    throw new MintInputError('invalid-ttl', `ttlSeconds must be a whole number from 1 to ${MAX_TTL_SECONDS}, not ${String(ttlSeconds)}`);
  }
  if (!isObject(grants)) throw new MintInputError('invalid-grants', 'grants must be an object (it may be empty)');
  for (const [key, grant] of Object.entries(grants)) {
    if (grant === undefined) continue; // JSON leaves it out, as `{ chat: cond ? grant : undefined }` means
    if (!GRANT_KEYS.has(key)) {
      throw new MintInputError('invalid-grants', `grants.${key} is not a Twilio grant; use ${[...GRANT_KEYS].join(', ')} (identity has its own field)`);
    }
    if (!isObject(grant)) throw new MintInputError('invalid-grants', `grants.${key} must be an object`);
  }
  const outgoing = input.grants.voice?.outgoing as { application_sid?: unknown } | undefined;
  if (outgoing !== undefined && (typeof outgoing.application_sid !== 'string' || outgoing.application_sid === '')) {
    // The helper would drop such an `outgoing` silently, and calls from this client would fail.
    throw new MintInputError('invalid-grants', 'grants.voice.outgoing needs an application_sid (your TwiML app, AP…)');
  }
  checkIdentity(input.identity, grants.voice !== undefined);
  if (now !== undefined && (!Number.isFinite(now) || now < 0)) {
    throw new MintInputError('invalid-time', 'now must be a time in epoch milliseconds');
  }
  if (notBefore !== undefined && (!Number.isInteger(notBefore) || notBefore < 0)) {
    throw new MintInputError('invalid-time', 'notBefore must be a whole number of epoch seconds');
  }
  if (region !== undefined && (typeof region !== 'string' || !REGION.test(region))) {
    throw new MintInputError('invalid-region', 'region must be a Twilio region such as us1 or ie1');
  }
}
