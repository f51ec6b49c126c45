import { jwtVerify } from 'jose';

export const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
export const API_KEY_SID = 'SK0123456789abcdef0123456789abcdef';
export const API_SECRET = 'recipe-api-secret-that-must-never-leak';
export const SESSION_SECRET = 'recipe-session-secret-0123456789abcdef';

/** Checks the token's signature with the API secret, as Twilio does, and returns its grants. */
export async function verifiedGrants(token: string): Promise<unknown> {
  const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(API_SECRET), {
    algorithms: ['HS256'],
    issuer: API_KEY_SID,
    subject: ACCOUNT_SID,
  });
  expectTwilioHeader(protectedHeader.cty);
  return payload.grants;
}

function expectTwilioHeader(cty: unknown) {
  if (cty !== 'twilio-fpa;v=1') throw new Error(`not a Twilio Access Token header: cty ${String(cty)}`);
}

/** A JSON error answer `{ error: { code, message } }`, never an HTML page or a stack trace. */
export async function jsonError(response: Response): Promise<{ status: number; code: string; message: string; text: string }> {
  const text = await response.text();
  if (!(response.headers.get('content-type') ?? '').includes('application/json')) throw new Error(`not JSON: ${text.slice(0, 200)}`);
  const { error } = JSON.parse(text) as { error: { code: string; message: string } };
  return { status: response.status, code: error.code, message: error.message, text };
}
