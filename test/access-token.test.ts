import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTokenError, parseAccessToken, TokenError } from 'twilio-token-lifecycle';
import { mintTestToken, TEST_ACCOUNT_SID, TEST_API_KEY_SID } from 'twilio-token-lifecycle/testing';

const ISSUED = Date.UTC(2026, 10, 23, 12, 0, 0);
const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

function expectInvalid(jwt: unknown, message: RegExp) {
  let thrown: unknown;
  try {
    parseAccessToken(jwt as string);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(TokenError);
  expect(thrown).toMatchObject({ code: 'invalid-token', name: 'TokenError' });
  expect((thrown as Error).message).toMatch(message);
  const signature = typeof jwt === 'string' ? jwt.split('.')[2] : undefined;
  if (signature && signature.length > 8) expect((thrown as Error).message).not.toContain(signature);
}

describe('parseAccessToken', () => {
  it('returns the decoded token with times in epoch milliseconds', () => {
    const jwt = mintTestToken({ identity: 'alice', issuedAt: ISSUED, ttlSeconds: 600, region: 'us1' });
    const token = parseAccessToken(jwt);
    expect(token).toMatchObject({
      jwt,
      identity: 'alice',
      accountSid: TEST_ACCOUNT_SID,
      apiKeySid: TEST_API_KEY_SID,
      region: 'us1',
      issuedAt: ISSUED,
      expiresAt: ISSUED + 600_000,
      notBefore: undefined,
      header: { alg: 'HS256', typ: 'JWT', cty: 'twilio-fpa;v=1', twr: 'us1' },
      claims: { jti: `${TEST_API_KEY_SID}-${ISSUED / 1000}`, iat: ISSUED / 1000, exp: ISSUED / 1000 + 600 },
    });
  });

  it('reads every grant shape Twilio writes, and exposes data_sync as sync', () => {
    const grants = {
      chat: { service_sid: 'IS' + 'a'.repeat(32), endpoint_id: 'app:alice:device', deployment_role_sid: 'RL1', push_credential_sid: 'CR1' },
      voice: {
        incoming: { allow: true },
        outgoing: { application_sid: 'AP' + 'b'.repeat(32), params: { mode: 'x' } },
        push_credential_sid: 'CR2',
        endpoint_id: 'e1',
      },
      video: { room: 'standup' },
      data_sync: { service_sid: 'IS' + 'c'.repeat(32), endpoint_id: 'e2' },
      task_router: { workspace_sid: 'WS1', worker_sid: 'WK1', role: 'worker' },
      player: { playbackGrant: { requestCredentials: null } },
      future_grant: { anything: [1, 2] },
    };
    const token = parseAccessToken(mintTestToken({ grants }));
    expect(token.grants.chat).toEqual(grants.chat);
    expect(token.grants.voice).toEqual(grants.voice);
    expect(token.grants.video).toEqual({ room: 'standup' });
    expect(token.grants.data_sync).toEqual(grants.data_sync);
    expect(token.grants.sync).toBe(token.grants.data_sync);
    expect(token.grants.task_router).toEqual(grants.task_router);
    expect(token.grants.player).toEqual(grants.player);
    expect(token.grants.future_grant).toEqual({ anything: [1, 2] });
  });

  it('reads nbf, a token without identity, and HS384/HS512 headers', () => {
    expect(parseAccessToken(mintTestToken({ issuedAt: ISSUED, notBefore: ISSUED + 30_000 })).notBefore).toBe(ISSUED + 30_000);
    expect(parseAccessToken(mintTestToken({ identity: null })).identity).toBeUndefined();
    for (const alg of ['HS384', 'HS512']) {
      expect(parseAccessToken(mintTestToken({ header: { alg } })).header.alg).toBe(alg);
    }
  });

  it.each([
    ['a non-string', 42, /expected a string, got number/],
    ['null', null, /expected a string, got null/],
    ['an empty string', '', /3 dot-separated segments, got 1/],
    ['two segments', 'abc.def', /3 dot-separated segments, got 2/],
    ['four segments', 'a.b.c.d', /3 dot-separated segments, got 4/],
    ['an empty signature', `${b64({ typ: 'JWT' })}.${b64({})}.`, /segment is empty/],
    ['a header that is not base64 JSON', `%%%.${b64({})}.sig`, /header is not a base64url-encoded JSON object/],
    ['a payload that is not JSON', `${b64({ alg: 'HS256', typ: 'JWT', cty: 'twilio-fpa;v=1' })}.${b64('not json')}.sig`, /payload is not a base64url-encoded JSON object/],
  ])('rejects %s', (_, jwt, message) => expectInvalid(jwt, message));

  it.each([
    ['typ', { header: { typ: 'JWS' } }, /"typ" must be "JWT"/],
    ['alg none', { header: { alg: 'none' } }, /"alg" must be HS256, HS384 or HS512/],
    ['alg RS256', { header: { alg: 'RS256' } }, /"alg"/],
    ['cty missing', { header: { cty: undefined } }, /"cty" must be "twilio-fpa;v=1"/],
    ['cty other', { header: { cty: 'twilio-fpa;v=2' } }, /"cty"/],
    ['twr not a string', { header: { twr: 1 } }, /"twr" must be a string/],
    ['iat missing', { claims: { iat: undefined } }, /"iat" must be a number/],
    ['iat a string', { claims: { iat: '1700000000' } }, /"iat" must be a number/],
    ['exp missing', { claims: { exp: undefined } }, /"exp" must be a number/],
    ['exp before iat', { claims: { iat: 2000, exp: 1000 } }, /"exp" must be later than "iat"/],
    ['exp equal to iat', { claims: { iat: 2000, exp: 2000 } }, /"exp" must be later than "iat"/],
    ['nbf a string', { claims: { nbf: 'soon' } }, /"nbf" must be a number/],
    ['sub not an Account SID', { claims: { sub: 'US' + '0'.repeat(32) } }, /"sub" must be an Account SID/],
    ['sub too short', { claims: { sub: 'AC123' } }, /"sub"/],
    ['iss not an API key SID', { claims: { iss: TEST_ACCOUNT_SID } }, /"iss" must be an API key SID/],
    ['grants missing', { claims: { grants: undefined } }, /"grants" must be an object/],
    ['grants an array', { claims: { grants: [] } }, /"grants" must be an object/],
    ['identity a number', { claims: { grants: { identity: 7 } } }, /"identity" must be a string/],
    ['chat grant a string', { grants: { chat: 'IS1' } }, /grant "chat" must be an object/],
    ['voice grant null', { grants: { voice: null } }, /grant "voice" must be an object/],
  ])('rejects a token whose %s is wrong', (_, overrides, message) => {
    expectInvalid(mintTestToken(overrides as Parameters<typeof mintTestToken>[0]), message);
  });

  describe('times in seconds, not milliseconds', () => {
    const now = ISSUED / 1000;
    it.each([
      ['a 1 h token', { iat: now, exp: now + 3600 }],
      ['Twilio’s longest, 24 h', { iat: now, exp: now + 86_400 }],
      ['25 h with nbf 24 h ahead (a far-nbf test case)', { iat: now, exp: now + 90_000, nbf: now + 86_400 }],
      ['a minute after the epoch', { iat: 0, exp: 60 }],
      ['exp in the year 5138, just under 1e11 s', { iat: now, exp: 1e11 - 1 }],
    ])('accepts %s', (_, claims) => {
      expect(parseAccessToken(mintTestToken({ claims })).expiresAt).toBe(claims.exp * 1000);
    });

    it.each([
      // Held as seconds, iat and exp in ms made a 1 h token last 41 days; exp alone in ms, forever.
      ['iat and exp in milliseconds', { iat: ISSUED, exp: ISSUED + 3_600_000 }],
      ['exp in milliseconds, iat in seconds', { iat: now, exp: ISSUED + 3_600_000 }],
      ['iat and exp in milliseconds, 10 s apart', { iat: ISSUED, exp: ISSUED + 10_000 }],
      ['exp at 1e11 s exactly', { iat: now, exp: 1e11 }],
    ])('refuses %s as invalid-token, naming milliseconds', (_, claims) => {
      expectInvalid(mintTestToken({ claims }), /claim "(iat|exp)" must be a number of seconds, not milliseconds/);
    });

    it('names the claim in milliseconds: iat, or nbf', () => {
      expectInvalid(mintTestToken({ claims: { iat: ISSUED, exp: now + 3600 } }), /claim "iat" must be a number of seconds, not milliseconds/);
      expectInvalid(mintTestToken({ claims: { iat: now, exp: now + 3600, nbf: ISSUED } }), /claim "nbf" must be a number of seconds, not milliseconds/);
    });
  });

  it('never puts the signature in its message', () => {
    const jwt = mintTestToken({ header: { cty: 'nope' } });
    const signature = jwt.split('.')[2]!;
    try {
      parseAccessToken(jwt);
      expect.unreachable();
    } catch (error) {
      expect(String(error)).not.toContain(signature);
      expect((error as Error).message).not.toContain(jwt);
    }
  });

  it('throws nothing but an invalid-token TokenError for random strings', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.array(fc.base64String(), { maxLength: 4 }).map((p) => p.join('.'))), (input) => {
        try {
          parseAccessToken(input);
        } catch (error) {
          return isTokenError(error) && error.code === 'invalid-token';
        }
        return true;
      }),
      { numRuns: 2000 },
    );
  });

  it('throws nothing but an invalid-token TokenError for random JSON header and payload', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), fc.string(), (header, payload, signature) => {
        try {
          parseAccessToken(`${b64(header)}.${b64(payload)}.${signature}`);
        } catch (error) {
          return isTokenError(error) && error.code === 'invalid-token';
        }
        return true;
      }),
      { numRuns: 2000 },
    );
  });

  it('throws nothing but an invalid-token TokenError for random claims in a well-formed token', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('iat', 'exp', 'nbf', 'sub', 'iss', 'grants'), fc.jsonValue()), (claims) => {
        try {
          parseAccessToken(mintTestToken({ claims }));
        } catch (error) {
          return isTokenError(error) && error.code === 'invalid-token';
        }
        return true;
      }),
      { numRuns: 1000 },
    );
  });
});
