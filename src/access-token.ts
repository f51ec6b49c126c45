import { jwtDecode } from 'jwt-decode';
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

const ALGORITHMS = new Set(['HS256', 'HS384', 'HS512']);
const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;
const API_KEY_SID = /^SK[0-9a-fA-F]{32}$/;
const OBJECT_GRANTS = ['chat', 'voice', 'video', 'data_sync', 'task_router'] as const;

function invalid(what: string, cause?: unknown): TokenError {
  return new TokenError('invalid-token', `Invalid Twilio Access Token: ${what}`, {
    cause,
    retryable: true,
  });
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

function decodePart(jwt: string, header: boolean): unknown {
  try {
    return header ? jwtDecode(jwt, { header: true }) : jwtDecode(jwt);
  } catch (error) {
    // jwt-decode's own message may quote the payload, so it goes to `cause` only.
    throw invalid(`its ${header ? 'header' : 'payload'} is not base64url-encoded JSON`, error);
  }
}

function checkHeader(header: unknown): AccessTokenHeader {
  if (!isRecord(header)) throw invalid('the header is not a JSON object');
  if (header.typ !== 'JWT') throw invalid('header "typ" must be "JWT"');
  if (typeof header.alg !== 'string' || !ALGORITHMS.has(header.alg)) {
    throw invalid('header "alg" must be HS256, HS384 or HS512');
  }
  if (header.cty !== 'twilio-fpa;v=1') throw invalid('header "cty" must be "twilio-fpa;v=1"');
  if (header.twr !== undefined && typeof header.twr !== 'string') throw invalid('header "twr" must be a string');
  return header as AccessTokenHeader;
}

function checkGrants(grants: unknown): AccessTokenGrants {
  if (!isRecord(grants)) throw invalid('claim "grants" must be an object');
  if (grants.identity !== undefined && typeof grants.identity !== 'string') {
    throw invalid('grant "identity" must be a string');
  }
  for (const key of OBJECT_GRANTS) {
    if (grants[key] !== undefined && !isRecord(grants[key])) throw invalid(`grant "${key}" must be an object`);
  }
  const typed = { ...grants } as AccessTokenGrants;
  if (typed.data_sync !== undefined && typed.sync === undefined) typed.sync = typed.data_sync;
  return typed;
}

function checkClaims(claims: unknown): AccessTokenClaims {
  if (!isRecord(claims)) throw invalid('the payload is not a JSON object');
  for (const name of ['iat', 'exp', 'nbf']) {
    if ((name !== 'nbf' || claims[name] !== undefined) && !isTime(claims[name])) throw invalid(`claim "${name}" must be a number`);
  }
  if ((claims.exp as number) <= (claims.iat as number)) throw invalid('claim "exp" must be later than "iat"');
  if (typeof claims.sub !== 'string' || !ACCOUNT_SID.test(claims.sub)) {
    throw invalid('claim "sub" must be an Account SID (AC + 32 hex digits)');
  }
  if (typeof claims.iss !== 'string' || !API_KEY_SID.test(claims.iss)) {
    throw invalid('claim "iss" must be an API key SID (SK + 32 hex digits)');
  }
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
  if (typeof jwt !== 'string') throw invalid(`expected a string, got ${jwt === null ? 'null' : typeof jwt}`);
  const parts = jwt.split('.');
  if (parts.length !== 3) throw invalid(`expected 3 dot-separated segments, got ${parts.length}`);
  if (parts.some((part) => part.length === 0)) throw invalid('a segment is empty');

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
