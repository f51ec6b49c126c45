// lib/session.ts: the session cookie, an HS256 JWT signed with SESSION_SECRET (with Auth.js, use its
// `auth()` instead and drop this file).
import { jwtVerify, SignJWT } from 'jose';

export const SESSION_COOKIE = 'session';
const SESSION_SECONDS = 12 * 60 * 60;

const key = (secret: string) => new TextEncoder().encode(secret);

/** The `Set-Cookie` value of a new session for `userId`. */
export async function sessionCookie(userId: string, secret: string): Promise<string> {
  const jwt = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(userId).setIssuedAt().setExpirationTime(`${SESSION_SECONDS}s`).sign(key(secret));
  return `${SESSION_COOKIE}=${jwt}; Path=/; Max-Age=${SESSION_SECONDS}; HttpOnly; Secure; SameSite=Strict`;
}

/** The signed-in user's id, or undefined when the request has no valid session cookie. */
export async function sessionUser(request: Request, secret: string): Promise<string | undefined> {
  const cookies = request.headers.get('cookie') ?? '';
  const jwt = cookies.split(/;\s*/).find((cookie) => cookie.startsWith(`${SESSION_COOKIE}=`))?.slice(SESSION_COOKIE.length + 1);
  if (!jwt) return undefined;
  return jwtVerify(jwt, key(secret), { algorithms: ['HS256'] }).then(
    ({ payload }) => payload.sub,
    () => undefined,
  );
}

/** The names in `names` that `env` does not set. */
export const missingVariables = (env: Record<string, string | undefined>, names: readonly string[]) => names.filter((name) => !env[name]);

/** A JSON error answer, as every route here gives. */
export const jsonError = (status: number, code: string, message: string) => Response.json({ error: { code, message } }, { status });
