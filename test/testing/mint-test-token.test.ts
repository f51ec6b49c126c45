import { describe, expect, it } from 'vitest';
import { parseAccessToken } from 'twilio-token-lifecycle';
import { mintTestToken, type MintTestTokenOptions } from 'twilio-token-lifecycle/testing';

const ISSUED = Date.UTC(2026, 10, 23, 12, 0, 0);
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

describe('mintTestToken options', () => {
  // `{ ttlSeconds: props.ttl }` must not mint another token than `{}` does (a spread would: a token
  // without exp). `header` and `claims` are apart: there an undefined field removes it, on purpose.
  it.each([
    'identity',
    'grants',
    'ttlSeconds',
    'notBefore',
    'region',
    'accountSid',
    'apiKeySid',
    'secret',
    'header',
    'claims',
  ] as const)('takes %s: undefined as the default', (name) => {
    expect(mintTestToken({ issuedAt: ISSUED, [name]: undefined })).toBe(mintTestToken({ issuedAt: ISSUED }));
  });

  it('takes notBefore: null as absent, as ttlSeconds and issuedAt take null (no nbf of 1970)', () => {
    const jwt = mintTestToken({ issuedAt: ISSUED, notBefore: null as never });
    expect(claimsOf(jwt)).not.toHaveProperty('nbf');
    expect(jwt).toBe(mintTestToken({ issuedAt: ISSUED }));
  });

  // A string number made `exp` the string `${iat}60`; NaN made exp, iat or nbf null in the JSON. Either
  // way the test would go on with a token other than the one it meant.
  it.each([
    ['ttlSeconds', '60'],
    ['ttlSeconds', Number.NaN],
    ['ttlSeconds', Infinity],
    ['issuedAt', Number.NaN],
    ['issuedAt', String(ISSUED)],
    ['notBefore', Number.NaN],
    ['notBefore', -Infinity],
  ])('throws a TypeError naming `%s` for %s', (name, value) => {
    expect(() => mintTestToken({ issuedAt: ISSUED, [name]: value } as MintTestTokenOptions)).toThrow(
      expect.objectContaining({ name: 'TypeError', message: expect.stringContaining(`\`${name}\``) }),
    );
  });

  it('still mints expired and not-yet-valid tokens on purpose', () => {
    expect(claimsOf(mintTestToken({ issuedAt: ISSUED, ttlSeconds: -60 })).exp).toBe(ISSUED / 1000 - 60);
    const later = parseAccessToken(mintTestToken({ issuedAt: ISSUED, notBefore: ISSUED + 30_000 }));
    expect(later.notBefore).toBe(ISSUED + 30_000);
  });
});
