// `twilio-token-lifecycle/server`, the WebCrypto build: Cloudflare Workers, Vercel Edge, Deno, Bun and any
// runtime with `crypto.subtle`. Node resolves `./index.node.ts` instead (the `node` export condition):
// the same API on `node:crypto`. The two export lists must match (a test checks).
export { mintAccessToken } from './mint-access-token-webcrypto';
export { MintInputError, isMintInputError } from './mint-input-error';
export { MAX_IDENTITY_LENGTH, MAX_TTL_SECONDS } from './mint-input';
export { checkServerConfig } from './check-server-config';

export type { MintInputErrorCode } from './mint-input-error';
export type { MintInput, TwilioGrants } from './mint-input';
export type { CheckServerConfigOptions } from '../doctor/config-check';
export type { ServerEnv } from '../doctor/config-settings';
export type { Diagnosis, Finding, FindingCode } from '../doctor/types';
