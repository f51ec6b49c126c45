/**
 * Findings about a token server's configuration and what Twilio's REST API answered about it: from
 * `checkServerConfig` (`twilio-token-lifecycle/server`) and `npx twilio-token-lifecycle doctor`. Each is
 * explained in docs/guide/doctor-cli.md (a test keeps it so). Added to, never renamed.
 */
export type ConfigFindingCode =
  /** A required environment variable is not set. */
  | 'missing-setting'
  /** A setting has a value that cannot work (a region in upper case, quotes around the secret, a TTL that is no number). */
  | 'invalid-setting'
  /** Twilio answered 401 (code 20003): the key and secret do not authenticate for that account in that region. */
  | 'credentials-refused'
  /** A configured Conversations, Chat or Sync service does not exist for that account and region (404). */
  | 'service-not-found'
  /** The configured TwiML app does not exist for that account and region (404). */
  | 'application-not-found'
  /** The configured TaskRouter workspace does not exist for that account and region (404). */
  | 'workspace-not-found'
  /** Warning: Twilio's REST API could not be reached (DNS, connection, timeout); that check was not made. */
  | 'network-error'
  /** Warning: Twilio answered 403, 429 or 5xx; nothing was proved either way. */
  | 'online-check-failed';
