import { createHmac } from 'node:crypto';
import twilio from 'twilio';
import { vi } from 'vitest';

const { AccessToken } = twilio.jwt;

export const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
export const API_KEY_SID = 'SK0123456789abcdef0123456789abcdef';
/** An API key secret's shape: 32 mixed-case alphanumerics. */
export const API_SECRET = 'Q7rT2mW9xK4pL8vN3bH6jF1cD5sG0aZe';
/** An Account Auth Token's shape: 32 lowercase hex digits. */
export const AUTH_TOKEN = '9f8e7d6c5b4a39281706f5e4d3c2b1a0';
export const OTHER_ACCOUNT_SID = 'ACfedcba9876543210fedcba9876543210';
export const OTHER_API_KEY_SID = 'SKfedcba9876543210fedcba9876543210';
export const OTHER_SECRET = 'Zy9Xw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe';
export const CHAT_SERVICE_SID = 'IS11111111111111111111111111111111';
export const SYNC_SERVICE_SID = 'IS22222222222222222222222222222222';
export const TWIML_APP_SID = 'AP33333333333333333333333333333333';
export const WORKSPACE_SID = 'WS44444444444444444444444444444444';
export const WORKER_SID = 'WK55555555555555555555555555555555';
/** When the corpus' tokens are minted: the helper reads `Date.now()`, so it is faked to this. */
export const MINTED_AT = 1_800_000_000_000;
export const IAT = MINTED_AT / 1000;

export interface HelperInput {
  accountSid?: string;
  apiKeySid?: string;
  secret?: string;
  identity?: string;
  ttl?: number;
  nbf?: number;
  region?: string;
  algorithm?: 'HS256' | 'HS384' | 'HS512';
  grants?: { chat?: object; sync?: object; voice?: object; video?: object; taskRouter?: object };
  at?: number;
}

/** A token minted by Twilio's helper library (`jwt.AccessToken#toJwt`), at `at` (epoch ms) if given. */
export function mintWithHelper(input: HelperInput = {}): string {
  const token = new AccessToken(input.accountSid ?? ACCOUNT_SID, input.apiKeySid ?? API_KEY_SID, input.secret ?? API_SECRET, {
    identity: input.identity ?? 'alice',
    ...(input.ttl === undefined ? {} : { ttl: input.ttl }),
    ...(input.nbf === undefined ? {} : { nbf: input.nbf }),
    ...(input.region === undefined ? {} : { region: input.region }),
  });
  const { chat, sync, voice, video, taskRouter } = input.grants ?? { video: {} };
  if (chat) token.addGrant(new AccessToken.ChatGrant(chat));
  if (sync) token.addGrant(new AccessToken.SyncGrant(sync));
  if (voice) token.addGrant(new AccessToken.VoiceGrant(voice));
  if (video) token.addGrant(new AccessToken.VideoGrant(video));
  if (taskRouter) token.addGrant(new AccessToken.TaskRouterGrant(taskRouter));
  if (input.at === undefined) return token.toJwt(input.algorithm);
  vi.useFakeTimers({ now: input.at, toFake: ['Date'] });
  try {
    return token.toJwt(input.algorithm);
  } finally {
    vi.useRealTimers();
  }
}

const HASH = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' } as const;
const segment = (json: unknown) => Buffer.from(JSON.stringify(json)).toString('base64url');
export const decodeSegment = (jwt: string, index: 0 | 1): Record<string, unknown> => JSON.parse(Buffer.from(jwt.split('.')[index]!, 'base64url').toString('utf8'));

/** The same header and claims, re-signed with `secret` (node:crypto HMAC) after `change` edits them. */
export function forge(
  valid: string,
  change: (header: Record<string, unknown>, claims: Record<string, unknown>) => void,
  secret = API_SECRET,
): string {
  const header = decodeSegment(valid, 0);
  const claims = decodeSegment(valid, 1);
  change(header, claims);
  const signingInput = `${segment(header)}.${segment(claims)}`;
  const hash = HASH[header.alg as keyof typeof HASH] ?? 'sha256';
  return `${signingInput}.${header.alg === 'none' ? '' : createHmac(hash, secret).update(signingInput).digest('base64url')}`;
}
