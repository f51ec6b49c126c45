import type { AccessTokenGrants } from '../grants';
import { hmacSha256 } from './hmac-sha256';

/** What {@link mintTestToken} puts in the token. Everything has a working default. */
export interface MintTestTokenOptions {
  /** `grants.identity`; `null` leaves it out. @default 'alice' */
  identity?: string | null;
  /** Grants besides identity, with Twilio's keys (`chat`, `voice`, `video`, `data_sync`, …). @default {} */
  grants?: Omit<AccessTokenGrants, 'identity'>;
  /** Lifetime in seconds (`exp − iat`). @default 3600 */
  ttlSeconds?: number;
  /** `iat`, in epoch ms (rounded down to seconds). @default Date.now() */
  issuedAt?: number;
  /** `nbf`, in epoch ms. */
  notBefore?: number;
  /** Header `twr`. */
  region?: string;
  /** @default TEST_ACCOUNT_SID */
  accountSid?: string;
  /** @default TEST_API_KEY_SID */
  apiKeySid?: string;
  /** The local HMAC secret. @default 'test-secret' */
  secret?: string;
  /** Header fields to override, to make malformed tokens on purpose. */
  header?: Record<string, unknown>;
  /** Claims to override or add, to make malformed tokens on purpose. */
  claims?: Record<string, unknown>;
}

export const TEST_ACCOUNT_SID = 'AC00000000000000000000000000000001';
export const TEST_API_KEY_SID = 'SK00000000000000000000000000000001';

const encoder = new TextEncoder();

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const encodeJson = (value: unknown) => base64url(encoder.encode(JSON.stringify(value)));

/**
 * Mints a well-formed Twilio Access Token signed with HS256 and a local secret: real to this library
 * and to the SDKs' parsers, but not accepted by Twilio. For tests and demos only.
 *
 * @example
 * const jwt = mintTestToken({ identity: 'bob', ttlSeconds: 60, grants: { video: { room: 'r1' } } });
 */
export function mintTestToken(options: MintTestTokenOptions = {}): string {
  // A NaN would be written as null, and a string number concatenated (`exp: "…60"`): a token other
  // than the test meant. `undefined` and `null` are the default (no `nbf`).
  for (const name of ['ttlSeconds', 'issuedAt', 'notBefore'] as const) {
    const value = options[name];
    if (value != null && !Number.isFinite(value)) {
      throw new TypeError(`mintTestToken: \`${name}\` must be a finite number, got ${typeof value === 'string' ? `"${value}"` : String(value)}`);
    }
  }
  const iat = Math.floor((options.issuedAt ?? Date.now()) / 1000);
  const apiKeySid = options.apiKeySid ?? TEST_API_KEY_SID;
  const identity = options.identity === undefined ? 'alice' : options.identity;
  const header = {
    alg: 'HS256',
    typ: 'JWT',
    cty: 'twilio-fpa;v=1',
    ...(options.region !== undefined && { twr: options.region }),
    ...options.header,
  };
  const claims = {
    jti: `${apiKeySid}-${iat}`,
    grants: { ...(identity !== null && { identity }), ...options.grants },
    ...(options.notBefore != null && { nbf: Math.floor(options.notBefore / 1000) }),
    iat,
    exp: iat + (options.ttlSeconds ?? 3600),
    iss: apiKeySid,
    sub: options.accountSid ?? TEST_ACCOUNT_SID,
    ...options.claims,
  };
  const signingInput = `${encodeJson(header)}.${encodeJson(claims)}`;
  const signature = hmacSha256(encoder.encode(options.secret ?? 'test-secret'), encoder.encode(signingInput));
  return `${signingInput}.${base64url(signature)}`;
}
