// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { readServerSettings } from '../../src/doctor/config-settings';

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const KEY = 'SK0123456789abcdef0123456789abcdef';
const SECRET = 'Tq7ZpL2xVb9NcR4mWs8KdY3hJf6GaE1u';
const RIGHT = { TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_API_KEY: KEY, TWILIO_API_SECRET: SECRET };

const found = (env: Record<string, string>) => readServerSettings(env).findings.map(({ severity, code }) => `${severity} ${code}`);

describe('readServerSettings', () => {
  it('reads a right configuration with no finding', () => {
    const { settings, findings } = readServerSettings({
      ...RIGHT,
      TWILIO_CHAT_SERVICE_SID: `IS${'1'.repeat(32)}`,
      TWILIO_SYNC_SERVICE_SID: `IS${'2'.repeat(32)}`,
      TWILIO_TWIML_APP_SID: `AP${'3'.repeat(32)}`,
      TWILIO_WORKSPACE_SID: `WS${'4'.repeat(32)}`,
      TWILIO_REGION: 'ie1',
      TWILIO_EDGE: 'dublin',
      TOKEN_TTL: '600',
    });
    expect(findings).toEqual([]);
    expect(settings).toEqual({
      accountSid: ACCOUNT,
      apiKeySid: KEY,
      apiSecret: SECRET,
      chatServiceSid: `IS${'1'.repeat(32)}`,
      syncServiceSid: `IS${'2'.repeat(32)}`,
      twimlAppSid: `AP${'3'.repeat(32)}`,
      workspaceSid: `WS${'4'.repeat(32)}`,
      region: 'ie1',
      edge: 'dublin',
      ttlSeconds: 600,
    });
  });

  it.each([
    [{}, ['error missing-setting', 'error missing-setting', 'error missing-setting']],
    [{ ...RIGHT, TWILIO_API_SECRET: '9f86d081884c7d659a2feaa0c55ad015' }, ['error secret-is-auth-token']],
    [{ ...RIGHT, TWILIO_API_SECRET: ` ${SECRET}` }, ['error secret-has-whitespace']],
    [{ ...RIGHT, TWILIO_API_SECRET: `${SECRET}\n` }, ['error secret-has-whitespace']],
    [{ ...RIGHT, TWILIO_API_SECRET: `"${SECRET}"` }, ['error invalid-setting']],
    [{ ...RIGHT, TWILIO_API_SECRET: 'short' }, ['warning invalid-setting']],
    [{ ...RIGHT, TWILIO_ACCOUNT_SID: KEY }, ['error subject-not-account']],
    [{ ...RIGHT, TWILIO_API_KEY: ACCOUNT }, ['error issuer-not-api-key']],
    [{ ...RIGHT, TWILIO_API_KEY: `${KEY} ` }, ['error issuer-not-api-key']],
    [{ ...RIGHT, TWILIO_CHAT_SERVICE_SID: `AP${'3'.repeat(32)}` }, ['error grant-invalid']],
    [{ ...RIGHT, TWILIO_SYNC_SERVICE_SID: 'IS123' }, ['error grant-invalid']],
    [{ ...RIGHT, TWILIO_TWIML_APP_SID: `IS${'3'.repeat(32)}` }, ['error grant-invalid']],
    [{ ...RIGHT, TWILIO_TASKROUTER_WORKSPACE_SID: `WK${'3'.repeat(32)}` }, ['error grant-invalid']],
    [{ ...RIGHT, TWILIO_REGION: 'IE1' }, ['error invalid-setting']],
    [{ ...RIGHT, TWILIO_REGION: 'dublin' }, ['error invalid-setting']],
    [{ ...RIGHT, TWILIO_EDGE: 'Dublin!' }, ['warning invalid-setting']],
    [{ ...RIGHT, TOKEN_TTL: '3600000' }, ['error ttl-in-milliseconds']],
    [{ ...RIGHT, TOKEN_TTL: '86400000' }, ['error ttl-in-milliseconds']],
    [{ ...RIGHT, TOKEN_TTL: '90001' }, ['error ttl-too-long']],
    [{ ...RIGHT, TOKEN_TTL: '1.5' }, ['error invalid-setting']],
    [{ ...RIGHT, TOKEN_TTL: '86400' }, []],
  ])('%j: %j', (env, expected) => {
    expect(found(env as Record<string, string>)).toEqual(expected);
  });

  it('names what a SID of the wrong kind is, and never echoes the secret', () => {
    const secret = '9f86d081884c7d659a2feaa0c55ad015';
    const { findings } = readServerSettings({ TWILIO_ACCOUNT_SID: KEY, TWILIO_API_KEY: ACCOUNT, TWILIO_API_SECRET: secret });
    expect(findings.map((finding) => finding.message)).toEqual([
      'TWILIO_ACCOUNT_SID must be your Account SID (AC and 32 hex digits), but it is an API key SID (SK…).',
      'TWILIO_API_KEY must be the SID of an API key (SK and 32 hex digits), but it is an Account SID (AC…).',
      expect.stringContaining('looks like the Account Auth Token'),
    ]);
    expect(JSON.stringify(findings)).not.toContain(secret);
  });
});
