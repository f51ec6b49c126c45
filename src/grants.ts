/** `chat` grant: Conversations and Programmable Chat. */
export interface ChatGrant {
  service_sid?: string;
  endpoint_id?: string;
  deployment_role_sid?: string;
  push_credential_sid?: string;
}

/** `voice` grant: the Voice SDK's `Device`. */
export interface VoiceGrant {
  incoming?: { allow: boolean };
  outgoing?: { application_sid: string; params?: Record<string, unknown> };
  push_credential_sid?: string;
  endpoint_id?: string;
}

/** `video` grant; `room` restricts the token to one room (name or SID). */
export interface VideoGrant {
  room?: string;
}

/** `data_sync` grant: the Sync SDK. */
export interface SyncGrant {
  service_sid?: string;
  endpoint_id?: string;
}

/** `task_router` grant. */
export interface TaskRouterGrant {
  workspace_sid?: string;
  worker_sid?: string;
  role?: string;
}

/**
 * The `grants` claim with Twilio's own keys. `sync` is the same object as `data_sync`, under a
 * friendlier name; grants this library does not know are kept as they are.
 */
export interface AccessTokenGrants {
  identity?: string;
  chat?: ChatGrant;
  voice?: VoiceGrant;
  video?: VideoGrant;
  data_sync?: SyncGrant;
  sync?: SyncGrant;
  task_router?: TaskRouterGrant;
  player?: unknown;
  [grant: string]: unknown;
}
