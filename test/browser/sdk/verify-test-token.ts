import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a fake Twilio server reads from a token: who it is for and when it ends. */
export interface TokenVerdict {
  ok: boolean;
  /** Why it was refused: a bad signature or shape, or its `exp` has passed. */
  reason?: 'invalid' | 'expired';
  identity?: string;
  /** `exp`, in epoch ms. */
  expiresAt?: number;
}

const fromBase64url = (part: string) => Buffer.from(part, 'base64url');

/**
 * Checks a token as Twilio would, against the test kit's local secret: HS256 signature first, then
 * expiry on this process's clock.
 */
export function verifyTestToken(jwt: unknown, now = Date.now(), secret = 'test-secret'): TokenVerdict {
  if (typeof jwt !== 'string') return { ok: false, reason: 'invalid' };
  const [header, payload, signature] = jwt.split('.');
  if (!header || !payload || !signature) return { ok: false, reason: 'invalid' };
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest();
  const given = fromBase64url(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
  let claims: { exp?: unknown; grants?: { identity?: unknown } };
  try {
    claims = JSON.parse(fromBase64url(payload).toString('utf8'));
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  if (typeof claims.exp !== 'number') return { ok: false, reason: 'invalid' };
  const identity = typeof claims.grants?.identity === 'string' ? claims.grants.identity : undefined;
  const expiresAt = claims.exp * 1000;
  return { ok: expiresAt > now, ...(expiresAt <= now && { reason: 'expired' as const }), identity, expiresAt };
}

/** The last characters of a JWT: enough to tell tokens apart in a failure message, never the token. */
export const tail = (jwt: string) => `…${jwt.slice(-8)}`;
