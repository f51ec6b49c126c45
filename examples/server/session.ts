import type { Context } from 'hono';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { BreakMode } from './demo-break';

export const SESSION_COOKIE = 'ttl_session';
const SESSION_MAX_AGE_SECONDS = 12 * 60 * 60;

/** What the signed cookie carries. Its `id` must also be live in the app's `SessionStore`. */
export interface Session {
  identity: string;
  /** A random id: rate limits apply per sign-in, not per name, and logout deletes it from the store. */
  id: string;
  /** Epoch ms after which the cookie is no longer honoured, whatever the browser does. */
  expiresAt: number;
  /** Demo only: `/api/token` fails with 503 until this epoch ms. */
  outageUntil?: number;
  /** Demo only, local signer only: how `/api/token` breaks this session's tokens (`POST /api/demo/break`). */
  breakMode?: BreakMode;
}

const cookieOptions = (c: Context) => ({
  httpOnly: true,
  sameSite: 'Strict' as const,
  path: '/',
  secure: new URL(c.req.url).protocol === 'https:',
});

// HMAC-SHA256 with node:crypto, synchronously: WebCrypto's async verify costs more than minting a token.
const sign = (payload: string, secret: string) => createHmac('sha256', secret).update(payload).digest('base64url');

export function writeSession(c: Context, secret: string, session: Session): void {
  const payload = Buffer.from(JSON.stringify(session)).toString('base64url');
  setCookie(c, SESSION_COOKIE, `${payload}.${sign(payload, secret)}`, { ...cookieOptions(c), maxAge: SESSION_MAX_AGE_SECONDS });
}

function verified(cookie: string, secret: string): string | undefined {
  const [payload, signature, extra] = cookie.split('.');
  if (!payload || !signature || extra !== undefined) return undefined;
  const expected = Buffer.from(sign(payload, secret));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected) ? payload : undefined;
}

function decoded(payload: string): Session | undefined {
  try {
    const session = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Session;
    if (typeof session.identity !== 'string' || typeof session.id !== 'string' || typeof session.expiresAt !== 'number') return undefined;
    return session;
  } catch {
    return undefined;
  }
}

// A browser sends the same cookie with every token request: checking its HMAC and parsing it once per
// secret saves about a sixth of a request's CPU. Only verified cookies are kept (a forged one is
// checked every time), expiry is still read on every request, and logout is the store's to say.
const MAX_REMEMBERED = 1_000;
// Keyed by cookie, for one secret at a time (a server has one): another secret starts afresh.
let remembered = { secret: '', sessions: new Map<string, Session>() };

function verifiedSession(cookie: string, secret: string): Session | undefined {
  if (remembered.secret !== secret) remembered = { secret, sessions: new Map() };
  const { sessions } = remembered;
  const known = sessions.get(cookie);
  if (known) return known;
  const payload = verified(cookie, secret);
  const session = payload === undefined ? undefined : decoded(payload);
  if (session) {
    if (sessions.size >= MAX_REMEMBERED) sessions.delete(sessions.keys().next().value as string);
    sessions.set(cookie, Object.freeze(session));
  }
  return session;
}

/**
 * The session the cookie claims, or `undefined` if there is none, it was forged or altered, or it has
 * expired. Whether it was logged out is the `SessionStore`'s to say.
 */
export function readSession(c: Context, secret: string, now = Date.now()): Session | undefined {
  const cookie = getCookie(c, SESSION_COOKIE);
  const session = cookie ? verifiedSession(cookie, secret) : undefined;
  return session && session.expiresAt > now ? session : undefined;
}

export function clearSession(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, cookieOptions(c));
}

export const newSessionExpiry = (now = Date.now()) => now + SESSION_MAX_AGE_SECONDS * 1000;
