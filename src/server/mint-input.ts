/**
 * Grants with Twilio's own keys and field names, as they appear in the token. Each grant's fields are
 * written in the `twilio` helper's order, whatever this object's; a falsy field (`undefined`, `null`,
 * `false`, `''`, `0`) is left out, as the helper leaves it out, and `voice.incoming` is written only
 * for `allow: true`. A field Twilio does not sign (`video: { foo }`, `chat: { serviceSid }`) is refused
 * with a `MintInputError` (`invalid-grants`) rather than dropped as the helper drops it: it is most
 * likely a typo, and the token would lack what it meant. `player` and `voice.outgoing.params` are free
 * form, but must be JSON (no BigInt, no cycles).
 */
export interface TwilioGrants {
  /** Conversations and Programmable Chat. */
  chat?: { service_sid?: string; endpoint_id?: string; deployment_role_sid?: string; push_credential_sid?: string };
  voice?: {
    incoming?: { allow: true };
    outgoing?: { application_sid: string; params?: Record<string, unknown> };
    push_credential_sid?: string;
    endpoint_id?: string;
  };
  /** `room` (a name or SID) restricts the token to that room. */
  video?: { room?: string };
  /** Sync. */
  data_sync?: { service_sid?: string; endpoint_id?: string };
  /** TaskRouter. */
  task_router?: { workspace_sid?: string; worker_sid?: string; role?: string };
  /** Twilio Live playback: the grant object exactly as Twilio's API returned it. */
  player?: Record<string, unknown>;
}

/** What {@link mintAccessToken} signs. */
export interface MintInput {
  /** Your Account SID, `AC…`. */
  accountSid: string;
  /** The SID of the API key that signs, `SK…` (a Standard or Main key). */
  apiKeySid: string;
  /** That API key's secret. Never send it to a browser or write it to a log. */
  apiSecret: string;
  /**
   * Who the token is for. Take it from your own session, never from the request body. Unicode NFC,
   * at most 121 characters, no spaces, control, format (zero-width, bidi), other invisible
   * (default-ignorable: variation selectors, Hangul fillers) or URI-reserved characters; with a `voice`
   * grant, only letters, digits and `_`.
   */
  identity: string;
  /** Lifetime in seconds, a whole number from 1 to 86,400 (24 h, Twilio's maximum). */
  ttlSeconds: number;
  /** The grants besides identity, written in this object's key order (each grant's fields in Twilio's). */
  grants: TwilioGrants;
  /** `nbf`, in epoch seconds: the token is not accepted before it. */
  notBefore?: number;
  /** The Twilio region, written as the header's `twr` (e.g. `us1`); `''` means none, as unset. */
  region?: string;
  /**
   * The signing time, epoch ms; the token's `iat` is this rounded down to seconds.
   * @default Date.now()
   */
  now?: number;
}

/** Twilio's maximum token lifetime, in seconds (24 h). */
export const MAX_TTL_SECONDS = 86_400;

/** The longest identity Twilio accepts, in characters. */
export const MAX_IDENTITY_LENGTH = 121;
