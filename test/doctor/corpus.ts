import type { DiagnoseContext, FindingCode } from 'twilio-token-lifecycle/doctor';
import {
  ACCOUNT_SID,
  API_KEY_SID,
  API_SECRET,
  AUTH_TOKEN,
  CHAT_SERVICE_SID,
  forge,
  IAT,
  MINTED_AT,
  mintWithHelper,
  OTHER_ACCOUNT_SID,
  OTHER_API_KEY_SID,
  OTHER_SECRET,
  SYNC_SERVICE_SID,
  TWIML_APP_SID,
  WORKER_SID,
  WORKSPACE_SID,
  type HelperInput,
} from './fixtures';

/** One broken (or, as a control, valid) token, how it is checked, and exactly what must be found. */
export interface CorpusCase {
  name: string;
  /** What is passed as the token (a string, or JSON, or an object). */
  input: unknown;
  /** The JWT inside `input`, whose signature must never appear in a finding. */
  jwt?: string;
  context: DiagnoseContext;
  errors: FindingCode[];
  /** When given, the exact set of warning codes too. */
  warnings?: FindingCode[];
  /** Diagnose through explainTokenError(error, input, context) instead. */
  error?: unknown;
  /** Run where `globalThis.crypto` is missing (as on a plain-http page of another host). */
  withoutWebCrypto?: boolean;
}

const CHECKED_AT = MINTED_AT + 60_000; // a minute after minting
/** Everything the doctor can check against, as a server that mints these tokens knows it. */
const full = (extra: DiagnoseContext = {}): DiagnoseContext => ({
  apiSecret: API_SECRET,
  accountSid: ACCOUNT_SID,
  apiKeySid: API_KEY_SID,
  products: ['video'],
  now: CHECKED_AT,
  ...extra,
});
const mint = (input: HelperInput = {}) => mintWithHelper({ at: MINTED_AT, ...input });
const valid = mint();

const one = (name: string, jwt: string, context: DiagnoseContext, errors: FindingCode[], more: Partial<CorpusCase> = {}): CorpusCase => ({ name, input: jwt, jwt, context, errors, ...more });

