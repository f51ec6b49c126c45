// @vitest-environment node
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT_SID, API_KEY_SID, API_SECRET, MINTED_AT, mintWithHelper, OTHER_SECRET } from '../doctor/fixtures';
import { hasChromium, launchChromium } from './chromium';

// The built entry, as published (`npm run build` first), imported by a real page from a local server:
// 127.0.0.1 is a secure context, so the page has WebCrypto, as an https:// app has.
const doctorFile = fileURLToPath(new URL('../../dist/doctor.js', import.meta.url));

describe.runIf(hasChromium)('the doctor entry in Chromium', () => {
  let server: Server;
  let origin: string;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  const problems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(doctorFile)) throw new Error('dist/doctor.js is missing: run `npm run build` first');
    const doctor = readFileSync(doctorFile, 'utf8');
    server = createServer((request, response) => {
      if (request.url === '/doctor.js') {
        response.writeHead(200, { 'Content-Type': 'text/javascript' }).end(doctor);
      } else {
        response.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>doctor</title><p>doctor</p>');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  /** Imports the entry in the page (lazily, as an app would) and diagnoses there. */
  const inPage = async (token: unknown, context: object, error?: unknown) => {
    const page = await browser.context.newPage();
    page.on('pageerror', (failure) => problems.push(failure.message));
    try {
      await page.goto(`${origin}/`);
      // A string, not a function: vitest would rewrite a function's import() for Node.
      const script = `(async ({ token, context, error }) => {
        const doctor = await import('/doctor.js');
        const diagnosis = error ? await doctor.explainTokenError(error, token, context) : await doctor.diagnoseAccessToken(token, context);
        return { hasSubtle: typeof crypto.subtle?.sign === 'function', diagnosis };
      })(${JSON.stringify({ token, context, error })})`;
      return (await page.evaluate(script)) as { hasSubtle: boolean; diagnosis: { ok: boolean; findings: { code: string; severity: string; message: string }[]; summary?: object } };
    } finally {
      await page.close();
    }
  };
  const errorCodes = (findings: { code: string; severity: string }[]) => findings.filter((f) => f.severity === 'error').map((f) => f.code).sort();
  const context = { apiSecret: API_SECRET, accountSid: ACCOUNT_SID, apiKeySid: API_KEY_SID, products: ['video'], now: MINTED_AT + 60_000 };

  it('finds nothing wrong with a valid token, its signature checked on the page\'s WebCrypto', async () => {
    const { hasSubtle, diagnosis } = await inPage(mintWithHelper({ at: MINTED_AT }), context);
    expect(hasSubtle).toBe(true);
    expect(diagnosis).toMatchObject({ ok: true, findings: [], summary: { identity: 'alice', apiKeySid: API_KEY_SID, region: 'us1', grants: ['video'] } });
  }, 60_000);

  it('finds a signature by another secret, an identity with U+200B and a missing chat grant', async () => {
    const token = mintWithHelper({ at: MINTED_AT, secret: OTHER_SECRET, identity: 'alice\u200b' });
    const { diagnosis } = await inPage(token, { ...context, products: ['video', 'conversations'] });
    expect(diagnosis.ok).toBe(false);
    expect(errorCodes(diagnosis.findings)).toEqual(['identity-invalid', 'missing-grant', 'signature-mismatch']);
    // Read for a person, and without the secret or the signature.
    const text = diagnosis.findings.map((f) => f.message).join('\n');
    expect(text).toContain('U+200B');
    expect(text).not.toContain(API_SECRET);
    expect(text).not.toContain(token.split('.')[2]!);
  }, 60_000);

  it('explains a token-rejected error for an expired token', async () => {
    const token = mintWithHelper({ at: MINTED_AT, ttl: 30 });
    const error = { name: 'TokenError', code: 'token-rejected', serverError: { code: '20104' } };
    const { diagnosis } = await inPage(token, { ...context, now: MINTED_AT + 40_000 }, error);
    expect(errorCodes(diagnosis.findings)).toEqual(['expired']);
    expect(problems).toEqual([]);
  }, 60_000);
});
