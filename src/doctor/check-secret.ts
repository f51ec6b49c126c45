import { error } from './finding';
import type { Finding } from './types';

// An Account Auth Token is 32 lowercase hex digits; an API key secret 32 mixed-case alphanumerics.
const AUTH_TOKEN_SHAPE = /^[0-9a-f]{32}$/;

/**
 * `secret-is-auth-token` when the secret has an Auth Token's shape; `secret-has-whitespace` when it has
 * white space around it (a line break or a space from a .env file or a copy-paste). Pure; the secret is
 * never quoted.
 */
export function checkSecret(apiSecret: string): Finding[] {
  if (apiSecret.trim() !== apiSecret) {
    return [
      error(
        'secret-has-whitespace',
        'Your API secret has white space around it (a space or line break, often the end of a line in a .env file): the key\'s real secret has none, so what is signed with this one is refused.',
        'Trim the secret where it is read (e.g. `process.env.TWILIO_API_SECRET.trim()`), or remove the white space from its source (and a \\r from a file saved with Windows line ends).',
      ),
    ];
  }
  if (!AUTH_TOKEN_SHAPE.test(apiSecret)) return [];
  return [
    error(
      'secret-is-auth-token',
      'Your API secret looks like the Account Auth Token (32 lowercase hex digits): Access Tokens must be signed with an API key\'s secret, not the Auth Token.',
      'Create an API key in the Console (Account > API keys & tokens) and use its SID (SK…) and the secret shown once at creation.',
    ),
  ];
}
