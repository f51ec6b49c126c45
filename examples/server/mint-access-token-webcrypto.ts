import { accessTokenContent } from './access-token-content';
import type { MintInput } from './mint-access-token';

export type { MintInput, TwilioGrants } from './mint-access-token';

// No node:crypto and no Buffer: WebCrypto, TextEncoder and plain code only, so this module runs on
// Node 20+, Cloudflare Workers, Deno, Bun and Vercel Edge alike.

const encoder = new TextEncoder();
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Base64url without padding, as JWTs write it. */
function base64url(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  if (i + 1 === bytes.length) {
    const n = bytes[i]! << 16;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!;
  } else if (i + 2 === bytes.length) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]!;
  }
  return out;
}

const encodeJson = (json: object) => base64url(encoder.encode(JSON.stringify(json)));

// Importing the key costs more than signing with it; a server signs with one or two secrets.
const MAX_CACHED_KEYS = 16;
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (key === undefined) {
    if (keys.size >= MAX_CACHED_KEYS) keys.delete(keys.keys().next().value as string);
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    keys.set(secret, key);
    key.catch(() => keys.delete(secret));
  }
  return key;
}

/**
 * Signs a Twilio Access Token with HS256 on WebCrypto (`crypto.subtle`), byte for byte as
 * `mintAccessToken` in `./mint-access-token` and the `twilio` helper's `jwt.AccessToken#toJwt()` do:
 * same header, same claims in the same order. The imported key is cached per secret.
 */
export async function mintAccessToken(input: MintInput): Promise<string> {
  const { header, claims } = accessTokenContent(input);
  const signingInput = `${encodeJson(header)}.${encodeJson(claims)}`;
  const signature = await crypto.subtle.sign('HMAC', await hmacKey(input.apiSecret), encoder.encode(signingInput));
  return `${signingInput}.${base64url(new Uint8Array(signature))}`;
}
