// @vitest-environment node
import { afterEach, describe, expect, it, vi } from 'vitest';
import { diagnoseAccessToken, explainTokenError, TWILIO_TOKEN_ERROR_CODES, type Diagnosis, type FindingCode } from 'twilio-token-lifecycle/doctor';
import { API_SECRET, AUTH_TOKEN, OTHER_SECRET } from './fixtures';
import { CORPUS, type CorpusCase } from './corpus';

// Every code of the contract (src/doctor/types.ts), written out so a new one must be added here too.
const EVERY_FINDING_CODE: FindingCode[] = [
  'not-a-token', 'token-in-json', 'bad-header', 'issuer-not-api-key', 'subject-not-account', 'account-mismatch',
  'key-mismatch', 'signature-mismatch', 'secret-is-auth-token', 'ttl-too-long', 'ttl-in-milliseconds', 'expired',
  'not-yet-valid', 'missing-identity', 'identity-invalid', 'missing-grant', 'grant-invalid', 'region-mismatch',
  'twilio-rejected', 'bad-claims', 'issued-in-future', 'signature-not-checked', 'no-twilio-code', 'secret-has-whitespace',
];

async function run(entry: CorpusCase): Promise<Diagnosis> {
  if (entry.withoutWebCrypto) vi.stubGlobal('crypto', undefined);
  try {
    return entry.error === undefined
      ? await diagnoseAccessToken(entry.input, entry.context)
      : await explainTokenError(entry.error, entry.input as string, entry.context);
  } finally {
    vi.unstubAllGlobals();
  }
}

const codes = (diagnosis: Diagnosis, severity: 'error' | 'warning') =>
  [...new Set(diagnosis.findings.filter((finding) => finding.severity === severity).map((finding) => finding.code))].sort();

afterEach(() => vi.unstubAllGlobals());

describe('the doctor on a corpus of broken tokens', () => {
  it('holds at least 20 broken tokens, made from valid ones, and covers every finding code', () => {
    expect(CORPUS.filter((entry) => entry.errors.length > 0).length).toBeGreaterThanOrEqual(20);
    const covered = new Set(CORPUS.flatMap((entry) => [...entry.errors, ...(entry.warnings ?? [])]));
    expect([...covered].sort()).toEqual([...EVERY_FINDING_CODE].sort());
  });

  it.each(CORPUS.map((entry) => [entry.name, entry] as const))('%s', async (_name, entry) => {
    const diagnosis = await run(entry);
    expect(codes(diagnosis, 'error')).toEqual([...new Set(entry.errors)].sort());
    if (entry.warnings !== undefined) expect(codes(diagnosis, 'warning')).toEqual([...new Set(entry.warnings)].sort());
    expect(diagnosis.ok).toBe(entry.errors.length === 0);
    for (const finding of diagnosis.findings) {
      expect(finding.message.length, finding.code).toBeGreaterThan(20);
      expect(finding.fix.length, finding.code).toBeGreaterThan(10);
      // An error names the Twilio codes it leads to; a warning none, unless Twilio's refusal raised it.
      if (finding.severity === 'warning') expect(finding.twilioCodes).toEqual([]);
      else expect(finding.twilioCodes.length, finding.code).toBeGreaterThan(0);
    }
  });

  it('each error finding lists the codes of the table that name it, and twilio-rejected the code Twilio gave', async () => {
    for (const entry of CORPUS) {
      for (const finding of (await run(entry)).findings.filter((f) => f.severity === 'error')) {
        const expected = finding.code === 'twilio-rejected' ? [entry.context.twilioCode] : TWILIO_TOKEN_ERROR_CODES.filter((row) => row.findings.includes(finding.code)).map((row) => row.code);
        expect(finding.twilioCodes, `${entry.name}: ${finding.code}`).toEqual(expected);
      }
    }
  });

  it('never puts a token\'s signature, a secret or a whole token in a finding', async () => {
    const secrets = [API_SECRET, AUTH_TOKEN, OTHER_SECRET];
    let checked = 0;
    for (const entry of CORPUS) {
      const texts = (await run(entry)).findings.flatMap((finding) => [finding.message, finding.fix]);
      const jwts = [entry.jwt, typeof entry.input === 'string' ? entry.input : undefined].filter((jwt): jwt is string => !!jwt);
      const forbidden = [...secrets, ...(entry.context.apiSecret ? [entry.context.apiSecret] : []), ...jwts, ...jwts.map((jwt) => jwt.split('.')[2]).filter((sig): sig is string => !!sig && sig.length > 8)];
      for (const text of texts) {
        checked++;
        for (const value of forbidden) expect(text, entry.name).not.toContain(value.trim());
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('never throws, whatever it is given', async () => {
    const odd: unknown[] = [null, 0, 1n, Symbol('x'), () => 1, [], [[['eyJ']]], '...', '.', 'eyJ.eyJ.', Object.create(null), new Proxy({}, { get: () => { throw new Error('boom'); } })];
    for (const input of odd) {
      for (const context of [undefined, null, 'ctx', { now: Number.NaN, products: 'video', apiSecret: 3, twilioCode: '20107' }]) {
        const diagnosis = await diagnoseAccessToken(input, context as never);
        expect(diagnosis.ok).toBe(false);
        expect(diagnosis.findings.map((finding) => finding.code)).toContain('not-a-token');
      }
    }
  });
});
