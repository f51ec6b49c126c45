import type { TwilioGrants } from './mint-input';

// Each grant's fields in the order the `twilio` helper (6.x, `jwt/AccessToken.js`) writes them, whatever
// the caller's order: the same fields in another order would sign other bytes. Every field here is a
// string the helper writes only when it is set (truthy). Voice's `incoming` and `outgoing` are objects,
// written by their own rules below; `player` is Twilio's own object, written as it is.
export const GRANT_FIELDS = {
  chat: ['service_sid', 'endpoint_id', 'deployment_role_sid', 'push_credential_sid'],
  voice: ['incoming', 'outgoing', 'push_credential_sid', 'endpoint_id'],
  video: ['room'],
  data_sync: ['service_sid', 'endpoint_id'],
  task_router: ['workspace_sid', 'worker_sid', 'role'],
} as const;

export const OUTGOING_FIELDS = ['application_sid', 'params'] as const;
export const INCOMING_FIELDS = ['allow'] as const;

export type FieldedGrantKey = keyof typeof GRANT_FIELDS;
export const isFieldedGrant = (key: string): key is FieldedGrantKey => Object.hasOwn(GRANT_FIELDS, key);

type Fields = Record<string, unknown>;

// As the helper's VoiceGrant: `incoming` only for `allow === true`; `outgoing` only with an app, its
// `params` only when set.
function writeVoiceObject(field: string, value: unknown): unknown {
  if (field === 'incoming') return (value as { allow?: unknown } | null | undefined)?.allow === true ? { allow: true } : undefined;
  if (field !== 'outgoing' || !value) return value;
  const { application_sid, params } = value as { application_sid?: unknown; params?: unknown };
  if (!application_sid) return undefined;
  return params ? { application_sid, params } : { application_sid };
}

/** One grant as the helper writes it: its fields in the helper's order, each falsy one left out. */
function writeGrant(key: FieldedGrantKey, grant: Fields): Fields {
  const written: Fields = {};
  for (const field of GRANT_FIELDS[key]) {
    const value = key === 'voice' ? writeVoiceObject(field, grant[field]) : grant[field];
    if (value) written[field] = value;
  }
  return written;
}

/**
 * The grants as the helper writes them, in the caller's grant order (the helper's is the order of its
 * `addGrant` calls). Expects input that `checkGrants` passed. Pure.
 */
export function writeGrants(grants: TwilioGrants): Fields {
  const written: Fields = {};
  for (const [key, grant] of Object.entries(grants) as Array<[string, Fields | undefined]>) {
    if (grant === undefined) continue;
    written[key] = isFieldedGrant(key) ? writeGrant(key, grant) : grant;
  }
  return written;
}
