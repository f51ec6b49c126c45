import { isObject } from './describe';
import { diagnose } from './diagnose';
import { explainTwilioCode } from './explain-twilio-code';
import { warning } from './finding';
import type { DiagnoseContext, Diagnosis } from './types';

const MAX_DEPTH = 5;

/** A Twilio error code: a whole number of 5 digits, or a string of one (`serverError.code` is a string). */
function asTwilioCode(value: unknown): number | undefined {
  const code = typeof value === 'string' && /^\d{5}$/.test(value) ? Number(value) : value;
  return typeof code === 'number' && Number.isInteger(code) && code >= 10_000 && code <= 99_999 ? code : undefined;
}

/**
 * The Twilio code an error carries: a `TokenError`'s `serverError.code` (the adapters' `token-rejected`),
 * an SDK error's `code` (twilio-video, Voice) or `errorCode` (twilsock's connectionError), else its
 * `cause`'s, a few levels down.
 */
export function twilioCodeOf(error: unknown, depth = 0): number | undefined {
  if (!isObject(error) && !(error instanceof Error)) return undefined;
  const record = error as Record<string, unknown>;
  const serverError = isObject(record.serverError) ? record.serverError : {};
  for (const value of [serverError.code, record.code, record.errorCode, record.twilioCode]) {
    const code = asTwilioCode(value);
    if (code !== undefined) return code;
  }
  return depth < MAX_DEPTH ? twilioCodeOf(record.cause, depth + 1) : undefined;
}

/** A token string the error itself carries (`token` or `jwt`, on it or a cause), if any. */
function tokenOf(error: unknown, depth = 0): string | undefined {
  if (!isObject(error) && !(error instanceof Error)) return undefined;
  const record = error as Record<string, unknown>;
  for (const value of [record.token, record.jwt]) if (typeof value === 'string' && value !== '') return value;
  return depth < MAX_DEPTH ? tokenOf(record.cause, depth + 1) : undefined;
}

/** Names what kind of error it is, for a person, without quoting its message (which may hold anything). */
function kindOf(error: unknown): string {
  if (!isObject(error) && !(error instanceof Error)) return error === undefined || error === null ? 'nothing' : `a ${typeof error}`;
  const { name, code } = error as { name?: unknown; code?: unknown };
  const label = typeof name === 'string' && /^[\w$.-]{1,40}$/.test(name) ? name : 'an error';
  return typeof code === 'string' && /^[\w-]{1,40}$/.test(code) ? `${label} with code "${code}"` : label;
}

/** See `explainTokenError` in the entry (src/doctor.ts). Never throws. */
export async function explainError(error: unknown, token?: unknown, context?: DiagnoseContext): Promise<Diagnosis> {
  try {
    const twilioCode = twilioCodeOf(error);
    const jwt = token ?? tokenOf(error);
    const base = isObject(context) ? context : {};
    if (jwt !== undefined) {
      const diagnosis = await diagnose(jwt, { ...base, ...(twilioCode === undefined ? {} : { twilioCode }) });
      if (twilioCode !== undefined) return diagnosis;
      const noCode = warning('no-twilio-code', `This error (${kindOf(error)}) carries no Twilio error code: it did not come from Twilio refusing the token.`, 'Look at the error itself (a TokenError\'s code says what failed: network, http, unauthorized …); the token\'s own findings are listed here.');
      return { ...diagnosis, findings: [noCode, ...diagnosis.findings] };
    }
    if (twilioCode === undefined) {
      return {
        ok: true,
        findings: [warning('no-twilio-code', `This error (${kindOf(error)}) carries no Twilio error code, and no token was given: there is nothing to explain as a refusal.`, 'Pass the error Twilio\'s SDK reported (or the library\'s token-rejected TokenError), and the token: explainTokenError(error, token).')],
      };
    }
    const findings = explainTwilioCode(twilioCode, [], { token: true, signature: false, account: false, key: false, region: false, products: false });
    return { ok: false, findings };
  } catch {
    return { ok: true, findings: [warning('no-twilio-code', 'This error could not be read.', 'Pass the error the SDK reported and the token.')] };
  }
}
