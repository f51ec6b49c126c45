// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { parseAccessToken, TokenError } from 'twilio-token-lifecycle';
import { diagnoseAccessToken, explainTokenError, twilioCodeOf, type FindingCode } from 'twilio-token-lifecycle/doctor';
import { ACCOUNT_SID, API_KEY_SID, API_SECRET, IAT, MINTED_AT, mintWithHelper, OTHER_SECRET } from './fixtures';

// As the adapters report a refusal: code token-rejected, Twilio's code in serverError.code (a string).
const rejected = (code: number, cause?: unknown) =>
  new TokenError('token-rejected', `The SDK's server refused the token (${code})`, { serverError: { code: `${code}` }, retryable: true, cause });
const now = MINTED_AT + 60_000;
const context = { apiSecret: API_SECRET, accountSid: ACCOUNT_SID, apiKeySid: API_KEY_SID, products: ['video' as const], now };
const valid = mintWithHelper({ at: MINTED_AT });
const wrongSecret = mintWithHelper({ at: MINTED_AT, secret: OTHER_SECRET });
const expiredToken = mintWithHelper({ at: MINTED_AT, ttl: 30 });
const noVideoGrant = mintWithHelper({ at: MINTED_AT, grants: { sync: {} } });

const errorCodes = async (...args: Parameters<typeof explainTokenError>) => {
  const diagnosis = await explainTokenError(...args);
  expect(diagnosis.ok).toBe(!diagnosis.findings.some((finding) => finding.severity === 'error'));
  return diagnosis.findings.map((finding): [FindingCode, string] => [finding.code, finding.severity]);
};

describe('explainTokenError', () => {
  it.each([
    ['20107 with a token signed by another secret', rejected(20107), wrongSecret, [['signature-mismatch', 'error']]],
    ['20107 with a token the doctor finds right', rejected(20107), valid, [['twilio-rejected', 'error']]],
    ['20104 with an expired token', rejected(20104), expiredToken, [['expired', 'error']]],
    ['20104 with a token valid by this clock', rejected(20104), valid, [['twilio-rejected', 'error']]],
    ['20106 with a token lacking the video grant', rejected(20106), noVideoGrant, [['missing-grant', 'error']]],
    ['51007 (Voice) with a token signed by another secret', rejected(51007), wrongSecret, [['signature-mismatch', 'error']]],
    ['51007 with a token the doctor finds right', rejected(51007), valid, [['twilio-rejected', 'error']]],
    ['a twilio-video error (numeric code) with an expired token', Object.assign(new Error('Access Token expired'), { code: 20104 }), expiredToken, [['expired', 'error']]],
    ['twilsock\'s connectionError ({ errorCode }) as a cause', new TokenError('token-rejected', 'refused', { cause: { errorCode: 51117 } }), wrongSecret, [['signature-mismatch', 'error']]],
    ['a code the doctor does not know', { code: 12345 }, valid, [['twilio-rejected', 'error']]],
    ['a network TokenError: no Twilio code', new TokenError('network', 'Failed to fetch'), valid, [['no-twilio-code', 'warning']]],
    ['a network TokenError and an expired token', new TokenError('network', 'Failed to fetch'), expiredToken, [['no-twilio-code', 'warning'], ['expired', 'error']]],
  ] as const)('%s', async (_name, error, token, expected) => {
    // The adapters' code, over the token's own `now`: 20104 means expired by Twilio's clock.
    const at = token === expiredToken ? (IAT + 40) * 1000 : now;
    expect(await errorCodes(error, token, { ...context, now: at })).toEqual(expected);
  });

  it('without a token, explains the code alone and says the token was not checked', async () => {
    const { ok, findings } = await explainTokenError(rejected(20106));
    expect(ok).toBe(false);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ code: 'twilio-rejected', severity: 'error', twilioCodes: [20106] });
    expect(findings[0]!.message).toContain('grants are invalid');
    expect(findings[0]!.message).toContain('Conversations service SID in data_sync');
    expect(findings[0]!.message).toContain('the token itself (pass it)');
    for (const cause of ['deleted', 'Restricted', 'sub-account', 'suspended', 'test credentials']) expect(findings[0]!.message).toContain(cause);
  });

  it('reads context.twilioCode given as a string of digits, as serverError.code carries it', async () => {
    const { findings } = await diagnoseAccessToken(valid, { ...context, twilioCode: '20107' as unknown as number });
    expect(findings.map((finding) => [finding.code, finding.twilioCodes])).toEqual([['twilio-rejected', [20107]]]);
  });

  it('takes the library\'s decoded AccessToken (manager.getState().token) as the token itself', async () => {
    const token = parseAccessToken(wrongSecret);
    expect(await errorCodes(rejected(20107), token as unknown as string, context)).toEqual([['signature-mismatch', 'error']]);
    expect((await diagnoseAccessToken(token, context)).findings.map((finding) => finding.code)).toEqual(['signature-mismatch']);
  });

  it('uses a token the error carries when none is given', async () => {
    const error = Object.assign(new Error('refused'), { code: 20107, token: wrongSecret });
    expect(await errorCodes(error, undefined, context)).toEqual([['signature-mismatch', 'error']]);
  });

  it('never throws, for anything thrown', async () => {
    const hostile = new Proxy({}, { get: () => { throw new Error('boom'); }, getPrototypeOf: () => { throw new Error('boom'); } });
    for (const error of [undefined, null, 'string', 42, Symbol('s'), [], new Error('plain'), hostile, { code: '2010' }, { code: 'token-rejected' }]) {
      const diagnosis = await explainTokenError(error, undefined);
      expect(diagnosis.findings.map((finding) => finding.code)).toEqual(['no-twilio-code']);
      expect(diagnosis.ok).toBe(true);
    }
  });

  it('reads the Twilio code wherever SDKs and the library put it', () => {
    expect(twilioCodeOf(rejected(20107))).toBe(20107);
    expect(twilioCodeOf({ code: 20104 })).toBe(20104);
    expect(twilioCodeOf({ errorCode: '51007' })).toBe(51007);
    expect(twilioCodeOf(new TokenError('update-failed', 'x', { cause: { code: 20101 } }))).toBe(20101);
    expect(twilioCodeOf(new TokenError('http', 'x', { status: 401 }))).toBeUndefined();
    expect(twilioCodeOf({ code: 401 })).toBeUndefined();
  });
});
