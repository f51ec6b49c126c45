// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { CLOCK_SKEW_MS, diagnoseAccessToken, MAX_IDENTITY_LENGTH, MAX_TTL_SECONDS, type DiagnoseContext } from 'twilio-token-lifecycle/doctor';
import { ACCOUNT_SID, API_KEY_SID, API_SECRET, forge, IAT, MINTED_AT, mintWithHelper } from './fixtures';

// Each rule at its edges: one step inside finds nothing, one step outside finds it.
const valid = mintWithHelper({ at: MINTED_AT });
const context: DiagnoseContext = { apiSecret: API_SECRET, accountSid: ACCOUNT_SID, apiKeySid: API_KEY_SID, products: ['video'], now: MINTED_AT };
const withClaims = (claims: Record<string, unknown>) => forge(valid, (_h, c) => Object.assign(c, claims));
const withIdentity = (identity: string, grants: object = { video: {} }) => forge(valid, (_h, c) => (c.grants = { identity, ...grants }));
const found = async (jwt: string, extra: DiagnoseContext = {}) =>
  (await diagnoseAccessToken(jwt, { ...context, ...extra })).findings.map((f) => `${f.severity} ${f.code}`).sort();
const skew = CLOCK_SKEW_MS / 1000;

describe('the doctor at the edges of its rules', () => {
  it('has the documented constants', () => {
    expect([MAX_TTL_SECONDS, MAX_IDENTITY_LENGTH, CLOCK_SKEW_MS]).toEqual([86_400, 121, 60_000]);
  });

  it.each([
    ['a lifetime of exactly 24 h', { exp: IAT + 86_400 }, []],
    ['a lifetime of 24 h and 1 s', { exp: IAT + 86_401 }, ['error ttl-too-long']],
    ['90,000 s: 90 s written in ms', { exp: IAT + 90_000 }, ['error ttl-in-milliseconds']],
    ['86,400,000 s: 24 h written in ms', { exp: IAT + 86_400_000 }, ['error ttl-in-milliseconds']],
    ['86,401,000 s: more than 24 h even in ms', { exp: IAT + 86_401_000 }, ['error ttl-too-long']],
    ['exp at the checking instant', { exp: IAT }, ['error expired']],
    ['exp a second after it', { exp: IAT + 1 }, []],
    ['nbf now', { nbf: IAT }, []],
    [`nbf ${skew} s ahead`, { nbf: IAT + skew }, ['warning not-yet-valid']],
    [`nbf ${skew + 1} s ahead`, { nbf: IAT + skew + 1 }, ['error not-yet-valid']],
    [`iat ${skew} s ahead`, { iat: IAT + skew, exp: IAT + skew + 600 }, []],
    [`iat ${skew + 1} s ahead`, { iat: IAT + skew + 1, exp: IAT + skew + 601 }, ['warning issued-in-future']],
    ['iat alone in ms', { iat: MINTED_AT }, ['error bad-claims']],
    ['no iat: the lifetime is counted from now', { iat: undefined, exp: IAT + 600 }, []],
  ])('%s', async (_name, claims, expected) => {
    expect(await found(withClaims(claims))).toEqual(expected);
  });

  it.each([
    [`${MAX_IDENTITY_LENGTH} characters`, 'a'.repeat(MAX_IDENTITY_LENGTH), []],
    [`${MAX_IDENTITY_LENGTH + 1} characters`, 'a'.repeat(MAX_IDENTITY_LENGTH + 1), ['error identity-invalid']],
    ['61 emoji: 122 UTF-16 units', '😀'.repeat(61), ['error identity-invalid']],
    ['60 emoji: 120 UTF-16 units', '😀'.repeat(60), []],
    ['a soft hyphen U+00AD (Cf)', 'ali\u00adce', ['error identity-invalid']],
    ['a BOM U+FEFF (Cf)', '\ufeffalice', ['error identity-invalid', 'warning identity-invalid']],
    ['a bidi override U+202E (Cf)', 'alice\u202e', ['error identity-invalid']],
    ['a Hangul filler U+3164 (renders blank)', 'alice\u3164', ['warning identity-invalid']],
    ['a line separator U+2028', 'alice\u2028', ['warning identity-invalid', 'warning identity-invalid']],
    ['a space', 'alice smith', ['warning identity-invalid']],
    ['an e-mail address (URI-reserved @)', 'alice@example.com', ['warning identity-invalid']],
    ['Unicode letters, NFC', 'Zoë_Łukasz_日本', []],
  ])('identity: %s', async (_name, identity, expected) => {
    expect(await found(withIdentity(identity))).toEqual(expected);
  });

  it('warns about an identity Voice cannot route to, with the voice grant only', async () => {
    expect(await found(withIdentity('alice.b', { voice: { incoming: { allow: true } } }), { products: ['voice'] })).toEqual(['warning identity-invalid']);
    expect(await found(withIdentity('alice.b'))).toEqual([]);
  });

  it.each([
    ['32 lowercase hex digits: an Auth Token', '0123456789abcdef0123456789abcdef', ['error secret-is-auth-token']],
    ['32 upper-case hex digits', '0123456789ABCDEF0123456789ABCDEF', []],
    ['31 lowercase hex digits', '0123456789abcdef0123456789abcde', []],
    ['a secret with a trailing \\r\\n', `${API_SECRET}\r\n`, ['error secret-has-whitespace']],
  ])('secret: %s', async (_name, secret, expected) => {
    const signed = mintWithHelper({ at: MINTED_AT, secret });
    expect(await found(signed, { apiSecret: secret })).toEqual(expected);
  });

  it('accepts SIDs with upper-case hex, and a region in any case', async () => {
    const upper = mintWithHelper({ at: MINTED_AT, accountSid: ACCOUNT_SID.toUpperCase().replace(/^AC/, 'AC'), region: 'IE1' });
    expect(await found(upper, { accountSid: ACCOUNT_SID.toUpperCase(), region: 'ie1' })).toEqual([]);
  });
});

describe('the summary of what was read', () => {
  it('gives the identity, SIDs, region, algorithm, times in ms and the grants', async () => {
    const jwt = mintWithHelper({ at: MINTED_AT, ttl: 600, region: 'ie1', identity: 'zoë', grants: { chat: { serviceSid: 'IS11111111111111111111111111111111' }, video: {} } });
    const { summary } = await diagnoseAccessToken(jwt);
    expect(summary).toEqual({
      identity: 'zoë',
      accountSid: ACCOUNT_SID,
      apiKeySid: API_KEY_SID,
      region: 'ie1',
      algorithm: 'HS256',
      issuedAt: MINTED_AT,
      expiresAt: MINTED_AT + 600_000,
      grants: ['chat', 'video'],
    });
  });

  it('says us1 without twr, and never repeats a non-SID issuer (it may be the secret)', async () => {
    const swapped = mintWithHelper({ at: MINTED_AT, apiKeySid: API_SECRET, secret: API_KEY_SID, nbf: IAT });
    const { summary } = await diagnoseAccessToken(swapped);
    expect(summary).toEqual({ identity: 'alice', accountSid: ACCOUNT_SID, region: 'us1', algorithm: 'HS256', issuedAt: MINTED_AT, notBefore: MINTED_AT, expiresAt: MINTED_AT + 3_600_000, grants: ['video'] });
    expect(JSON.stringify(summary)).not.toContain(API_SECRET);
  });

  it('is absent when no JWT could be read', async () => {
    expect(await diagnoseAccessToken('not a token')).not.toHaveProperty('summary');
  });
});
