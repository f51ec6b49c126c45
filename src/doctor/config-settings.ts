import type { Finding, FindingCode } from './types';

/** A server's environment: `process.env`, or a Worker's bindings. */
export type ServerEnv = Record<string, string | undefined>;

/**
 * The settings a token server mints with, read from the environment variables the reference server
 * reads. A setting that is missing or has the wrong shape is left out (and reported as a finding).
 */
export interface ServerSettings {
  accountSid?: string;
  apiKeySid?: string;
  /** Held only to sign and to authenticate; never printed. */
  apiSecret?: string;
  chatServiceSid?: string;
  syncServiceSid?: string;
  twimlAppSid?: string;
  /** `TWILIO_TASKROUTER_WORKSPACE_SID` (or `TWILIO_WORKSPACE_SID`). */
  workspaceSid?: string;
  /** `TWILIO_REGION`, e.g. `ie1`; unset means us1. */
  region?: string;
  /** `TWILIO_EDGE`, e.g. `dublin`: where the REST API is reached in that region. */
  edge?: string;
  /** `TOKEN_TTL`, in seconds. @default 3600 */
  ttlSeconds: number;
}

/** Twilio's ceiling for a token's lifetime, in seconds. */
const MAX_TTL_SECONDS = 86_400;
const DEFAULT_TTL_SECONDS = 3600;
const SID_BODY = /^[0-9a-fA-F]{32}$/;
// An Account Auth Token is 32 lowercase hex characters; an API key secret 32 mixed-case alphanumerics.
const AUTH_TOKEN_SHAPE = /^[0-9a-f]{32}$/;
const API_SECRET_SHAPE = /^[A-Za-z0-9]{32}$/;
const REGION_SHAPE = /^[a-z]{2}[0-9]$/;
const EDGE_SHAPE = /^[a-z][a-z-]{1,30}$/;

const KINDS: Record<string, string> = {
  AC: 'an Account SID',
  SK: 'an API key SID',
  IS: 'a Conversations, Chat or Sync service SID',
  AP: 'a TwiML app SID',
  WS: 'a TaskRouter workspace SID',
  WK: 'a TaskRouter worker SID',
  CR: 'a push credential SID',
  PN: 'a phone number SID',
};

export const isSid = (value: string, prefix: string) => value.startsWith(prefix) && SID_BODY.test(value.slice(2));

