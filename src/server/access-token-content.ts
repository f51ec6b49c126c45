import { checkMintInput } from './check-mint-input';
import { MintInputError } from './mint-input-error';
import type { MintInput, TwilioGrants } from './mint-input';

// The helper writes a grant field only when it is set (truthy): `video: { room: '' }` becomes `video: {}`.
// `player` is Twilio's own object, written as it is.
function asTheHelperWrites(grants: TwilioGrants): Record<string, unknown> {
  const written: Record<string, unknown> = {};
  for (const [key, grant] of Object.entries(grants) as Array<[string, Record<string, unknown> | undefined]>) {
    if (grant === undefined) continue;
    written[key] = key === 'player' ? grant : Object.fromEntries(Object.entries(grant).filter(([, value]) => value !== '' && value !== undefined));
  }
  return written;
}

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
      grants: { identity: input.identity, ...asTheHelperWrites(input.grants) },
      ...(input.notBefore === undefined ? {} : { nbf: input.notBefore }),
      iat,
      exp: iat + input.ttlSeconds,
      iss: input.apiKeySid,
      sub: input.accountSid,
    },
  };
}
