/// <reference types="node" />
import { createHmac } from 'node:crypto';
import { accessTokenContent, accessTokenHeader } from './access-token-content';
import type { MintInput } from './mint-input';

const encodeJson = (json: object) => Buffer.from(JSON.stringify(json)).toString('base64url');
// The header without a region, the usual one, encoded once.
const PLAIN_HEADER = encodeJson(accessTokenHeader());

/**
 * Signs a Twilio Access Token with HS256 on `node:crypto`, byte for byte as the `twilio` helper's
 * `jwt.AccessToken#toJwt()` does. The Node build of `twilio-token-lifecycle/server` (the `node` export
 * condition): Node's WebCrypto sends every `sign` through its thread pool, which caps it far below this
 * synchronous HMAC. Same promise-returning API as the WebCrypto build.
 *
 * Rejects with a `MintInputError` when the input breaks Twilio's rules (identity, TTL, SIDs, grants).
 */
export async function mintAccessToken(input: MintInput): Promise<string> {
  const { header, claims } = accessTokenContent(input);
  const signingInput = `${input.region ? encodeJson(header) : PLAIN_HEADER}.${encodeJson(claims)}`;
  return `${signingInput}.${createHmac('sha256', input.apiSecret).update(signingInput).digest('base64url')}`;
}
