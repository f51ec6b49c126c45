import { error } from './finding';
import type { Finding } from './types';

// An Account Auth Token is 32 lowercase hex digits; an API key secret 32 mixed-case alphanumerics.
const AUTH_TOKEN_SHAPE = /^[0-9a-f]{32}$/;

/** `secret-is-auth-token` when the secret has an Auth Token's shape. Pure; the secret is never quoted. */
export function checkSecret(apiSecret: string): Finding[] {
  if (!AUTH_TOKEN_SHAPE.test(apiSecret)) return [];
  return [
    error(
      'secret-is-auth-token',
      'Your API secret looks like the Account Auth Token (32 lowercase hex digits): Access Tokens must be signed with an API key\'s secret, not the Auth Token.',
      'Create an API key in the Console (Account > API keys & tokens) and use its SID (SK…) and the secret shown once at creation.',
    ),
  ];
}
