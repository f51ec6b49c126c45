import type { FindingCode } from './types';

/** One error code Twilio answers a refused Access Token with, and the findings that explain it. */
export interface TwilioTokenErrorCode {
  readonly code: number;
  /** What Twilio documents the code to mean, in a few words. */
  readonly meaning: string;
  /** The doctor's findings that lead to this code (any one of them explains it). */
  readonly findings: readonly FindingCode[];
}

// Groups that recur: a wrong key/secret/account is invisible in the token's shape, only in its signature.
const WRONG_CREDENTIALS: FindingCode[] = ['signature-mismatch', 'secret-is-auth-token', 'secret-has-whitespace', 'key-mismatch', 'account-mismatch'];
const WRONG_ISSUER: FindingCode[] = ['issuer-not-api-key', 'subject-not-account', 'account-mismatch', 'key-mismatch', 'region-mismatch'];
const NOT_A_JWT: FindingCode[] = ['not-a-token', 'token-in-json'];
const BAD_GRANTS: FindingCode[] = ['missing-grant', 'grant-invalid', 'missing-identity', 'identity-invalid', 'bad-claims'];
const TOO_LONG: FindingCode[] = ['ttl-too-long', 'ttl-in-milliseconds'];

/**
 * The error codes Twilio documents for refused Access Tokens (its error pages, 2026), each with its
 * meaning and the findings that explain it. 20158 is left out: Twilio's pages document no meaning for it.
 * 20003 is the REST API's answer to a wrong key, secret, account or region (what an online check sees).
 */
export const TWILIO_TOKEN_ERROR_CODES: readonly TwilioTokenErrorCode[] = [
  { code: 20003, meaning: 'Authentication failed on the REST API: wrong API key, secret or account, a deleted key, a suspended account, or a key of another region', findings: [...WRONG_CREDENTIALS, 'region-mismatch'] },
  { code: 20101, meaning: 'Invalid Access Token: not a Twilio token (header typ JWT, alg HS256, cty twilio-fpa;v=1; iss the API key SID, sub the Account SID; grants per SDK)', findings: [...NOT_A_JWT, 'bad-header', 'bad-claims', 'issuer-not-api-key', 'subject-not-account', 'missing-identity', 'identity-invalid', 'region-mismatch'] },
  { code: 20102, meaning: 'Invalid Access Token header', findings: ['bad-header'] },
  { code: 20103, meaning: 'Invalid issuer or subject: wrong Account SID, a key that is wrong, deleted or not of that account, or an inactive or suspended account', findings: WRONG_ISSUER },
  { code: 20104, meaning: 'Access Token expired, its exp invalid, or beyond the 24 h maximum', findings: ['expired', ...TOO_LONG, 'bad-claims'] },
  { code: 20105, meaning: 'Access Token not yet valid: nbf in the future (clock drift)', findings: ['not-yet-valid'] },
  { code: 20106, meaning: 'Signature and issuer valid, but the grants are invalid, unparseable or insufficient', findings: BAD_GRANTS },
  { code: 20107, meaning: 'Invalid signature: wrong key SID or secret (the API secret is not the Account Auth Token)', findings: WRONG_CREDENTIALS },
  { code: 20151, meaning: 'Authentication failed: header, iss/sub, claim set or times invalid', findings: [...WRONG_CREDENTIALS, 'issuer-not-api-key', 'subject-not-account', 'region-mismatch', 'bad-header', 'bad-claims', 'expired', ...TOO_LONG] },
  { code: 20152, meaning: 'Invalid JWT header', findings: ['bad-header', ...NOT_A_JWT] },
  { code: 20153, meaning: 'Invalid issuer or subject: missing, suspended, or a key not related to the account', findings: WRONG_ISSUER },
  { code: 20154, meaning: 'Invalid claim set', findings: ['bad-claims', 'missing-identity', 'identity-invalid', 'grant-invalid'] },
  { code: 20155, meaning: 'nbf in the future: the minting system\u2019s clock is wrong', findings: ['not-yet-valid'] },
  { code: 20156, meaning: 'Expired or invalid expiration: the minting system\u2019s clock is wrong, or exp is not a valid time', findings: ['expired', 'bad-claims'] },
  { code: 20157, meaning: 'Expiration exceeds the 24 h maximum (Twilio names a ttl written in milliseconds as a cause)', findings: TOO_LONG },
  { code: 20159, meaning: 'Invalid signature', findings: WRONG_CREDENTIALS },
  { code: 20160, meaning: 'Not a valid JWT, a wrong key or secret, or a restricted API key (not supported)', findings: [...NOT_A_JWT, 'bad-header', ...WRONG_CREDENTIALS] },
  { code: 51007, meaning: 'Voice: token authentication rejected by the authentication service', findings: [...NOT_A_JWT, 'bad-header', 'bad-claims', ...WRONG_CREDENTIALS, 'issuer-not-api-key', 'subject-not-account', 'region-mismatch', 'expired', 'not-yet-valid', ...TOO_LONG, 'missing-grant', 'grant-invalid', 'missing-identity', 'identity-invalid'] },
  { code: 51114, meaning: 'Twilsock: invalid Access Token header', findings: ['bad-header', ...NOT_A_JWT] },
  { code: 51115, meaning: 'Twilsock: invalid Access Token subject', findings: ['subject-not-account', 'account-mismatch'] },
  { code: 51116, meaning: 'Twilsock: invalid Access Token grants', findings: BAD_GRANTS },
  { code: 51117, meaning: 'Twilsock: invalid Access Token signature', findings: WRONG_CREDENTIALS },
  { code: 51118, meaning: 'Twilsock: invalid claim set', findings: ['bad-claims', 'issuer-not-api-key', 'subject-not-account', 'missing-identity', 'identity-invalid'] },
  { code: 51119, meaning: 'Twilsock: token expired', findings: ['expired'] },
  { code: 51120, meaning: 'Twilsock: token not valid yet', findings: ['not-yet-valid'] },
  { code: 51121, meaning: 'Twilsock: token expiration time exceeds the maximum', findings: TOO_LONG },
];

const byCode = new Map(TWILIO_TOKEN_ERROR_CODES.map((entry) => [entry.code, entry]));

/** The table's entry for a Twilio error code, or `undefined` for one the doctor does not know. */
export const describeTwilioCode = (code: number): TwilioTokenErrorCode | undefined => byCode.get(code);

/** The Twilio codes a finding leads to: every code whose entry lists it (the table is the one source). */
export const twilioCodesLeadingTo = (finding: FindingCode): number[] =>
  TWILIO_TOKEN_ERROR_CODES.filter((entry) => entry.findings.includes(finding)).map((entry) => entry.code);
