// `twilio-token-lifecycle/doctor`: why a Twilio Access Token is (or would be) refused. WebCrypto and plain
// code only, no dependency: runs in browsers, Node 20+ and workerd. Load it lazily where refusals are
// rare: `const { explainTokenError } = await import('twilio-token-lifecycle/doctor')`.
import { diagnose } from './doctor/diagnose';
import { explainError } from './doctor/explain-token-error';
import type { DiagnoseContext, Diagnosis } from './doctor/types';

export { CLOCK_SKEW_MS, MAX_TTL_SECONDS } from './doctor/check-lifetime';
export { MAX_IDENTITY_LENGTH } from './doctor/check-identity';
export { describeTwilioCode, TWILIO_TOKEN_ERROR_CODES } from './doctor/twilio-codes';
export { twilioCodeOf } from './doctor/explain-token-error';

export type { TwilioTokenErrorCode } from './doctor/twilio-codes';
export type { DiagnoseContext, Diagnosis, Finding, FindingCode, Product, TokenSummary } from './doctor/types';

/**
 * Checks a Twilio Access Token offline and says, for a person, what would make Twilio refuse it: its
 * shape, header, issuer and subject, lifetime and clock, identity, the grant each SDK in
 * `context.products` needs, the region, and (with `context.apiSecret`) its signature. With
 * `context.twilioCode`, the code Twilio answered with is explained too: by a finding that leads to it,
 * else by a `twilio-rejected` finding naming what cannot be checked offline. Never throws; findings
 * never contain the token's signature or the secret. `ok` is true when no finding is an error.
 *
 * `token` may be anything: a JWT string, or this library's decoded `AccessToken` (its `jwt` is read); a
 * JSON text or other object holding a JWT is read on, with a `token-in-json` finding. Times: `now` (epoch ms) defaults to `Date.now()`; `nbf`/`iat` up to
 * {@link CLOCK_SKEW_MS} ahead of it are warnings, not errors.
 *
 * @example
 * ```ts
 * import { diagnoseAccessToken } from 'twilio-token-lifecycle/doctor';
 *
 * const { ok, findings } = await diagnoseAccessToken(jwt, {
 *   apiSecret: process.env.TWILIO_API_SECRET, // server side only: never ship a secret to a browser
 *   accountSid: 'AC0123456789abcdef0123456789abcdef',
 *   region: 'ie1',
 *   products: ['conversations', 'voice'],
 *   twilioCode: 20107, // if Twilio already refused it
 * });
 * for (const finding of findings) console.log(`${finding.severity} ${finding.code}: ${finding.message} ${finding.fix}`);
 * ```
 */
export function diagnoseAccessToken(token: unknown, context?: DiagnoseContext): Promise<Diagnosis> {
  return diagnose(token, context);
}

/**
 * Explains an error that refused a token: the library's `TokenError` with code `token-rejected` (the
 * Twilio code in `serverError.code`), or any error carrying a Twilio code (`code` or `errorCode`, as
 * the SDKs report it, also on a `cause`). Diagnoses `token` (else a token the error carries, if any)
 * with that code as `context.twilioCode`. Without a code, says so (`no-twilio-code`) and still
 * diagnoses the token. Never throws, never rejects.
 *
 * @example
 * ```ts
 * attachConversations(manager, client, {
 *   onError: async (error) => {
 *     if (error.code !== 'token-rejected') return;
 *     const { explainTokenError } = await import('twilio-token-lifecycle/doctor');
 *     const { findings } = await explainTokenError(error, manager.getState().token?.jwt, { products: ['conversations'] });
 *     console.warn(findings.map((finding) => finding.message).join('\n'));
 *   },
 * });
 * ```
 */
export function explainTokenError(error: unknown, token?: string, context?: DiagnoseContext): Promise<Diagnosis> {
  return explainError(error, token, context);
}
