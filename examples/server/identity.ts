// Twilio's rules for an identity: at most 121 characters (the signer's own limit), no URI-reserved characters.
import { MAX_IDENTITY_LENGTH } from 'twilio-token-lifecycle/server';

export { MAX_IDENTITY_LENGTH };

// URI-reserved characters Twilio asks identities to avoid, plus whitespace.
const FORBIDDEN = /[!*'();:@&=+$,/?%#[\]\s]/u;
// Invisible or text-bending characters: controls, format characters (zero-width, bidi controls,
// BOM), line and paragraph separators, lone surrogates, and the default-ignorable ones that are not Cf
// (the combining grapheme joiner, variation selectors, Hangul fillers), and the braille blank, which
// renders as a space; the same set as the signer's, or a user could sign in and never get a token.
// `alice` + U+200B looks like `alice`.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Default_Ignorable_Code_Point}\u2800]/u;
// Voice routes calls to `client:identity`, so its identities may hold only these.
const VOICE_SAFE = /^[A-Za-z0-9_]+$/;

/**
 * The identity as the server stores and signs it: Unicode NFC, so `zoë` typed with a combining
 * diaeresis is the same user as `zoë` typed precomposed. Check it with {@link identityProblem}.
 */
export const normalizeIdentity = (identity: string): string => identity.normalize('NFC');

/** Returns why `identity` (NFC-normalise it first) is not acceptable, or `undefined` if it is. */
export function identityProblem(identity: unknown, options: { voice: boolean }): string | undefined {
  if (typeof identity !== 'string' || identity.length === 0) return 'identity is required (a non-empty string)';
  if (identity.length > MAX_IDENTITY_LENGTH) return `identity is longer than ${MAX_IDENTITY_LENGTH} characters`;
  if (INVISIBLE.test(identity)) return 'identity must not contain control, format (zero-width, bidi), invisible or line-separator characters';
  if (FORBIDDEN.test(identity)) return "identity must not contain spaces or any of ! * ' ( ) ; : @ & = + $ , / ? % # [ ]";
  if (options.voice && !VOICE_SAFE.test(identity)) return 'with the voice grant, identity may hold only letters, digits and _';
  return undefined;
}
