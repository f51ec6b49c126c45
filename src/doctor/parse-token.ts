import { decodeJsonSegment } from './base64url-json';
import { describe, isObject } from './describe';
import { error } from './finding';
import type { Finding } from './types';

/** A JWT split and decoded. `signature` is kept only to verify it, never to be shown. */
export interface ParsedToken {
  readonly header: Record<string, unknown>;
  readonly claims: Record<string, unknown>;
  /** `header.payload`, the bytes the signature covers. */
  readonly signingInput: string;
  readonly signature: string;
}

export interface ParseResult {
  /** Set when a JWT could be read, also from inside JSON (with a `token-in-json` finding). */
  readonly token?: ParsedToken;
  readonly findings: Finding[];
}

// Three base64url segments, the first a JSON object (`{"` encodes as `eyJ`).
const JWT_SHAPE = /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
// Where token endpoints usually put it, looked at first; then any string field shaped like a JWT.
const TOKEN_KEYS = ['token', 'jwt', 'accessToken', 'access_token'];
const MAX_DEPTH = 4;

const NOT_A_TOKEN_FIX = 'Pass the Access Token itself: the string of three dot-separated parts, starting "eyJ", that your server minted with an API key.';

/** A string field somewhere in `value` (a few levels deep) shaped like a JWT. */
function findJwt(value: unknown, depth = 0): string | undefined {
  if (typeof value === 'string') return JWT_SHAPE.test(value.trim()) ? value.trim() : undefined;
  if (depth >= MAX_DEPTH || typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const keys = Array.isArray(value) ? Object.keys(value) : [...TOKEN_KEYS.filter((key) => key in record), ...Object.keys(record)];
  for (const key of keys) {
    const found = findJwt(record[key], depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

const inJson = (what: string): Finding =>
  error(
    'token-in-json',
    `${what} was passed instead of the token: Twilio's SDKs take the JWT string alone, and refuse anything else.`,
    'Take the token out of your server\'s response first, e.g. `const { token } = await response.json()`, and hand the SDK that string.',
  );

/** Splits and decodes one JWT string. */
function splitJwt(jwt: string): ParseResult {
  const parts = jwt.split('.');
  if (parts.length === 5) {
    return { findings: [error('not-a-token', 'This is an encrypted token (JWE, five parts), as Flex hands out, not a Twilio Access Token: it cannot be read or checked here.', 'Use a Twilio Access Token (a signed JWT of three parts) minted with an API key.')] };
  }
  if (parts.length !== 3) {
    return { findings: [error('not-a-token', `This string is not a JWT: it has ${parts.length} dot-separated part${parts.length === 1 ? '' : 's'}, not 3.`, NOT_A_TOKEN_FIX)] };
  }
  const [headerPart, payloadPart, signature] = parts as [string, string, string];
  const header = decodeJsonSegment(headerPart);
  const claims = decodeJsonSegment(payloadPart);
  if (!header || !claims) {
    const which = !header && !claims ? 'header and payload are not base64url-encoded JSON objects' : `${header ? 'payload' : 'header'} is not a base64url-encoded JSON object`;
    return { findings: [error('not-a-token', `This is not a JWT: its ${which}.`, NOT_A_TOKEN_FIX)] };
  }
  return { token: { header, claims, signingInput: `${headerPart}.${payloadPart}`, signature }, findings: [] };
}

/**
 * Reads what was passed as a token: a JWT string; or a JSON text or object holding one (`token-in-json`,
 * and the JWT inside is read on); or anything else (`not-a-token`). Pure; never throws.
 */
export function parseToken(input: unknown): ParseResult {
  // This library's own decoded AccessToken (`manager.getState().token`): its JWT, with nothing to report.
  if (isObject(input) && typeof input.jwt === 'string' && isObject(input.header) && isObject(input.claims)) return parseToken(input.jwt);
  if (typeof input !== 'string') {
    if (!isObject(input) && !Array.isArray(input)) {
      return { findings: [error('not-a-token', `No token was passed: got ${describe(input)}, not a string.`, NOT_A_TOKEN_FIX)] };
    }
    const jwt = findJwt(input);
    if (jwt === undefined) {
      return { findings: [error('not-a-token', `An ${Array.isArray(input) ? 'array' : 'object'} was passed, and none of its fields holds a JWT.`, NOT_A_TOKEN_FIX)] };
    }
    const inner = splitJwt(jwt);
    return { ...inner, findings: [inJson('An object holding the token'), ...inner.findings] };
  }
  const trimmed = input.trim();
  if (trimmed === '') return { findings: [error('not-a-token', 'The token is an empty string.', NOT_A_TOKEN_FIX)] };
  if (/^[{["]/.test(trimmed)) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch {
      return { findings: [error('not-a-token', 'This text starts like JSON but is neither valid JSON nor a JWT.', NOT_A_TOKEN_FIX)] };
    }
    const jwt = findJwt(json);
    if (jwt === undefined) return { findings: [error('not-a-token', 'A JSON text was passed, and nothing in it is a JWT.', NOT_A_TOKEN_FIX)] };
    const inner = splitJwt(jwt);
    return { ...inner, findings: [inJson(typeof json === 'string' ? 'The token as a JSON string literal (in quotes)' : 'A JSON text holding the token'), ...inner.findings] };
  }
  const bearer = /^bearer\s+/i.exec(trimmed);
  const jwt = bearer ? trimmed.slice(bearer[0].length) : trimmed;
  const result = splitJwt(jwt);
  const findings: Finding[] = [];
  if (bearer) findings.push(error('not-a-token', 'The token starts with "Bearer ": that is an HTTP header\'s prefix, not part of the token.', 'Hand the SDK the JWT alone, without "Bearer ".'));
  else if (trimmed !== input && result.token) findings.push(error('not-a-token', 'The token has white space (a space or line break) around it, which Twilio does not strip.', 'Trim the token, e.g. `token.trim()`, where you read it (an environment variable or file often ends in a line break).'));
  return { ...result, findings: [...findings, ...result.findings] };
}
