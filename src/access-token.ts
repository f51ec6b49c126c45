import { TokenError } from './errors';
import type { AccessTokenGrants } from './grants';

/** The JOSE header of a Twilio Access Token. */
export interface AccessTokenHeader {
  alg: 'HS256' | 'HS384' | 'HS512';
  typ: 'JWT';
  cty: 'twilio-fpa;v=1';
  /** Twilio region, e.g. `us1`. */
  twr?: string;
  [key: string]: unknown;
}

/** The payload of a Twilio Access Token; times are seconds since the epoch. */
export interface AccessTokenClaims {
  jti?: string;
  iss: string;
  sub: string;
  iat: number;
  exp: number;
  nbf?: number;
  grants: AccessTokenGrants;
  [key: string]: unknown;
}

/** A decoded Twilio Access Token. Times are epoch milliseconds as written in the token (server clock). */
export interface AccessToken {
  /** The token itself, to hand to an SDK. Never log it whole. */
  readonly jwt: string;
  readonly header: AccessTokenHeader;
  readonly claims: AccessTokenClaims;
  /** `grants.identity`, when the token has one (every client SDK token does). */
  readonly identity: string | undefined;
  /** `sub`: the Account SID (AC…). */
  readonly accountSid: string;
  /** `iss`: the API key SID (SK…) that signed it. */
  readonly apiKeySid: string;
  readonly grants: AccessTokenGrants;
  /** Header `twr`, the Twilio region, when set. */
  readonly region: string | undefined;
  readonly issuedAt: number;
  readonly notBefore: number | undefined;
  readonly expiresAt: number;
}

const OBJECT_GRANTS = ['chat', 'voice', 'video', 'data_sync', 'task_router'];

/** An `invalid-token` error (retryable: the next token may be fine). Also used for tokens refused on arrival. */
export const invalidToken = (what: string, cause?: unknown): TokenError =>
  new TokenError('invalid-token', `Invalid Twilio Access Token: ${what}`, { cause });

/** Throws an `invalid-token` error saying `what` unless `ok`. */
function check(ok: boolean, what: string): void {
  if (!ok) throw invalidToken(what);
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const matches = (value: unknown, pattern: RegExp): boolean => typeof value === 'string' && pattern.test(value);

// Seconds since the epoch reach 1e11 in the year 5138; milliseconds did in 1973. Held as seconds, a
// token whose times are in milliseconds would live for weeks or forever.
const isTime = (value: unknown): value is number => Number.isFinite(value) && (value as number) < 1e11;

/**
 * A JWT segment's JSON, read as jwt-decode 4 read it: base64url padded to whole quads (so a length of
 * 1 mod 4 is refused, spaces counted), then UTF-8, or Latin-1 where the bytes are not UTF-8.
 * Throws on bad base64 or JSON.
 */
export function decodeSegment(segment: string): unknown {
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/');
  let text = atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '='));
  try {
    text = decodeURIComponent(escape(text));
  } catch {
    // not UTF-8: the Latin-1 text stands
  }
  return JSON.parse(text);
}

function decodePart(jwt: string, header: boolean): Record<string, unknown> {
  let value: unknown;
  let cause: unknown;
  try {
    value = decodeSegment(jwt.split('.')[header ? 0 : 1]!);
  } catch (error) {
    // The parser's own message may quote the payload, so it goes to `cause` only.
    cause = error;
  }
  if (!isRecord(value)) throw invalidToken(`${header ? 'header' : 'payload'} is not a base64url-encoded JSON object`, cause);
  return value;
}

function checkHeader(header: Record<string, unknown>): AccessTokenHeader {
  check(header.typ === 'JWT', 'header "typ" must be "JWT"');
  check(matches(header.alg, /^HS(256|384|512)$/), 'header "alg" must be HS256, HS384 or HS512');
  check(header.cty === 'twilio-fpa;v=1', 'header "cty" must be "twilio-fpa;v=1"');
  check(header.twr === undefined || typeof header.twr === 'string', 'header "twr" must be a string');
  return header as AccessTokenHeader;
}

function checkGrants(grants: unknown): AccessTokenGrants {
  check(isRecord(grants), 'claim "grants" must be an object');
  const typed = { ...(grants as AccessTokenGrants) };
  check(typed.identity === undefined || typeof typed.identity === 'string', 'grant "identity" must be a string');
  for (const key of OBJECT_GRANTS) check(typed[key] === undefined || isRecord(typed[key]), `grant "${key}" must be an object`);
  if (typed.data_sync !== undefined && typed.sync === undefined) typed.sync = typed.data_sync;
  return typed;
}

function checkClaims(claims: Record<string, unknown>): AccessTokenClaims {
  for (const name of ['iat', 'exp', 'nbf']) {
    check(isTime(claims[name]) || (name === 'nbf' && claims.nbf === undefined), `claim "${name}" must be a number of seconds, not milliseconds`);
  }
  check((claims.exp as number) > (claims.iat as number), 'claim "exp" must be later than "iat"');
  check(matches(claims.sub, /^AC[\da-fA-F]{32}$/), 'claim "sub" must be an Account SID (AC + 32 hex digits)');
  check(matches(claims.iss, /^SK[\da-fA-F]{32}$/), 'claim "iss" must be an API key SID (SK + 32 hex digits)');
  return claims as AccessTokenClaims;
}

/**
 * Decodes and checks a Twilio Access Token.
 *
 * This only decodes: the signature is not and cannot be checked in a browser, since that would need
 * the API key secret, which must never leave your backend. Twilio's servers check it.
 *
 * @throws {TokenError} code `invalid-token`, with a message naming what is wrong (never the signature).
 * @example
 * const token = parseAccessToken(jwt);
 * token.identity;          // 'alice'
 * token.grants.chat;       // { service_sid: 'IS…' }
 * new Date(token.expiresAt);
 */
export function parseAccessToken(jwt: string): AccessToken {
  check(typeof jwt === 'string', `expected a string, got ${jwt === null ? 'null' : typeof jwt}`);
  const parts = jwt.split('.');
  check(parts.length === 3, `expected 3 dot-separated segments, got ${parts.length}`);
  check(!parts.includes(''), 'a segment is empty');

  const header = checkHeader(decodePart(jwt, true));
  const claims = checkClaims(decodePart(jwt, false));
  const grants = checkGrants(claims.grants);
  return {
    jwt,
    header,
    claims,
    identity: grants.identity,
    accountSid: claims.sub,
    apiKeySid: claims.iss,
    grants,
    region: header.twr,
    issuedAt: claims.iat * 1000,
    notBefore: claims.nbf === undefined ? undefined : claims.nbf * 1000,
    expiresAt: claims.exp * 1000,
  };
}
