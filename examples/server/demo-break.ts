// Demo only, and only with the local random secret (no real Twilio credentials): the signer can be told
// to mint tokens broken in the ways that make Twilio refuse real ones, and a stand-in for Twilio checks
// a token as Twilio would, so the demo page can show the token doctor's explanation of each refusal.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ApiError } from './api-error';
import type { MintInput, TwilioGrants } from './mint-access-token';

/** The ways the demo's signer can break the next tokens. */
export const BREAK_MODES = ['wrong-secret', 'ttl-in-ms', 'missing-grant', 'future-nbf'] as const;
export type BreakMode = (typeof BREAK_MODES)[number];

/** The grant the demo's product (Video) needs; `missing-grant` leaves it out. */
export const DEMO_PRODUCT_GRANT = 'video';
const MAX_TTL_SECONDS = 86_400;
const FUTURE_NBF_SECONDS = 60 * 60;

/** `mode` from a `POST /api/demo/break` body: a break mode or `null` (mend). Else a 400. */
export function readBreakMode(body: Record<string, unknown>): BreakMode | null {
  const { mode } = body;
  if (mode === null || (typeof mode === 'string' && (BREAK_MODES as readonly string[]).includes(mode))) return mode as BreakMode | null;
  throw new ApiError(400, 'invalid-body', `mode must be null or one of ${BREAK_MODES.join(', ')}`);
}

const base64url = (text: string) => Buffer.from(text).toString('base64url');
const hmac = (signingInput: string, secret: string) => createHmac('sha256', secret).update(signingInput).digest();

/** The same token with its claims changed by `edit`, signed again with `secret`. */
function resign(token: string, secret: string, edit: (claims: Record<string, unknown>) => void): string {
  const [header, payload] = token.split('.') as [string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  edit(claims);
  const signingInput = `${header}.${base64url(JSON.stringify(claims))}`;
  return `${signingInput}.${hmac(signingInput, secret).toString('base64url')}`;
}

/** Mints with `mint`, broken the way `mode` says (`undefined`: a sound token). */
export async function mintBroken(
  mint: (input: MintInput) => string | Promise<string>,
  input: MintInput,
  mode: BreakMode | undefined,
): Promise<string> {
  switch (mode) {
    case undefined:
      return mint(input);
    case 'wrong-secret':
      // Another key's secret (or the Auth Token): the signature no longer matches the key SID.
      return mint({ ...input, apiSecret: randomBytes(32).toString('base64url') });
    case 'missing-grant': {
      const { [DEMO_PRODUCT_GRANT]: _dropped, ...grants } = input.grants as TwilioGrants & Record<string, unknown>;
      return mint({ ...input, grants });
    }
    case 'ttl-in-ms':
      // `ttl: 3600000` meant as an hour: the signer refuses that, so the claims are written by hand.
      return resign(await mint(input), input.apiSecret, (claims) => {
        claims.exp = (claims.iat as number) + input.ttlSeconds * 1000;
      });
    case 'future-nbf':
      // A minting clock an hour fast, say. The lifetime is kept after nbf (within 24 h), so the token is
      // usable later rather than never (the TokenManager refuses one whose nbf is not before its exp).
      return resign(await mint(input), input.apiSecret, (claims) => {
        const iat = claims.iat as number;
        claims.nbf = iat + FUTURE_NBF_SECONDS;
        claims.exp = Math.min(iat + FUTURE_NBF_SECONDS + input.ttlSeconds, iat + MAX_TTL_SECONDS);
      });
  }
}

/** Twilio's answer to a refused token: its error code and message, as its REST errors carry them. */
export interface TwilioRefusal {
  code: number;
  message: string;
  more_info: string;
  status: 401;
}

const refusal = (code: number, message: string): TwilioRefusal => ({ code, message, more_info: `https://www.twilio.com/docs/api/errors/${code}`, status: 401 });

function decodePart(part: string | undefined): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks `token` as Twilio would, with the server's secret and clock (`now`, epoch ms): signature
 * (20107), lifetime over 24 h (20157), `nbf` ahead (20105), expired (20104), no grant for the demo's
 * product (20106); anything unreadable is 20101. `undefined` when Twilio would take it. Pure.
 */
export function checkAsTwilio(token: unknown, secret: string, now: number): TwilioRefusal | undefined {
  const parts = typeof token === 'string' ? token.split('.') : [];
  const header = decodePart(parts[0]);
  const claims = decodePart(parts[1]);
  if (parts.length !== 3 || !header || !claims || header.alg !== 'HS256') return refusal(20101, 'Invalid Access Token');
  const expected = hmac(`${parts[0]}.${parts[1]}`, secret);
  const given = Buffer.from(parts[2]!, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return refusal(20107, 'Invalid Access Token signature');
  const { iat, exp, nbf, grants } = claims;
  if (typeof exp !== 'number' || typeof iat !== 'number') return refusal(20101, 'Invalid Access Token');
  if (exp - iat > MAX_TTL_SECONDS) return refusal(20157, 'Expiration Time exceeds maximum time allowed');
  if (typeof nbf === 'number' && nbf * 1000 > now) return refusal(20105, 'Access Token not yet valid');
  if (exp * 1000 <= now) return refusal(20104, 'Access Token expired or expiration date invalid');
  const granted = typeof grants === 'object' && grants !== null ? (grants as Record<string, unknown>)[DEMO_PRODUCT_GRANT] : undefined;
  if (typeof granted !== 'object' || granted === null) return refusal(20106, 'Invalid Access Token grants');
  return undefined;
}
