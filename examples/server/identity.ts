/** Twilio's rules for an identity: at most 121 characters, no URI-reserved characters. */
export const MAX_IDENTITY_LENGTH = 121;

// URI-reserved characters Twilio asks identities to avoid, plus whitespace and control characters.
const FORBIDDEN = /[!*'();:@&=+$,/?%#[\]\s\p{Cc}]/u;
// Voice routes calls to `client:identity`, so its identities may hold only these.
const VOICE_SAFE = /^[A-Za-z0-9_]+$/;

/** Returns why `identity` is not acceptable, or `undefined` if it is. */
export function identityProblem(identity: unknown, options: { voice: boolean }): string | undefined {
  if (typeof identity !== 'string' || identity.length === 0) return 'identity is required (a non-empty string)';
  if (identity.length > MAX_IDENTITY_LENGTH) return `identity is longer than ${MAX_IDENTITY_LENGTH} characters`;
  if (FORBIDDEN.test(identity)) return "identity must not contain spaces or any of ! * ' ( ) ; : @ & = + $ , / ? % # [ ]";
  if (options.voice && !VOICE_SAFE.test(identity)) return 'with the voice grant, identity may hold only letters, digits and _';
  return undefined;
}