/** What a wrongly shaped SID looks like instead, in words, without echoing anything but its prefix. */
function lookalike(value: string): string {
  const prefix = value.slice(0, 2);
  if (SID_BODY.test(value.slice(2)) && KINDS[prefix]) return `it is ${KINDS[prefix]} (${prefix}…)`;
  if (value.trim() !== value) return 'it has spaces around it';
  if (/^["'].*["']$/.test(value)) return 'it is wrapped in quotes';
  return `it is not two letters and 32 hex digits (${value.length} characters)`;
}

const finding = (severity: Finding['severity'], code: FindingCode, message: string, fix: string, twilioCodes: number[]): Finding => ({
  code,
  severity,
  message,
  fix,
  twilioCodes,
});

interface SidSetting {
  names: string[];
  prefix: string;
  /** The finding for a SID of the wrong shape. */
  code: FindingCode;
  twilioCodes: number[];
  what: string;
}

const SID_SETTINGS = {
  accountSid: { names: ['TWILIO_ACCOUNT_SID'], prefix: 'AC', code: 'subject-not-account', twilioCodes: [20103], what: 'your Account SID' },
  apiKeySid: { names: ['TWILIO_API_KEY'], prefix: 'SK', code: 'issuer-not-api-key', twilioCodes: [20103], what: 'the SID of an API key' },
  chatServiceSid: { names: ['TWILIO_CHAT_SERVICE_SID'], prefix: 'IS', code: 'grant-invalid', twilioCodes: [20106], what: 'a Conversations (or Chat) service SID' },
  syncServiceSid: { names: ['TWILIO_SYNC_SERVICE_SID'], prefix: 'IS', code: 'grant-invalid', twilioCodes: [20106], what: 'a Sync service SID' },
  twimlAppSid: { names: ['TWILIO_TWIML_APP_SID'], prefix: 'AP', code: 'grant-invalid', twilioCodes: [20106], what: 'a TwiML app SID' },
  workspaceSid: { names: ['TWILIO_TASKROUTER_WORKSPACE_SID', 'TWILIO_WORKSPACE_SID'], prefix: 'WS', code: 'grant-invalid', twilioCodes: [20106], what: 'a TaskRouter workspace SID' },
} satisfies Record<string, SidSetting>;

const REQUIRED = ['accountSid', 'apiKeySid'] as const;

function readSid(env: ServerEnv, setting: SidSetting, required: boolean, findings: Finding[]): string | undefined {
  const name = setting.names.find((candidate) => env[candidate]) ?? setting.names[0]!;
  const value = env[name];
  if (!value) {
    if (required) {
      findings.push(finding('error', 'missing-setting', `${name} is not set.`, `Set ${name} to ${setting.what} (${setting.prefix}…), from the Twilio Console.`, []));
    }
    return undefined;
  }
  if (isSid(value, setting.prefix)) return value;
  findings.push(
    finding('error', setting.code, `${name} must be ${setting.what} (${setting.prefix} and 32 hex digits), but ${lookalike(value)}.`, `Set ${name} to ${setting.what}, copied from the Twilio Console.`, setting.twilioCodes),
  );
  return undefined;
}

function readSecret(env: ServerEnv, findings: Finding[]): string | undefined {
  const secret = env.TWILIO_API_SECRET;
  if (!secret) {
    findings.push(finding('error', 'missing-setting', 'TWILIO_API_SECRET is not set.', "Set TWILIO_API_SECRET to your API key's secret (shown once, when the key is created in the Console).", []));
    return undefined;
  }
  if (AUTH_TOKEN_SHAPE.test(secret)) {
    findings.push(
      finding(
        'error',
        'secret-is-auth-token',
        'TWILIO_API_SECRET looks like the Account Auth Token (32 lowercase hex characters), not an API key secret: Twilio refuses tokens signed with it.',
        'Create an API key (Standard) in the Twilio Console and set TWILIO_API_KEY to its SID and TWILIO_API_SECRET to its secret.',
        [20107],
      ),
    );
  } else if (secret.trim() !== secret) {
    // The doctor's own code: its check of the sample token then says the same once, not twice.
    findings.push(finding('error', 'secret-has-whitespace', 'TWILIO_API_SECRET has white space around it (a line break from a .env file?), which becomes part of the signing key.', 'Set TWILIO_API_SECRET to the secret alone, without spaces or line breaks.', [20107]));
  } else if (/^["'].*["']$/.test(secret)) {
    findings.push(finding('error', 'invalid-setting', 'TWILIO_API_SECRET has quotes around it, which become part of the signing key.', 'Set TWILIO_API_SECRET to the secret alone, without quotes.', [20107]));
  } else if (!API_SECRET_SHAPE.test(secret)) {
    findings.push(
      finding('warning', 'invalid-setting', `TWILIO_API_SECRET does not look like an API key secret (32 letters and digits; this one has ${secret.length} characters).`, 'Check that it is the secret of the key named by TWILIO_API_KEY, copied whole.', [20107]),
    );
  }
  return secret;
}

function readTtl(raw: string | undefined, findings: Finding[]): number {
  if (raw === undefined || raw === '') return DEFAULT_TTL_SECONDS;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    findings.push(finding('error', 'invalid-setting', `TOKEN_TTL is "${raw}", not a whole number of seconds.`, `Set TOKEN_TTL to the token lifetime in seconds, from 1 to ${MAX_TTL_SECONDS} (default ${DEFAULT_TTL_SECONDS}).`, []));
    return DEFAULT_TTL_SECONDS;
  }
  if (value <= MAX_TTL_SECONDS) return value;
  // 3,600,000 is an hour in milliseconds: Twilio's own error page names this mistake.
  const isMilliseconds = value % 1000 === 0 && value / 1000 <= MAX_TTL_SECONDS;
  findings.push(
    isMilliseconds
      ? finding('error', 'ttl-in-milliseconds', `TOKEN_TTL is ${value}: that looks like ${value / 1000} seconds written in milliseconds.`, `Set TOKEN_TTL to ${value / 1000} (seconds).`, [20157])
      : finding('error', 'ttl-too-long', `TOKEN_TTL is ${value} s, longer than Twilio's maximum of ${MAX_TTL_SECONDS} s (24 h).`, `Set TOKEN_TTL to at most ${MAX_TTL_SECONDS}; shorter is safer.`, [20104, 20157]),
  );
  return DEFAULT_TTL_SECONDS;
}

function readRegion(env: ServerEnv, findings: Finding[]): Pick<ServerSettings, 'region' | 'edge'> {
  const settings: Pick<ServerSettings, 'region' | 'edge'> = {};
  const region = env.TWILIO_REGION;
  if (region) {
    if (REGION_SHAPE.test(region)) settings.region = region;
    else {
      findings.push(
        finding('error', 'invalid-setting', `TWILIO_REGION is "${region}", which is not a Twilio region such as us1, ie1 or au1.`, 'Set TWILIO_REGION to the region your API key was created in, in lower case (us1, ie1, au1), or unset it for us1.', [20103]),
      );
    }
  }
  const edge = env.TWILIO_EDGE;
  if (edge) {
    if (EDGE_SHAPE.test(edge)) settings.edge = edge;
    else findings.push(finding('warning', 'invalid-setting', `TWILIO_EDGE is "${edge}", which is not a Twilio edge such as dublin or sydney.`, 'Set TWILIO_EDGE to an edge location in lower case, or unset it.', []));
  }
  return settings;
}

/**
 * Reads the settings a token server mints with from `env` and checks their shapes, offline: the
 * credentials present (`missing-setting`), SIDs of the right kind (`subject-not-account`,
 * `issuer-not-api-key`, `grant-invalid`), an Auth Token in place of the API secret
 * (`secret-is-auth-token`), `TOKEN_TTL` (`ttl-in-milliseconds`, `ttl-too-long`) and `TWILIO_REGION`.
 * Pure; no finding holds the secret.
 */
export function readServerSettings(env: ServerEnv): { settings: ServerSettings; findings: Finding[] } {
  const findings: Finding[] = [];
  const settings: ServerSettings = { ttlSeconds: DEFAULT_TTL_SECONDS };
  for (const [key, setting] of Object.entries(SID_SETTINGS) as Array<[keyof typeof SID_SETTINGS, SidSetting]>) {
    const value = readSid(env, setting, (REQUIRED as readonly string[]).includes(key), findings);
    if (value) settings[key] = value;
    if (key === 'apiKeySid') {
      const secret = readSecret(env, findings);
      if (secret) settings.apiSecret = secret;
    }
  }
  settings.ttlSeconds = readTtl(env.TOKEN_TTL, findings);
  Object.assign(settings, readRegion(env, findings));
  return { settings, findings };
}
