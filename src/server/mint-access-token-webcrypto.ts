import { accessTokenContent, accessTokenHeader, claimsJson } from './access-token-content';
import { base64url } from './base64url';
import type { MintInput } from './mint-input';

// WebCrypto, TextEncoder and plain code only: runs on Node 20+, Cloudflare Workers, Deno, Bun, Vercel Edge.
// Never in a browser: it signs with the API secret, which must never reach one.

const encoder = new TextEncoder();
const encodeText = (text: string) => base64url(encoder.encode(text));
const encodeJson = (json: object) => encodeText(JSON.stringify(json));
// The header without a region, the usual one, encoded once.
const PLAIN_HEADER = encodeJson(accessTokenHeader());

// Importing a key costs more than signing with it, and a server signs with one or two secrets (two while
// it rotates keys). The secrets themselves are the map's keys: they stay in this process's memory, where
// the caller's copy already lives, and go nowhere else. 16 is bounded so that a caller passing a new secret
// each time (or rotating often) cannot grow the cache without end: a rotated-out secret is not deleted
// when it is revoked, it falls out by LRU once 16 others have been used since.
const MAX_CACHED_KEYS = 16;
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(subtle: SubtleCrypto, secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (key !== undefined) {
    // Most recently used last, so the secret in use is the last to be dropped.
    keys.delete(secret);
    keys.set(secret, key);
  } else {
    if (keys.size >= MAX_CACHED_KEYS) keys.delete(keys.keys().next().value as string);
    key = subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    keys.set(secret, key);
    // A failed import is not remembered: the next call tries again.
    key.catch(() => keys.get(secret) === key && keys.delete(secret));
  }
  return key;
}

/**
 * Signs a Twilio Access Token with HS256 on WebCrypto (`crypto.subtle`), byte for byte as the `twilio`
 * helper's `jwt.AccessToken#toJwt()` does: same header, same claims in the same order. The imported key
 * is cached per secret (the 16 most recently used). For servers and edge runtimes only: the API secret
 * must never reach a browser, so never bundle this for one.
 *
 * Rejects with a `MintInputError` when the input breaks Twilio's rules (identity, TTL, SIDs, grants; a
 * grant field Twilio does not sign, such as `video.foo` or `chat.serviceSid`, is refused rather than
 * dropped), and with a `TypeError` when the runtime has no `crypto.subtle`.
 *
 * @example
 * ```ts
 * import { mintAccessToken } from 'twilio-token-lifecycle/server';
 *
 * const token = await mintAccessToken({
 *   accountSid: env.TWILIO_ACCOUNT_SID,
 *   apiKeySid: env.TWILIO_API_KEY,
 *   apiSecret: env.TWILIO_API_SECRET,
 *   identity: session.identity, // from your own session, never from the request body
 *   ttlSeconds: 3600,
 *   grants: { chat: { service_sid: env.TWILIO_CHAT_SERVICE_SID }, video: {} },
 * });
 * ```
 */
export async function mintAccessToken(input: MintInput): Promise<string> {
  const { header, claims } = accessTokenContent(input);
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined) {
    throw new TypeError('mintAccessToken needs WebCrypto (globalThis.crypto.subtle), which this runtime lacks: use Node 20+, Cloudflare Workers, Deno or Bun');
  }
  const signingInput = `${input.region ? encodeJson(header) : PLAIN_HEADER}.${encodeText(claimsJson(claims))}`;
  const signature = await subtle.sign('HMAC', await hmacKey(subtle, input.apiSecret), encoder.encode(signingInput));
  return `${signingInput}.${base64url(new Uint8Array(signature))}`;
}
