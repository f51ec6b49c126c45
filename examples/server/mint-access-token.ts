// The server signs with the library's own signer: on Node, `twilio-token-lifecycle/server` resolves to its
// node:crypto build (README, Signing: about 70× the `twilio` helper's tokens per second); at the edge, to
// its WebCrypto one.
export { mintAccessToken } from 'twilio-token-lifecycle/server';
export type { MintInput, TwilioGrants } from 'twilio-token-lifecycle/server';
