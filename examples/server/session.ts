import type { Context } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';

export const SESSION_COOKIE = 'ttl_session';
const SESSION_MAX_AGE_SECONDS = 12 * 60 * 60;

/** What the signed cookie carries. The server keeps no session table. */
export interface Session {
  identity: string;
  /** A random id, so rate limits apply per sign-in, not per name. */
  id: string;
  /** Epoch ms after which the cookie is no longer honoured, whatever the browser does. */
  expiresAt: number;
  /** Demo only: `/api/token` fails with 503 until this epoch ms. */
  outageUntil?: number;
}

const cookieOptions = (c: Context) => ({
  httpOnly: true,
  sameSite: 'Strict' as const,
  path: '/',
  secure: new URL(c.req.url).protocol === 'https:',
});

export async function writeSession(c: Context, secret: string, session: Session): Promise<void> {
  const value = Buffer.from(JSON.stringify(session)).toString('base64url');
  await setSignedCookie(c, SESSION_COOKIE, value, secret, { ...cookieOptions(c), maxAge: SESSION_MAX_AGE_SECONDS });
}

/** The session, or `undefined` if there is none, it was forged or altered, or it has expired. */
export async function readSession(c: Context, secret: string, now = Date.now()): Promise<Session | undefined> {
  const value = await getSignedCookie(c, secret, SESSION_COOKIE);
  if (!value) return undefined;
  try {
    const session = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Session;
    if (typeof session.identity !== 'string' || typeof session.expiresAt !== 'number') return undefined;
    return session.expiresAt > now ? session : undefined;
  } catch {
    return undefined;
  }
}

export function clearSession(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, cookieOptions(c));
}

export const newSessionExpiry = (now = Date.now()) => now + SESSION_MAX_AGE_SECONDS * 1000;
