import { describe, isObject, isSid } from './describe';
import { error, warning } from './finding';
import type { Finding, Product } from './types';

/** The grant key each client SDK needs (Conversations is built on Chat's grant). */
export const GRANT_OF: Readonly<Record<Product, string>> = {
  conversations: 'chat',
  chat: 'chat',
  sync: 'data_sync',
  voice: 'voice',
  video: 'video',
  taskrouter: 'task_router',
};
const SDK_NAME: Readonly<Record<Product, string>> = { conversations: 'Conversations', chat: 'Programmable Chat', sync: 'Sync', voice: 'Voice', video: 'Video', taskrouter: 'TaskRouter' };
const HELPER_CLASS: Record<string, string> = { chat: 'ChatGrant', data_sync: 'SyncGrant', voice: 'VoiceGrant', video: 'VideoGrant', task_router: 'TaskRouterGrant' };

/** `prefix…` SID check on an optional field; `required` makes its absence an error too. */
function sidField(findings: Finding[], grant: Record<string, unknown>, path: string, field: string, prefix: string, kind: string, required = false) {
  const value = grant[field];
  if (value === undefined && !required) return;
  if (isSid(prefix, value)) return;
  const what = value === undefined ? 'missing' : `${describe(value)}, not ${/^[AEIOU]/.test(kind) ? 'an' : 'a'} ${kind} SID (${prefix} and 32 hex digits)`;
  findings.push(error('grant-invalid', `${path}.${field} is ${what}.`, `Set ${path}.${field} to your ${kind} SID (${prefix}…), as shown in the Twilio Console.`));
}

/** Each grant present: right type and SIDs of the right kind; then the grant each product needs. Pure. */
export function checkGrants(grants: Record<string, unknown>, products: readonly Product[]): Finding[] {
  const findings: Finding[] = [];
  for (const key of ['chat', 'data_sync', 'voice', 'video', 'task_router']) {
    const grant = grants[key];
    if (grant === undefined) continue;
    if (!isObject(grant)) {
      findings.push(error('grant-invalid', `grants.${key} is ${describe(grant)}, not an object.`, `Add the grant with the helper's ${HELPER_CLASS[key]}.`));
      continue;
    }
    if (key === 'chat') {
      sidField(findings, grant, 'grants.chat', 'service_sid', 'IS', 'Conversations or Chat service');
      sidField(findings, grant, 'grants.chat', 'push_credential_sid', 'CR', 'push credential');
    } else if (key === 'data_sync') {
      sidField(findings, grant, 'grants.data_sync', 'service_sid', 'IS', 'Sync service');
    } else if (key === 'voice') {
      const { outgoing, incoming } = grant;
      if (outgoing !== undefined) {
        if (isObject(outgoing)) sidField(findings, outgoing, 'grants.voice.outgoing', 'application_sid', 'AP', 'TwiML app', true);
        else findings.push(error('grant-invalid', `grants.voice.outgoing is ${describe(outgoing)}, not an object.`, 'Set outgoingApplicationSid on the helper\'s VoiceGrant.'));
      }
      sidField(findings, grant, 'grants.voice', 'push_credential_sid', 'CR', 'push credential');
      if (outgoing === undefined && !(isObject(incoming) && incoming.allow === true)) {
        findings.push(warning('grant-invalid', 'The voice grant allows neither incoming calls (incoming.allow) nor outgoing calls (outgoing.application_sid).', 'Set incomingAllow: true and/or outgoingApplicationSid on the VoiceGrant.'));
      }
    } else if (key === 'video') {
      if (grant.room !== undefined && typeof grant.room !== 'string') findings.push(error('grant-invalid', `grants.video.room is ${describe(grant.room)}, not a room name or SID.`, 'Set room to a room name (or leave it out to allow any room).'));
    } else {
      sidField(findings, grant, 'grants.task_router', 'workspace_sid', 'WS', 'TaskRouter workspace', true);
      sidField(findings, grant, 'grants.task_router', 'worker_sid', 'WK', 'TaskRouter worker', true);
    }
  }
  for (const key of new Set(products.map((product) => GRANT_OF[product]))) {
    if (grants[key] !== undefined) continue;
    const users = [...new Set(products.filter((product) => GRANT_OF[product] === key))].map((product) => SDK_NAME[product]);
    const sdk = `the ${users.join(' and ')} SDK${users.length > 1 ? 's' : ''}`;
    findings.push(error('missing-grant', `The token has no ${key} grant, which ${sdk} need${users.length > 1 ? '' : 's'}.`, `Add the helper's ${HELPER_CLASS[key]} (grants.${key}) when minting tokens for ${sdk}.`));
  }
  // Programmable Chat has no default service: its grant must name one.
  const chat = grants.chat;
  if (products.includes('chat') && isObject(chat) && chat.service_sid === undefined) {
    findings.push(error('grant-invalid', 'grants.chat has no service_sid: Programmable Chat needs the Chat service SID (IS…).', 'Set serviceSid on the ChatGrant to your Chat service SID.'));
  }
  return findings;
}
