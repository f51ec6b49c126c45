import { checkGrants } from './check-grants';
import { describeValue, isObject } from './describe-value';
import { MintInputError } from './mint-input-error';
import { MAX_IDENTITY_LENGTH, MAX_TTL_SECONDS, type MintInput } from './mint-input';

// URI-reserved characters Twilio asks identities to avoid, plus whitespace.
const FORBIDDEN = /[!*'();:@&=+$,/?%#[\]\s]/u;
// Controls, format characters (zero-width, bidi controls, BOM), line and paragraph separators, lone
// surrogates, and every other default-ignorable code point (variation selectors, the combining grapheme
// joiner, Hangul fillers), which render as nothing; and the braille blank, which renders as a space:
// `alice` + U+200B or + U+3164 looks like `alice` and must not pass for her.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Default_Ignorable_Code_Point}\u2800]/u;
// Voice routes calls to `client:identity`, so its identities may hold only these.
const VOICE_SAFE = /^[A-Za-z0-9_]+$/;
const SID = { AC: /^AC[0-9a-fA-F]{32}$/, SK: /^SK[0-9a-fA-F]{32}$/ };
const REGION = /^[a-z0-9-]{1,32}$/i;

function checkIdentity(identity: unknown, hasVoice: boolean): asserts identity is string {
  const fail = (why: string) => {
    throw new MintInputError('invalid-identity', `identity ${why}`);
  };
  if (typeof identity !== 'string' || identity.length === 0) fail('is required (a non-empty string)');
  const value = identity as string;
  if (value.length > MAX_IDENTITY_LENGTH) fail(`is longer than ${MAX_IDENTITY_LENGTH} characters`);
  if (INVISIBLE.test(value)) fail('must not contain control, format (zero-width, bidi), invisible (default-ignorable, such as variation selectors and Hangul fillers) or line-separator characters');
  if (FORBIDDEN.test(value)) fail("must not contain spaces or any of ! * ' ( ) ; : @ & = + $ , / ? % # [ ]");
  // Not normalised here: the token would name someone other than the app's user. The app normalises once.
  if (value !== value.normalize('NFC')) fail('must be in Unicode NFC; normalise it with identity.normalize("NFC") where the user signs in');
  if (hasVoice && !VOICE_SAFE.test(value)) fail('may hold only letters, digits and _ with the voice grant');
}

/**
 * Throws a {@link MintInputError} unless `input` can be signed as it is (a `TypeError` when `input` is
 * not an object at all). Pure.
 */
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
    throw new MintInputError('invalid-ttl', `ttlSeconds must be a whole number from 1 to ${MAX_TTL_SECONDS}, not ${describeValue(ttlSeconds)}`);
  }
  checkGrants(grants);
  // Own keys only, as the token is written: an inherited `voice` is not signed.
  checkIdentity(input.identity, Object.hasOwn(grants, 'voice') && grants.voice !== undefined);
  if (now !== undefined && (!Number.isFinite(now) || now < 0)) {
    throw new MintInputError('invalid-time', 'now must be a time in epoch milliseconds');
  }
  if (notBefore !== undefined && (!Number.isInteger(notBefore) || notBefore < 0)) {
    throw new MintInputError('invalid-time', 'notBefore must be a whole number of epoch seconds');
  }
  // '' (`TWILIO_REGION=` in a .env file) or null is no region, as Twilio's helper takes it.
  if (region && (typeof region !== 'string' || !REGION.test(region))) {
    throw new MintInputError('invalid-region', 'region must be a Twilio region such as us1 or ie1');
  }
}
