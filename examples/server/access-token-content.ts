import type { MintInput } from './mint-access-token';

/**
 * The header and claims of a Twilio Access Token, in the order the `twilio` helper writes them, so a
 * signer that serialises them as they are produces the helper's bytes. No I/O and no Node APIs: both
 * signers (node:crypto and WebCrypto) build on it.
 */
export function accessTokenContent(input: MintInput): { header: object; claims: object } {
  const iat = Math.floor((input.now ?? Date.now()) / 1000);
  return {
    header: { alg: 'HS256', typ: 'JWT', cty: 'twilio-fpa;v=1', ...(input.region ? { twr: input.region } : {}) },
    claims: {
      jti: `${input.apiKeySid}-${iat}`,
      grants: { identity: input.identity, ...input.grants },
      ...(input.notBefore === undefined ? {} : { nbf: input.notBefore }),
      iat,
      exp: iat + input.ttlSeconds,
      iss: input.apiKeySid,
      sub: input.accountSid,
    },
  };
}
