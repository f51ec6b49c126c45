// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, grantsFor, loadConfig } from '../../examples/server/config';
import { identityProblem } from '../../examples/server/identity';

const REAL = {
  TWILIO_ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef',
  TWILIO_API_KEY: 'SK0123456789abcdef0123456789abcdef',
  TWILIO_API_SECRET: 'real-secret-value',
};

describe('loadConfig', () => {
  it('starts with no Twilio credentials, with a random local secret and placeholder SIDs', () => {
    const a = loadConfig({});
    const b = loadConfig({});
    expect(a.isLocalOnly).toBe(true);
    expect(a.accountSid).toMatch(/^AC0{32}$/);
    expect(a.apiKeySid).toMatch(/^SK0{32}$/);
    expect(a.apiSecret.length).toBeGreaterThanOrEqual(32);
    expect(a.apiSecret).not.toBe(b.apiSecret);
    expect(a.ttlSeconds).toBe(3600);
    expect(a.port).toBe(3000);
    expect(a.allowedOrigins).toEqual([]);
    expect(describeConfig(a).join('\n')).toMatch(/NOT with Twilio/);
  });

  it('uses real credentials and never prints the secret', () => {
    const config = loadConfig({ ...REAL, TWILIO_TWIML_APP_SID: 'AP0123456789abcdef0123456789abcdef' });
    expect(config.isLocalOnly).toBe(false);
    expect(config.apiSecret).toBe('real-secret-value');
    const described = describeConfig(config).join('\n');
    expect(described).toContain(REAL.TWILIO_API_KEY);
    expect(described).not.toContain('real-secret-value');
    expect(described).toMatch(/voice/);
  });

  it('refuses half a set of credentials', () => {
    expect(() => loadConfig({ TWILIO_ACCOUNT_SID: REAL.TWILIO_ACCOUNT_SID })).toThrow(ConfigError);
  });

  it.each(['0', '86401', '1.5', 'ten', '-5'])('refuses TOKEN_TTL=%s', (ttl) => {
    expect(() => loadConfig({ TOKEN_TTL: ttl })).toThrow(/TOKEN_TTL must be a whole number from 1 to 86400/);
  });

  it.each([['1', 1], ['86400', 86_400], ['5', 5]])('accepts TOKEN_TTL=%s', (ttl, seconds) => {
    expect(loadConfig({ TOKEN_TTL: ttl }).ttlSeconds).toBe(seconds);
  });

  // `KEY=` in a .env file: unset, every one of them, never a value such as port 0 or region "".
  it('takes every setting set to the empty string as unset', () => {
    const names = ['TWILIO_ACCOUNT_SID', 'TWILIO_API_KEY', 'TWILIO_API_SECRET', 'TWILIO_CHAT_SERVICE_SID', 'TWILIO_SYNC_SERVICE_SID', 'TWILIO_TWIML_APP_SID', 'TWILIO_REGION', 'TOKEN_TTL', 'ALLOWED_ORIGINS', 'PUBLIC_URL', 'ALLOWED_HOSTS', 'PORT', 'TRUST_PROXY_HOPS', 'SESSION_SECRET', 'REDIS_URL'];
    const { apiSecret: _a, sessionSecret: _s, ...blank } = loadConfig(Object.fromEntries(names.map((name) => [name, ''])));
    const { apiSecret: _b, sessionSecret: _t, ...unset } = loadConfig({});
    expect(blank).toEqual(unset);
    expect(unset).toMatchObject({ port: 3000, ttlSeconds: 3600, trustProxyHops: 0, isLocalOnly: true });
  });

  // Number(' ') is 0: PORT=" " listened on a random port, and said nothing.
  it.each(['PORT', 'TOKEN_TTL', 'TRUST_PROXY_HOPS'])('refuses %s set to spaces', (name) => {
    expect(() => loadConfig({ [name]: ' ' })).toThrow(new RegExp(`${name} must be a whole number`));
  });

  it('reads PORT and ALLOWED_ORIGINS, and refuses an origin with a path', () => {
    const config = loadConfig({ PORT: '8080', ALLOWED_ORIGINS: 'https://app.example.com, http://localhost:5173' });
    expect(config.port).toBe(8080);
    expect(config.allowedOrigins).toEqual(['https://app.example.com', 'http://localhost:5173']);
    expect(() => loadConfig({ ALLOWED_ORIGINS: 'https://app.example.com/path' })).toThrow(ConfigError);
    expect(() => loadConfig({ ALLOWED_ORIGINS: 'not a url' })).toThrow(ConfigError);
  });

  it('allows the loopback hosts by default, and adds PUBLIC_URL\'s host and ALLOWED_HOSTS', () => {
    expect(loadConfig({}).allowedHosts).toEqual([{ name: 'localhost' }, { name: '127.0.0.1' }, { name: '[::1]' }]);
    expect(loadConfig({}).publicUrl).toBeUndefined();
    const config = loadConfig({ PUBLIC_URL: 'https://Tokens.Example.com:8443/app/', ALLOWED_HOSTS: 'a.example, B.example:81,' });
    expect(config.publicUrl).toBe('https://tokens.example.com:8443');
    expect(describeConfig(config).join('\n')).toContain('localhost, 127.0.0.1, [::1], tokens.example.com:8443, a.example, b.example:81');
    expect(config.allowedHosts.slice(3)).toEqual([{ name: 'tokens.example.com', port: '8443' }, { name: 'a.example' }, { name: 'b.example', port: '81' }]);
    expect(loadConfig({ PUBLIC_URL: 'https://tokens.example.com' }).allowedHosts[3]).toEqual({ name: 'tokens.example.com' });
  });

  it.each(['https://a.example', 'a.example/path', '*', 'a b', 'a.example:99999'])('refuses ALLOWED_HOSTS=%s', (hosts) => {
    expect(() => loadConfig({ ALLOWED_HOSTS: hosts })).toThrow(/ALLOWED_HOSTS/);
  });

  it.each(['not a url', 'ftp://a.example'])('refuses PUBLIC_URL=%s', (url) => {
    expect(() => loadConfig({ PUBLIC_URL: url })).toThrow(/PUBLIC_URL/);
  });

  it('reads TWILIO_REGION, says it, and refuses one that is not a region', () => {
    const config = loadConfig({ ...REAL, TWILIO_REGION: 'ie1' });
    expect(config.region).toBe('ie1');
    expect(describeConfig(config).join('\n')).toContain('region ie1');
    expect(loadConfig(REAL).region).toBeUndefined();
    expect(() => loadConfig({ ...REAL, TWILIO_REGION: 'IE1' })).toThrow(/TWILIO_REGION must be a Twilio region/);
    expect(() => loadConfig({ ...REAL, TWILIO_REGION: 'dublin' })).toThrow(ConfigError);
  });

  it('refuses service SIDs of the wrong kind', () => {
    expect(() => loadConfig({ TWILIO_CHAT_SERVICE_SID: 'AP0123456789abcdef0123456789abcdef' })).toThrow(/IS/);
    expect(() => loadConfig({ TWILIO_TWIML_APP_SID: 'IS0123456789abcdef0123456789abcdef' })).toThrow(/AP/);
  });
});

