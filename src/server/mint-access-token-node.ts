// The build compiles all of src without @types/node ("types": []), so browser code cannot lean on Node
// globals by mistake. This file therefore types the little it uses itself: `tsc -p tsconfig.json`, which
// has @types/node, checks the `createHmac` type against Node's; the build sees the import as untyped.
// @ts-ignore -- no @types/node in the build; typed by `createHmac` below
import { createHmac as nodeCreateHmac } from 'node:crypto';
import { accessTokenContent, accessTokenHeader, claimsJson } from './access-token-content';
import type { MintInput } from './mint-input';

interface Hmac {
  update(data: string): Hmac;
  digest(encoding: 'base64url'): string;
}
const createHmac: (algorithm: 'sha256', key: string) => Hmac = nodeCreateHmac;
// Node's global Buffer (the build file imports node:crypto and nothing else), declared for this file only.
declare const Buffer: { from(text: string): { toString(encoding: 'base64url'): string } };

const encodeText = (text: string) => Buffer.from(text).toString('base64url');
// The header without a region, the usual one, encoded once.
const PLAIN_HEADER = encodeText(JSON.stringify(accessTokenHeader()));

/**
 * Signs a Twilio Access Token with HS256 on `node:crypto`, byte for byte as the `twilio` helper's
 * `jwt.AccessToken#toJwt()` does. The Node build of `twilio-token-lifecycle/server` (the `node` export
 * condition): Node's WebCrypto sends every `sign` through its thread pool, which caps it far below this
 * synchronous HMAC. Same promise-returning API as the WebCrypto build.
 *
 * Rejects with a `MintInputError` when the input breaks Twilio's rules (identity, TTL, SIDs, grants; a
 * grant field Twilio does not sign, such as `video.foo` or `chat.serviceSid`, is refused rather than
 * dropped), and with a `TypeError` when `input` is not an object.
 */
export async function mintAccessToken(input: MintInput): Promise<string> {
  const { header, claims } = accessTokenContent(input);
  const signingInput = `${input.region ? encodeText(JSON.stringify(header)) : PLAIN_HEADER}.${encodeText(claimsJson(claims))}`;
  return `${signingInput}.${createHmac('sha256', input.apiSecret).update(signingInput).digest('base64url')}`;
}
