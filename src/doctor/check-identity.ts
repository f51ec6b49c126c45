import { describe } from './describe';
import { error, warning } from './finding';
import type { Finding } from './types';

/** Longest identity, in UTF-16 code units, as `twilio-token-lifecycle/server` counts it. */
export const MAX_IDENTITY_LENGTH = 121;
// Controls and format characters (zero-width, bidi controls, BOM): `alice` + U+200B looks like `alice`.
const CONTROL_OR_FORMAT = /[\p{Cc}\p{Cf}]/u;
// Other characters that render as nothing or as a space (line separators, variation selectors, fillers).
const INVISIBLE = /[\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\u2800]/u;
// URI-reserved characters Twilio asks identities to avoid, and white space.
const RESERVED = /[!*'();:@&=+$,/?%#[\]\s]/u;
const VOICE_SAFE = /^[A-Za-z0-9_]+$/;

const codePoint = (char: string) => `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * `grants.identity`: missing (an error when a product needs one), invalid (empty, too long, control or
 * format characters), and warnings for what Twilio advises against. Pure.
 */
export function checkIdentity(identity: unknown, isNeeded: boolean, hasVoice: boolean): Finding[] {
  if (identity === undefined) {
    const message = 'The token has no identity (grants.identity): every Twilio client SDK needs one to know who the user is.';
    const fix = 'Mint with `identity` set to your signed-in user\'s id (from your own session, never from the request).';
    return [isNeeded ? error('missing-identity', message, fix) : warning('missing-identity', message, fix)];
  }
  const fix = `Use a stable user id of 1 to ${MAX_IDENTITY_LENGTH} visible characters, such as your database id.`;
  if (typeof identity !== 'string') return [error('identity-invalid', `The identity is ${describe(identity)}, not a string.`, fix)];
  if (identity.length === 0) return [error('identity-invalid', 'The identity is an empty string.', fix)];
  const findings: Finding[] = [];
  if (identity.length > MAX_IDENTITY_LENGTH) findings.push(error('identity-invalid', `The identity is ${identity.length} characters long: at most ${MAX_IDENTITY_LENGTH} are allowed.`, fix));
  const hidden = CONTROL_OR_FORMAT.exec(identity);
  if (hidden) {
    findings.push(error('identity-invalid', `The identity holds an invisible control or format character (${codePoint(hidden[0])}) at position ${hidden.index}: it looks like another user's name and is not the same.`, 'Remove control and format characters (zero-width spaces, bidi marks, BOM) where the user id is made, and use that id everywhere.'));
  } else if (INVISIBLE.test(identity)) {
    findings.push(warning('identity-invalid', 'The identity holds a character that renders as nothing or as a blank (a line separator, variation selector or filler).', fix));
  }
  if (RESERVED.test(identity)) findings.push(warning('identity-invalid', "The identity holds white space or a URI-reserved character (! * ' ( ) ; : @ & = + $ , / ? % # [ ]), which Twilio asks you to avoid.", fix));
  if (hasVoice && !VOICE_SAFE.test(identity)) findings.push(warning('identity-invalid', 'With the voice grant, the identity should hold only letters, digits and _: Voice routes calls to client:<identity>.', 'Use an identity of A–Z, a–z, 0–9 and _ for Voice users.'));
  return findings;
}
