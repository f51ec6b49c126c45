// The library's WebCrypto build, for comparing with the default signer under Node (which resolves the
// package name to the node:crypto build). Workers get this build from `twilio-token-lifecycle/server`.
export { mintAccessToken } from '../../src/server/mint-access-token-webcrypto';
export type { MintInput, TwilioGrants } from 'twilio-token-lifecycle/server';
