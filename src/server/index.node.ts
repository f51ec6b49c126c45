// `twilio-token-lifecycle/server` for Node (the `node` export condition): the API of `./index.ts`, signed
// with `node:crypto`. The two export lists must match (a test checks).
export { mintAccessToken } from './mint-access-token-node';
export { MintInputError, isMintInputError } from './mint-input-error';
export { MAX_IDENTITY_LENGTH, MAX_TTL_SECONDS } from './mint-input';
export { checkServerConfig } from './check-server-config-node';

export type { MintInputErrorCode } from './mint-input-error';
export type { MintInput, TwilioGrants } from './mint-input';
export type { CheckServerConfigOptions } from '../doctor/config-check';
export type { ServerEnv } from '../doctor/config-settings';
export type { Diagnosis, Finding, FindingCode } from '../doctor/types';
