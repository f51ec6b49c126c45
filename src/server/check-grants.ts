import { GRANT_FIELDS, INCOMING_FIELDS, isFieldedGrant, OUTGOING_FIELDS, type FieldedGrantKey } from './grant-fields';
import { describeValue, isObject } from './describe-value';
import { MintInputError } from './mint-input-error';

// The grant keys of Twilio's helper 6.x: a typo such as `sync` for `data_sync` would sign a useless token.
const GRANT_KEYS = [...Object.keys(GRANT_FIELDS), 'player'];

function refuse(message: string): never {
  throw new MintInputError('invalid-grants', message);
}

// A field the helper does not know it would drop silently (`video: { foo }` signs `video: {}`), and a
// misspelt one (`serviceSid`) is the likely cause: refused, so the token is never signed without it.
function refuseUnknownFields(path: string, value: Record<string, unknown>, known: readonly string[]): void {
  for (const field of Object.keys(value)) {
    if (!known.includes(field)) refuse(`${path}.${field} is not a field Twilio signs there; use ${known.join(', ')}`);
  }
}

function checkVoiceObject(field: 'incoming' | 'outgoing', value: unknown): void {
  if (!value) return; // left out, as the helper leaves it out
  const path = `grants.voice.${field}`;
  if (!isObject(value)) refuse(`${path} must be an object`);
  const fields = value as Record<string, unknown>;
  if (field === 'incoming') {
    refuseUnknownFields(path, fields, INCOMING_FIELDS);
    // The helper writes incoming only for `allow === true`: `'true'` would silently sign a token that takes no calls.
    if (fields.allow && fields.allow !== true) refuse(`${path}.allow must be true or false, not ${describeValue(fields.allow)}`);
    return;
  }
  refuseUnknownFields(path, fields, OUTGOING_FIELDS);
  // The helper would drop such an `outgoing` silently, and calls from this client would fail.
  if (typeof fields.application_sid !== 'string' || fields.application_sid === '') refuse(`${path} needs an application_sid (your TwiML app, AP…)`);
  if (fields.params && !isObject(fields.params)) refuse(`${path}.params must be an object of the values your TwiML app receives`);
}

function checkFieldedGrant(key: FieldedGrantKey, grant: Record<string, unknown>): void {
  refuseUnknownFields(`grants.${key}`, grant, GRANT_FIELDS[key]);
  for (const field of GRANT_FIELDS[key]) {
    const value = grant[field];
    if (key === 'voice' && (field === 'incoming' || field === 'outgoing')) checkVoiceObject(field, value);
    // A falsy field is left out, as the helper leaves it out; any other must be the string Twilio reads.
    else if (value && typeof value !== 'string') refuse(`grants.${key}.${field} must be a string`);
  }
}

/**
 * Throws a `MintInputError` (`invalid-grants`) unless `grants` holds only Twilio's grants, each with only
 * its own fields: falsy fields are fine (the helper leaves them out), unknown ones are refused. Pure.
 */
export function checkGrants(grants: unknown): void {
  if (!isObject(grants)) refuse('grants must be an object (it may be empty)');
  for (const [key, grant] of Object.entries(grants as Record<string, unknown>)) {
    if (grant === undefined) continue; // JSON leaves it out, as `{ chat: cond ? grant : undefined }` means
    if (!GRANT_KEYS.includes(key)) refuse(`grants.${key} is not a Twilio grant; use ${GRANT_KEYS.join(', ')} (identity has its own field)`);
    if (!isObject(grant)) refuse(`grants.${key} must be an object`);
    if (isFieldedGrant(key)) checkFieldedGrant(key, grant as Record<string, unknown>);
  }
}
