import { error, warning } from './finding';
import type { Finding } from './types';

const HASH: Record<string, string> = { HS256: 'SHA-256', HS384: 'SHA-384', HS512: 'SHA-512' };
const encoder = new TextEncoder();

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * HMAC of `header.payload` with `apiSecret`, by the header's `alg`, against the token's signature, on
 * WebCrypto (`crypto.subtle`). Another `alg` is not checked (its `bad-header` says why). Never throws.
 */
export async function checkSignature(alg: unknown, signingInput: string, signature: string, apiSecret: string): Promise<Finding[]> {
  const hash = typeof alg === 'string' ? HASH[alg] : undefined;
  if (hash === undefined) return [];
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined) {
    return [warning('signature-not-checked', 'The signature was not checked: this runtime has no WebCrypto (crypto.subtle is missing, as on a page served over plain http from another host).', 'Run the doctor on Node 20+, in a worker, or on an https:// or localhost page.')];
  }
  try {
    const key = await subtle.importKey('raw', encoder.encode(apiSecret), { name: 'HMAC', hash }, false, ['sign']);
    const expected = base64url(new Uint8Array(await subtle.sign('HMAC', key, encoder.encode(signingInput))));
    if (expected === signature) return [];
  } catch {
    return [warning('signature-not-checked', 'The signature could not be checked: WebCrypto refused the HMAC key.', 'Run the doctor on Node 20+, in a worker, or on an https:// or localhost page.')];
  }
  return [
    error(
      'signature-mismatch',
      'The signature does not match this API secret: the token was signed with another secret (another key\'s, the Auth Token, or an old one), or was changed after signing.',
      'Mint with the secret of the very API key named in "iss" (it is shown once, when the key is created; if lost, create a new key).',
    ),
  ];
}
