// @vitest-environment node
import { jwtVerify } from 'jose';
import twilio from 'twilio';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseAccessToken } from 'twilio-token-lifecycle';
import fc from 'fast-check';
import { mintAccessToken as mintWithNodeCrypto, type MintInput } from '../../examples/server/mint-access-token';
import { mintAccessToken as mintWithWebCrypto } from '../../examples/server/mint-access-token-webcrypto';

const { AccessToken } = twilio.jwt;

const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
const API_KEY_SID = 'SK0123456789abcdef0123456789abcdef';
const SECRET = 'a-long-local-api-key-secret-for-tests-only';

const decodePart = (jwt: string, index: 0 | 1) => JSON.parse(Buffer.from(jwt.split('.')[index]!, 'base64url').toString('utf8'));

/** The same token, minted by Twilio's helper library. */
function mintWithHelper(input: MintInput): string {
  const token = new AccessToken(input.accountSid, input.apiKeySid, input.apiSecret, {
    identity: input.identity,
    ttl: input.ttlSeconds,
    nbf: input.notBefore,
    region: input.region,
  });
  const { chat, voice, video, data_sync: sync } = input.grants;
  if (chat) token.addGrant(new AccessToken.ChatGrant({ serviceSid: chat.service_sid, endpointId: chat.endpoint_id, deploymentRoleSid: chat.deployment_role_sid, pushCredentialSid: chat.push_credential_sid }));
  if (sync) token.addGrant(new AccessToken.SyncGrant({ serviceSid: sync.service_sid, endpointId: sync.endpoint_id }));
  if (voice)
    token.addGrant(
      new AccessToken.VoiceGrant({
        incomingAllow: voice.incoming?.allow,
        outgoingApplicationSid: voice.outgoing?.application_sid,
        outgoingApplicationParams: voice.outgoing?.params,
        pushCredentialSid: voice.push_credential_sid,
        endpointId: voice.endpoint_id,
      }),
    );
  if (video) token.addGrant(new AccessToken.VideoGrant({ room: video.room }));
  return token.toJwt();
}

const base: MintInput = { accountSid: ACCOUNT_SID, apiKeySid: API_KEY_SID, apiSecret: SECRET, identity: 'alice', ttlSeconds: 3600, grants: {} };

const cases: Array<[string, Partial<MintInput>]> = [
  ['identity only', {}],
  ['a video grant', { grants: { video: {} } }],
  ['a video grant for one room', { grants: { video: { room: 'standup' } } }],
  ['a chat grant', { grants: { chat: { service_sid: 'IS0123456789abcdef0123456789abcdef' } } }],
  ['a chat grant with every field', { grants: { chat: { service_sid: 'IS0123456789abcdef0123456789abcdef', endpoint_id: 'app:alice:device', deployment_role_sid: 'RL0123456789abcdef0123456789abcdef', push_credential_sid: 'CR0123456789abcdef0123456789abcdef' } } }],
  ['a sync grant', { grants: { data_sync: { service_sid: 'IS00000000000000000000000000000abc' } } }],
  ['a voice grant', { grants: { voice: { incoming: { allow: true }, outgoing: { application_sid: 'AP0123456789abcdef0123456789abcdef' } } } }],
  ['a voice grant with params and push', { grants: { voice: { incoming: { allow: true }, outgoing: { application_sid: 'AP0123456789abcdef0123456789abcdef', params: { mode: 'demo' } }, push_credential_sid: 'CR0123456789abcdef0123456789abcdef' } } }],
  ['every grant at once, in the server\'s order', { grants: { chat: { service_sid: 'IS0123456789abcdef0123456789abcdef' }, data_sync: { service_sid: 'IS00000000000000000000000000000abc' }, voice: { incoming: { allow: true }, outgoing: { application_sid: 'AP0123456789abcdef0123456789abcdef' } }, video: {} } }],
  ['a region', { region: 'us1', grants: { voice: { incoming: { allow: true } } } }],
  ['nbf', { notBefore: 1_900_000_100 }],
  ['a 24 h lifetime', { ttlSeconds: 86_400 }],
  ['a 1 s lifetime', { ttlSeconds: 1 }],
  ['a unicode identity', { identity: 'zoë_Ω' }],
];