describe('grantsFor', () => {
  it('always grants video, and chat, sync and voice only when configured, with Twilio\'s keys', () => {
    expect(grantsFor(loadConfig({}))).toEqual({ video: {} });
    const config = loadConfig({
      TWILIO_CHAT_SERVICE_SID: 'IS0123456789abcdef0123456789abcde1',
      TWILIO_SYNC_SERVICE_SID: 'IS0123456789abcdef0123456789abcde2',
      TWILIO_TWIML_APP_SID: 'AP0123456789abcdef0123456789abcdef',
    });
    expect(grantsFor(config, 'standup')).toEqual({
      chat: { service_sid: 'IS0123456789abcdef0123456789abcde1' },
      data_sync: { service_sid: 'IS0123456789abcdef0123456789abcde2' },
      voice: { incoming: { allow: true }, outgoing: { application_sid: 'AP0123456789abcdef0123456789abcdef' } },
      video: { room: 'standup' },
    });
  });
});

describe('identityProblem', () => {
  it.each(['alice', 'Bob_2', 'zoë', 'a'.repeat(121), 'user-1.example'])('accepts %s', (identity) => {
    expect(identityProblem(identity, { voice: false })).toBeUndefined();
  });

  it.each([
    ['', /required/],
    [undefined, /required/],
    [42, /required/],
    ['a'.repeat(122), /121/],
    ...[...'!*\'();:@&=+$,/?%#[]'].map((c) => [`al${c}ice`, /must not contain/] as [string, RegExp]),
    ['al ice', /must not contain/],
    ['al\nice', /must not contain/],
    ['alice\u200b', /control, format/],
    ['\u202ealice', /control, format/],
    ['alice\u2028', /control, format/],
    // Default-ignorable, yet not Cf: each renders as nothing (or as a blank) beside `alice`.
    ...['\u034f', '\ufe0f', '\u{e0100}', '\u3164', '\u115f', '\uffa0', '\u180b'].map(
      (c) => [`ali${c}ce`, /control, format/] as [string, RegExp],
    ),
    // The braille blank renders as a space; the signer refuses it too, so sign-in must.
    ['alice\u2800', /control, format/],
  ])('refuses %j', (identity, why) => {
    expect(identityProblem(identity, { voice: false })).toMatch(why);
  });

  it('allows only letters, digits and _ when the voice grant is on', () => {
    expect(identityProblem('alice_2', { voice: true })).toBeUndefined();
    expect(identityProblem('alice-2', { voice: true })).toMatch(/letters, digits and _/);
    expect(identityProblem('zoë', { voice: true })).toMatch(/letters, digits and _/);
  });
});
