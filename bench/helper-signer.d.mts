import type { MintInput } from '../src/server/mint-input';

/** The token `twilio-token-lifecycle/server` mints, signed instead by Twilio's helper library. */
export function mintWithHelper(input: MintInput): string;