export const CORPUS: CorpusCase[] = [
  // Controls: valid tokens, checked against everything, find nothing.
  one('valid video token (control)', valid, full(), [], { warnings: [] }),
  one('valid voice, taskrouter, sync and conversations tokens (control)', mint({ grants: { voice: { incomingAllow: true, outgoingApplicationSid: TWIML_APP_SID }, taskRouter: { workspaceSid: WORKSPACE_SID, workerSid: WORKER_SID }, sync: { serviceSid: SYNC_SERVICE_SID }, chat: { serviceSid: CHAT_SERVICE_SID } } }), full({ products: ['voice', 'taskrouter', 'sync', 'conversations', 'chat'] }), [], { warnings: [] }),

  // Credentials.
  one('the Account Auth Token used as the API secret', mint({ secret: AUTH_TOKEN }), full({ apiSecret: AUTH_TOKEN }), ['secret-is-auth-token']),
  one('a key of another account (its SID, secret and account)', mint({ accountSid: OTHER_ACCOUNT_SID, apiKeySid: OTHER_API_KEY_SID, secret: OTHER_SECRET }), full(), ['account-mismatch', 'key-mismatch', 'signature-mismatch']),
  one('the right key SID with another key\'s secret', mint({ secret: OTHER_SECRET }), full(), ['signature-mismatch']),
  one('another key of the same account, its own secret', mint({ apiKeySid: OTHER_API_KEY_SID }), full(), ['key-mismatch']),
  one('the right key minted for another account', mint({ accountSid: OTHER_ACCOUNT_SID }), full(), ['account-mismatch']),
  one('the Account SID as the issuer (minted with Account SID + Auth Token)', forge(valid, (_h, c) => (c.iss = ACCOUNT_SID), AUTH_TOKEN), { accountSid: ACCOUNT_SID, apiKeySid: API_KEY_SID, products: ['video'], now: CHECKED_AT }, ['issuer-not-api-key']),
  one('account and key SIDs swapped in the helper\'s arguments', mint({ accountSid: API_KEY_SID, apiKeySid: ACCOUNT_SID }), full(), ['issuer-not-api-key', 'subject-not-account']),
  one('a payload changed after signing', forge(valid, (_h, c) => ((c.grants as { identity: string }).identity = 'mallory'), OTHER_SECRET), full(), ['signature-mismatch']),
  one('a secret read from a .env file with its line break', mint({ secret: `${API_SECRET}\n` }), full({ apiSecret: `${API_SECRET}\n` }), ['secret-has-whitespace']),
  one('the API secret passed as the key SID (arguments in the wrong order)', mint({ apiKeySid: API_SECRET, secret: API_KEY_SID }), full(), ['issuer-not-api-key', 'signature-mismatch']),
  one('a header made to carry the secret: it is never shown', forge(valid, (h) => (h.typ = API_SECRET)), full(), ['bad-header']),
  one('a valid token Twilio still refused with 20107 (key deleted?)', valid, full({ twilioCode: 20107 }), ['twilio-rejected']),

  // Region.
  one('an ie1 token where us1 is expected', mint({ region: 'ie1' }), full({ region: 'us1' }), ['region-mismatch']),
  one('a token without a region (us1) where ie1 is expected', valid, full({ region: 'ie1' }), ['region-mismatch']),
  one('an au1 token where au1 is expected (control)', mint({ region: 'au1' }), full({ region: 'AU1' }), []),

  // Lifetime and clocks.
  one('a TTL in milliseconds (ttl: 3600000)', mint({ ttl: 3_600_000 }), full(), ['ttl-in-milliseconds']),
  one('exp written in milliseconds', forge(valid, (_h, c) => (c.exp = (IAT + 3600) * 1000)), full(), ['ttl-in-milliseconds']),
  one('a TTL of 25 h and a minute', mint({ ttl: 90_060 + 1 }), full(), ['ttl-too-long']),
  one('nbf an hour in the future', mint({ nbf: IAT + 3600 }), full(), ['not-yet-valid']),
  one('nbf written in milliseconds', mint({ nbf: MINTED_AT }), full(), ['not-yet-valid']),
  one('nbf 30 s ahead: within the clock-skew allowance', mint({ nbf: IAT + 90 }), full(), [], { warnings: ['not-yet-valid'] }),
  one('expired 5 s ago', mint({ ttl: 600 }), full({ now: (IAT + 605) * 1000 }), ['expired']),
  one('expired, and Twilio said so (20104)', mint({ ttl: 600 }), full({ now: (IAT + 605) * 1000, twilioCode: 20104 }), ['expired']),
  one('minted by a server whose clock is 10 min fast', mint({ at: MINTED_AT + 600_000 }), full(), [], { warnings: ['issued-in-future'] }),
  one('exp not a number', forge(valid, (_h, c) => (c.exp = 'tomorrow')), full(), ['bad-claims']),
  one('no grants object, for a video client', forge(valid, (_h, c) => delete c.grants), full(), ['bad-claims']),

  // Identity.
  one('an identity with a zero-width space (U+200B)', mint({ identity: 'alice\u200b' }), full(), ['identity-invalid']),
  one('an identity with a line feed (Cc)', mint({ identity: 'alice\nbob' }), full(), ['identity-invalid'], { warnings: ['identity-invalid'] }),
  one('an empty identity', forge(valid, (_h, c) => ((c.grants as { identity: string }).identity = '')), full(), ['identity-invalid']),
  one('an identity of 122 characters', mint({ identity: 'a'.repeat(122) }), full(), ['identity-invalid']),
  one('no identity, for a video client', forge(valid, (_h, c) => delete (c.grants as { identity?: string }).identity), full(), ['missing-identity']),

  // Grants.
  one('no chat grant, for Conversations', valid, full({ products: ['conversations'] }), ['missing-grant']),
  one('no grant for Sync or Voice', valid, full({ products: ['video', 'sync', 'voice'] }), ['missing-grant']),
  one('a Conversations service SID in data_sync: IS… passes offline', mint({ grants: { sync: { serviceSid: CHAT_SERVICE_SID } } }), full({ products: ['sync'] }), []),
  one('a Conversations service SID in data_sync, refused with 20106', mint({ grants: { sync: { serviceSid: CHAT_SERVICE_SID } } }), full({ products: ['sync'], twilioCode: 20106 }), ['twilio-rejected']),
  one('a Conversation SID (CH…) as the Sync service', mint({ grants: { sync: { serviceSid: 'CH22222222222222222222222222222222' } } }), full({ products: ['sync'] }), ['grant-invalid']),
  one('a truncated Conversations service SID', mint({ grants: { chat: { serviceSid: CHAT_SERVICE_SID.slice(0, 20) } } }), full({ products: ['conversations'] }), ['grant-invalid']),
  one('a malformed outgoing TwiML app SID', mint({ grants: { voice: { outgoingApplicationSid: 'AP123' } } }), full({ products: ['voice'] }), ['grant-invalid']),
  one('a workspace SID in the worker slot', mint({ grants: { taskRouter: { workspaceSid: WORKSPACE_SID, workerSid: WORKSPACE_SID } } }), full({ products: ['taskrouter'] }), ['grant-invalid']),
  one('Programmable Chat without its service SID', mint({ grants: { chat: {} } }), full({ products: ['chat'] }), ['grant-invalid']),
  one('a voice grant with neither incoming nor outgoing', mint({ grants: { voice: {} } }), full({ products: ['voice'] }), [], { warnings: ['grant-invalid'] }),

  // Header.
  one('alg none, no signature', forge(valid, (h) => (h.alg = 'none')), full(), ['bad-header']),
  one('alg RS256', forge(valid, (h) => (h.alg = 'RS256')), full(), ['bad-header']),
  one('no cty (a plain JWT, e.g. from jose)', forge(valid, (h) => delete h.cty), full(), ['bad-header']),
  one('typ "jwt" in lower case', forge(valid, (h) => (h.typ = 'jwt')), full(), ['bad-header']),
  one('HS512: the helper allows it, Twilio documents HS256', mint({ algorithm: 'HS512' }), full(), [], { warnings: ['bad-header'] }),
  one('HS384 and Twilio refused its header (20102)', mint({ algorithm: 'HS384' }), full({ twilioCode: 20102 }), ['bad-header']),

  // Not a token, or not only a token.
  { name: 'the whole JSON response, as text', input: JSON.stringify({ identity: 'alice', token: valid }), jwt: valid, context: full(), errors: ['token-in-json'] },
  { name: 'the whole JSON response, as an object', input: { token: valid, ttl: 3600 }, jwt: valid, context: full(), errors: ['token-in-json'] },
  { name: 'a nested response object with jwt', input: { data: { jwt: valid } }, jwt: valid, context: full(), errors: ['token-in-json'] },
  { name: 'the token as a JSON string literal, in quotes', input: JSON.stringify(valid), jwt: valid, context: full(), errors: ['token-in-json'] },
  { name: 'a JSON response holding an expired token', input: JSON.stringify({ token: mint({ ttl: 60 }) }), jwt: mint({ ttl: 60 }), context: full(), errors: ['token-in-json', 'expired'] },
  one('a token with a trailing line break', `${valid}\n`, full(), ['not-a-token']),
  one('"Bearer " in front of the token', `Bearer ${valid}`, full(), ['not-a-token']),
  one('only two parts (signature cut off)', valid.split('.').slice(0, 2).join('.'), full(), ['not-a-token']),
  one('a payload that is not JSON', `${valid.split('.')[0]}.bm90IGpzb24.${valid.split('.')[2]}`, full(), ['not-a-token']),
  { name: 'undefined', input: undefined, context: full(), errors: ['not-a-token'] },
  { name: 'an object without a token', input: { error: { code: 'unauthorized' } }, context: full(), errors: ['not-a-token'] },
  { name: 'a JWE from Flex (five parts)', input: 'eyJhbGciOiJkaXIifQ.eyJhIjoxfQ.eyJiIjoxfQ.eyJjIjoxfQ.eyJkIjoxfQ', context: full(), errors: ['not-a-token'] },

  // Explaining a refusal, and runtimes.
  { name: 'explainTokenError with a network error and a valid token', input: valid, jwt: valid, context: full(), errors: [], warnings: ['no-twilio-code'], error: { name: 'TokenError', code: 'network' } },
  { name: 'a runtime without WebCrypto', input: valid, jwt: valid, context: full(), errors: [], warnings: ['signature-not-checked'], withoutWebCrypto: true },
];
