// @vitest-environment node
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT_SID, API_KEY_SID, API_SECRET, MINTED_AT, mintWithHelper, OTHER_SECRET } from './fixtures';

// The built entry, as published (`npm run build` first), run in Cloudflare's own runtime through miniflare:
// no compatibility flags, so nothing but the Workers platform (WebCrypto, atob, TextDecoder) is there.
const doctorFile = fileURLToPath(new URL('../../dist/doctor.js', import.meta.url));

const WORKER = `
import { diagnoseAccessToken, explainTokenError } from './doctor.js';
export default {
  async fetch(request) {
    const { token, context, error } = await request.json();
    const diagnosis = error ? await explainTokenError(error, token, context) : await diagnoseAccessToken(token, context);
    return Response.json(diagnosis);
  },
};`;

let worker: Miniflare;

beforeAll(async () => {
  if (!existsSync(doctorFile)) throw new Error('dist/doctor.js is missing: run `npm run build` first');
  worker = new Miniflare({
    modules: [
      { type: 'ESModule', path: 'worker.js', contents: WORKER },
      { type: 'ESModule', path: 'doctor.js', contents: readFileSync(doctorFile, 'utf8') },
    ],
    compatibilityDate: '2025-09-01',
  });
  await worker.ready;
}, 60_000);

afterAll(() => worker?.dispose());

const ask = async (body: unknown) => {
  const response = await worker.dispatchFetch('http://localhost/', { method: 'POST', body: JSON.stringify(body) });
  expect(response.status).toBe(200);
  return (await response.json()) as { ok: boolean; findings: { code: string; severity: string; twilioCodes: number[] }[]; summary?: object };
};
const errorCodes = (diagnosis: Awaited<ReturnType<typeof ask>>) => diagnosis.findings.filter((f) => f.severity === 'error').map((f) => f.code).sort();

describe('the doctor entry in workerd', () => {
  const context = { apiSecret: API_SECRET, accountSid: ACCOUNT_SID, apiKeySid: API_KEY_SID, products: ['video'], now: MINTED_AT + 60_000 };

  it('finds nothing wrong with a valid token, its signature checked on the Worker\'s WebCrypto', async () => {
    const diagnosis = await ask({ token: mintWithHelper({ at: MINTED_AT }), context });
    expect(diagnosis).toMatchObject({ ok: true, findings: [], summary: { identity: 'alice', accountSid: ACCOUNT_SID, region: 'us1', grants: ['video'] } });
  });

  it('finds a signature by another secret, a TTL in ms and a region mismatch', async () => {
    const token = mintWithHelper({ at: MINTED_AT, secret: OTHER_SECRET, ttl: 3_600_000, region: 'ie1' });
    const diagnosis = await ask({ token, context: { ...context, region: 'us1' } });
    expect(diagnosis.ok).toBe(false);
    expect(errorCodes(diagnosis)).toEqual(['region-mismatch', 'signature-mismatch', 'ttl-in-milliseconds']);
    expect(diagnosis.findings.find((f) => f.code === 'signature-mismatch')!.twilioCodes).toContain(20107);
  });

  it('checks HS512 too, and reads a whole JSON response', async () => {
    const token = mintWithHelper({ at: MINTED_AT, algorithm: 'HS512' });
    expect(errorCodes(await ask({ token: JSON.stringify({ token }), context }))).toEqual(['token-in-json']);
    expect(errorCodes(await ask({ token, context: { ...context, apiSecret: OTHER_SECRET } }))).toEqual(['signature-mismatch']);
  });

  it('explains a token-rejected error', async () => {
    const error = { name: 'TokenError', code: 'token-rejected', serverError: { code: '20107' } };
    expect(errorCodes(await ask({ error, token: mintWithHelper({ at: MINTED_AT }), context }))).toEqual(['twilio-rejected']);
  });
});