// Both signers pass the same comparison with Twilio's helper.
const signers: Array<[string, (input: MintInput) => string | Promise<string>]> = [
  ['node:crypto', mintWithNodeCrypto],
  ['WebCrypto', mintWithWebCrypto],
];

describe.each(signers)('mintAccessToken (%s)', (_signer, mintAccessToken) => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2030-03-14T15:09:26.535Z'), toFake: ['Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each(cases)('writes the same header and claims as twilio\'s AccessToken, field by field: %s', async (_name, extra) => {
    const input = { ...base, ...extra };
    const ours = await mintAccessToken(input);
    const theirs = mintWithHelper(input);
    const [ourHeader, theirHeader] = [decodePart(ours, 0), decodePart(theirs, 0)];
    const [ourClaims, theirClaims] = [decodePart(ours, 1), decodePart(theirs, 1)];
    expect(Object.keys(ourHeader)).toEqual(Object.keys(theirHeader));
    for (const field of Object.keys(theirHeader)) expect(ourHeader[field], `header.${field}`).toEqual(theirHeader[field]);
    expect(Object.keys(ourClaims)).toEqual(Object.keys(theirClaims));
    for (const field of Object.keys(theirClaims)) expect(ourClaims[field], `claims.${field}`).toEqual(theirClaims[field]);
    // Same bytes in, same HMAC out: the whole token is identical.
    expect(ours).toBe(theirs);
  });

  it('signs with HS256 and the API secret, as an independent JWT library verifies', async () => {
    const jwt = await mintAccessToken({ ...base, grants: { video: { room: 'r' } } });
    const { payload, protectedHeader } = await jwtVerify(jwt, new TextEncoder().encode(SECRET), {
      algorithms: ['HS256'],
      issuer: API_KEY_SID,
      subject: ACCOUNT_SID,
      currentDate: new Date('2030-03-14T15:10:00Z'),
    });
    expect(protectedHeader).toEqual({ alg: 'HS256', typ: 'JWT', cty: 'twilio-fpa;v=1' });
    expect(payload.grants).toEqual({ identity: 'alice', video: { room: 'r' } });
    expect(payload.exp! - payload.iat!).toBe(3600);
    await expect(jwtVerify(jwt, new TextEncoder().encode('another secret'))).rejects.toThrow(/signature/);
  });

  it('writes iat from the clock rounded down to seconds, and a jti of key SID and iat', async () => {
    const token = parseAccessToken(await mintAccessToken(base));
    expect(token.issuedAt).toBe(Date.parse('2030-03-14T15:09:26Z'));
    expect(token.claims.jti).toBe(`${API_KEY_SID}-${Date.parse('2030-03-14T15:09:26Z') / 1000}`);
    expect(token.expiresAt - token.issuedAt).toBe(3_600_000);
  });

  it('mints tokens the browser library accepts, with the grants typed', async () => {
    const token = parseAccessToken(
      await mintAccessToken({ ...base, region: 'ie1', grants: { data_sync: { service_sid: 'IS00000000000000000000000000000abc' }, video: {} } }),
    );
    expect(token.identity).toBe('alice');
    expect(token.region).toBe('ie1');
    expect(token.grants.sync).toEqual({ service_sid: 'IS00000000000000000000000000000abc' });
  });
});

describe('mintAccessToken on WebCrypto', () => {
  it('writes the very bytes of the node:crypto signer, for any identity, room, secret and lifetime', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 121, unit: 'grapheme' }),
        fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
        fc.string({ minLength: 1, maxLength: 80 }),
        fc.integer({ min: 1, max: 86_400 }),
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        async (identity, room, apiSecret, ttlSeconds, now) => {
          const input: MintInput = { ...base, identity, apiSecret, ttlSeconds, now, grants: { video: room === undefined ? {} : { room } } };
          expect(await mintWithWebCrypto(input)).toBe(mintWithNodeCrypto(input));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('needs neither node:crypto nor Buffer', async () => {
    const source = await import('node:fs').then((fs) => fs.readFileSync(new URL('../../examples/server/mint-access-token-webcrypto.ts', import.meta.url), 'utf8'));
    expect(source).not.toMatch(/from ['"]node:|require\(|\bBuffer\./);
  });
});
