/** The Twilio client SDKs whose grants the doctor knows. */
export type Product = 'conversations' | 'chat' | 'sync' | 'voice' | 'video' | 'taskrouter';

/** What the doctor may check a token against. Every field is optional: it checks what it is given. */
export interface DiagnoseContext {
  /** The API key secret the token should be signed with: enables `signature-mismatch`, `secret-is-auth-token` and `secret-has-whitespace`. Server side only: never send a secret to a browser. */
  apiSecret?: string;
  /** The Account SID (`AC…`) the token should be for. */
  accountSid?: string;
  /** The API key SID (`SK…`) that should have signed it. */
  apiKeySid?: string;
  /** The expected Twilio region, e.g. `'ie1'`. A token without `twr` is taken as `us1`. */
  region?: string;
  /** The SDKs the token will be handed to: each needs its grant (and an identity). */
  products?: Product[];
  /** Epoch ms of the checking clock. @default Date.now() */
  now?: number;
  /** The error code Twilio answered with, if any (e.g. 20107; a string of digits is read too). */
  twilioCode?: number;
}

/** A stable name for one thing found wrong. A contract: codes are added, never renamed. */
export type FindingCode =
  | 'not-a-token'
  | 'token-in-json'
  | 'bad-header'
  | 'issuer-not-api-key'
  | 'subject-not-account'
  | 'account-mismatch'
  | 'key-mismatch'
  | 'signature-mismatch'
  | 'secret-is-auth-token'
  | 'ttl-too-long'
  | 'ttl-in-milliseconds'
  | 'expired'
  | 'not-yet-valid'
  | 'missing-identity'
  | 'identity-invalid'
  | 'missing-grant'
  | 'grant-invalid'
  | 'region-mismatch'
  | 'twilio-rejected'
  // Added beyond the list:
  /** `iat`/`exp`/`nbf`/`grants` missing or not of the type Twilio reads (e.g. `iat` in ms alone). */
  | 'bad-claims'
  /** Warning: `iat` is ahead of the checking clock by more than the skew allowance (a fast minting clock). */
  | 'issued-in-future'
  /** Warning: `apiSecret` was given but this runtime has no WebCrypto (`crypto.subtle`, e.g. an http:// page). */
  | 'signature-not-checked'
  /** Warning from `explainTokenError`: the error carries no Twilio error code, so Twilio did not refuse the token. */
  | 'no-twilio-code'
  /** `apiSecret` has white space around it (a line break from a .env file): the key's real secret has none. */
  | 'secret-has-whitespace';

/** One thing the doctor found, written for a person. Never holds a token's signature or a secret. */
export interface Finding {
  code: FindingCode;
  severity: 'error' | 'warning';
  /** What is wrong, in words. */
  message: string;
  /** What to do about it. */
  fix: string;
  /** The Twilio error codes this leads to (empty for a warning that leads to none). */
  twilioCodes: number[];
}

/** What the doctor read from the token, for a person to compare with what they expected. */
export interface TokenSummary {
  /** `grants.identity`, when it is a string. */
  identity?: string;
  /** `sub`, when it is SID-shaped (anything else is not repeated: it might be a secret). */
  accountSid?: string;
  /** `iss`, when it is SID-shaped. */
  apiKeySid?: string;
  /** The header's `twr`, or `'us1'` without one. */
  region: string;
  /** The header's `alg`, when it is a string. */
  algorithm?: string;
  /** `iat`, `nbf` and `exp` in epoch ms, when they are numbers (as written: ms-written times stay as they are ×1000). */
  issuedAt?: number;
  notBefore?: number;
  expiresAt?: number;
  /** The keys of `grants` other than `identity`, e.g. `['chat', 'video']`. */
  grants: string[];
}

/** The doctor's answer. `ok` is true when no finding has severity `'error'`. */
export interface Diagnosis {
  ok: boolean;
  findings: Finding[];
  /** What was read from the token; absent when no JWT could be read. */
  summary?: TokenSummary;
}
