import { checkMintInput } from './check-mint-input';
import { writeGrants } from './grant-fields';
import { MintInputError } from './mint-input-error';
import type { MintInput } from './mint-input';

/** The JOSE header as the helper writes it; `twr` only with a region. */
export const accessTokenHeader = (region?: string): object => ({ alg: 'HS256', typ: 'JWT', cty: 'twilio-fpa;v=1', ...(region ? { twr: region } : {}) });

/**
 * The header and claims of a Twilio Access Token, in the order the `twilio` helper writes them, so a
 * signer that serialises them as they are produces the helper's bytes. Checks the input first (throws
 * a `MintInputError`). Pure: no I/O, no Node APIs, no clock unless `input.now` is missing.
 */
export function accessTokenContent(input: MintInput): { header: object; claims: object } {
  checkMintInput(input);
  const iat = Math.floor((input.now ?? Date.now()) / 1000);
  if (input.notBefore !== undefined && input.notBefore >= iat + input.ttlSeconds) {
    throw new MintInputError('invalid-time', 'notBefore is at or after the expiry (now + ttlSeconds): the token would never be valid');
  }
  return {
    header: accessTokenHeader(input.region),
    claims: {
      jti: `${input.apiKeySid}-${iat}`,
      grants: { identity: input.identity, ...writeGrants(input.grants) },
      ...(input.notBefore === undefined ? {} : { nbf: input.notBefore }),
      iat,
      exp: iat + input.ttlSeconds,
      iss: input.apiKeySid,
      sub: input.accountSid,
    },
  };
}

/**
 * The claims as JSON. Everything in them is a checked string or number but the free-form `player` grant
 * and voice's `outgoing.params`: a BigInt, a cycle or a throwing `toJSON` there is the caller's, so it
 * becomes a `MintInputError` (`invalid-grants`) rather than JSON.stringify's TypeError.
 */
export function claimsJson(claims: object): string {
  try {
    return JSON.stringify(claims);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new MintInputError('invalid-grants', `grants.player or grants.voice.outgoing.params cannot be written as JSON: ${reason}`);
  }
}
