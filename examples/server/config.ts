import { randomBytes } from 'node:crypto';
import { MAX_TRUSTED_PROXY_HOPS } from './client-address';
import { LOOPBACK_HOSTS, parseHost, type HostPattern } from './host-guard';
import type { TwilioGrants } from './mint-access-token';
import { MAX_TTL_SECONDS } from 'twilio-token-lifecycle/server';

// Twilio's ceiling for a token's lifetime, as the signer enforces it.
export { MAX_TTL_SECONDS };

/** Everything the server needs, read once from the environment. */
export interface ServerConfig {
  accountSid: string;
  apiKeySid: string;
  apiSecret: string;
  /** True when no Twilio credentials were given: tokens work with the demo only. */
  isLocalOnly: boolean;
  chatServiceSid?: string;
  syncServiceSid?: string;
  twimlAppSid?: string;
  /**
   * `TWILIO_REGION`: the region the API key was made in (`ie1`, `au1`), written into each token as `twr`.
   * Unset, tokens carry none and Twilio takes them as us1.
   */
  region?: string;
  ttlSeconds: number;
  /** Origins besides the server's own that may call the API with credentials. */
  allowedOrigins: string[];
  /** The address users reach the server at (`PUBLIC_URL`), when it is not localhost. */
  publicUrl?: string;
  /**
   * Host names the server answers to: localhost, 127.0.0.1 and [::1] on any port, the host of
   * `PUBLIC_URL`, and those in `ALLOWED_HOSTS`. Any other `Host` gets 421 (DNS rebinding).
   */
  allowedHosts: HostPattern[];
  port: number;
  /**
   * `TRUST_PROXY_HOPS`: how many proxies of yours (load balancers) stand in front of the server. The
   * per-address limit then counts the `X-Forwarded-For` entry just left of theirs; 0 (the default)
   * counts the socket's address and ignores the header, which any client can write.
   */
  trustProxyHops: number;
  /** Signs session cookies. */
  sessionSecret: string;
  /**
   * `REDIS_URL`: where rate limits and sessions live, shared by every instance behind a load balancer.
   * Unset, they live in this process's memory.
   */
  redisUrl?: string;
}

/** A setting that cannot work; the server refuses to start and says which. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const PLACEHOLDER_ACCOUNT_SID = `AC${'0'.repeat(32)}`;
const PLACEHOLDER_API_KEY_SID = `SK${'0'.repeat(32)}`;
const SID = (prefix: string) => new RegExp(`^${prefix}[0-9a-fA-F]{32}$`);

function integerIn(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  // Number(' ') is 0: spaces are not a number (PORT=" " would be a random port).
  if (raw.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, not "${raw}"`);
  }
  return value;
}

function optionalSid(name: string, raw: string | undefined, prefix: string): string | undefined {
  if (!raw) return undefined;
  if (!SID(prefix).test(raw)) throw new ConfigError(`${name} must be a SID starting with ${prefix}`);
  return raw;
}

function region(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  if (!/^[a-z]{2}[0-9]$/.test(raw)) throw new ConfigError(`TWILIO_REGION must be a Twilio region in lower case, such as us1, ie1 or au1, not "${raw}"`);
  return raw;
}

function origins(raw: string | undefined): string[] {
  if (!raw) return [];
  return raw.split(',').map((entry) => {
    const trimmed = entry.trim();
    let origin: string;
    try {
      origin = new URL(trimmed).origin;
    } catch {
      throw new ConfigError(`ALLOWED_ORIGINS holds "${trimmed}", which is not an origin like https://app.example.com`);
    }
    if (origin === 'null' || origin !== trimmed.replace(/\/$/, '')) {
      throw new ConfigError(`ALLOWED_ORIGINS holds "${trimmed}"; give scheme, host and port only`);
    }
    return origin;
  });
}

function publicUrl(raw: string | undefined): URL | undefined {
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(`PUBLIC_URL is "${raw}", which is not a URL like https://tokens.example.com`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(`PUBLIC_URL must be an http or https URL, not "${raw}"`);
  return url;
}

function hosts(raw: string | undefined, url: URL | undefined): HostPattern[] {
  const extra = (raw ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const host = parseHost(entry);
      if (!host) throw new ConfigError(`ALLOWED_HOSTS holds "${entry}"; give a host name, optionally with :port, like tokens.example.com`);
      return host;
    });
  return [...LOOPBACK_HOSTS, ...(url ? [parseHost(url.host)!] : []), ...extra];
}

function redisUrl(raw: string | undefined, hasSessionSecret: boolean): string | undefined {
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError('REDIS_URL is not a URL like redis://redis.internal:6379');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new ConfigError(`REDIS_URL must be a redis:// or rediss:// URL, not ${url.protocol}//…`);
  // ioredis decodes them and would throw a URIError at connect; never echo them, they are secrets.
  try {
    decodeURIComponent(url.username);
    decodeURIComponent(url.password);
  } catch {
    throw new ConfigError('REDIS_URL has a user name or password that is not valid percent-encoding: percent-encode the password (a % is %25)');
  }
  // Every instance must accept every other's cookies: a random secret per process would not.
  if (!hasSessionSecret) throw new ConfigError('REDIS_URL is set, so SESSION_SECRET must be too, the same on every instance');
  return url.href;
}

/** The Redis address without user name or password, fit for a log line. */
export function describeRedisUrl(raw: string): string {
  const url = new URL(raw);
  return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
}

/** Reads the configuration from `env` (usually `process.env`). Throws a `ConfigError` on a bad value. */
export function loadConfig(env: Record<string, string | undefined>): ServerConfig {
  const credentials = [env.TWILIO_ACCOUNT_SID, env.TWILIO_API_KEY, env.TWILIO_API_SECRET];
  const given = credentials.filter(Boolean).length;
  if (given > 0 && given < 3) {
    throw new ConfigError('set all of TWILIO_ACCOUNT_SID, TWILIO_API_KEY and TWILIO_API_SECRET, or none for local tokens');
  }
  const isLocalOnly = given === 0;
  if (!isLocalOnly) {
    optionalSid('TWILIO_ACCOUNT_SID', env.TWILIO_ACCOUNT_SID, 'AC');
    optionalSid('TWILIO_API_KEY', env.TWILIO_API_KEY, 'SK');
  }
  const url = publicUrl(env.PUBLIC_URL);
  return {
    accountSid: env.TWILIO_ACCOUNT_SID || PLACEHOLDER_ACCOUNT_SID,
    apiKeySid: env.TWILIO_API_KEY || PLACEHOLDER_API_KEY_SID,
    apiSecret: env.TWILIO_API_SECRET || randomBytes(32).toString('base64url'),
    isLocalOnly,
    chatServiceSid: optionalSid('TWILIO_CHAT_SERVICE_SID', env.TWILIO_CHAT_SERVICE_SID, 'IS'),
    syncServiceSid: optionalSid('TWILIO_SYNC_SERVICE_SID', env.TWILIO_SYNC_SERVICE_SID, 'IS'),
    twimlAppSid: optionalSid('TWILIO_TWIML_APP_SID', env.TWILIO_TWIML_APP_SID, 'AP'),
    ...(env.TWILIO_REGION ? { region: region(env.TWILIO_REGION) } : {}),
    ttlSeconds: integerIn('TOKEN_TTL', env.TOKEN_TTL, 3600, 1, MAX_TTL_SECONDS),
    allowedOrigins: origins(env.ALLOWED_ORIGINS),
    ...(url ? { publicUrl: url.origin } : {}),
    allowedHosts: hosts(env.ALLOWED_HOSTS, url),
    port: integerIn('PORT', env.PORT, 3000, 0, 65_535),
    trustProxyHops: integerIn('TRUST_PROXY_HOPS', env.TRUST_PROXY_HOPS, 0, 0, MAX_TRUSTED_PROXY_HOPS),
    sessionSecret: env.SESSION_SECRET || randomBytes(32).toString('base64url'),
    ...(env.REDIS_URL ? { redisUrl: redisUrl(env.REDIS_URL, Boolean(env.SESSION_SECRET)) } : {}),
  };
}

/** The grants every token of this server carries, besides identity. */
export function grantsFor(config: ServerConfig, room?: string): TwilioGrants {
  return {
    ...(config.chatServiceSid ? { chat: { service_sid: config.chatServiceSid } } : {}),
    ...(config.syncServiceSid ? { data_sync: { service_sid: config.syncServiceSid } } : {}),
    ...(config.twimlAppSid
      ? { voice: { incoming: { allow: true as const }, outgoing: { application_sid: config.twimlAppSid } } }
      : {}),
    video: room ? { room } : {},
  };
}

/** Says what the server is signing with, never the secret itself. */
export function describeConfig(config: ServerConfig): string[] {
  const lines = config.isLocalOnly
    ? [
        'No Twilio credentials set: signing with a random local secret and placeholder SIDs.',
        'These tokens work with this demo, NOT with Twilio. Set TWILIO_ACCOUNT_SID, TWILIO_API_KEY and TWILIO_API_SECRET for real ones.',
      ]
    : [`Signing for account ${config.accountSid} with API key ${config.apiKeySid}, region ${config.region ?? 'us1'}.`];
  const grants = ['video', config.chatServiceSid && 'chat', config.syncServiceSid && 'sync', config.twimlAppSid && 'voice'];
  lines.push(`Grants: ${grants.filter(Boolean).join(', ')}; token lifetime ${config.ttlSeconds} s.`);
  const hosts = config.allowedHosts.map((host) => (host.port === undefined ? host.name : `${host.name}:${host.port}`));
  lines.push(`Answers to the host names ${hosts.join(', ')} (add more with ALLOWED_HOSTS).`);
  if (config.trustProxyHops > 0) {
    lines.push(`Behind ${config.trustProxyHops} trusted prox${config.trustProxyHops === 1 ? 'y' : 'ies'}: clients are counted by their X-Forwarded-For entry.`);
  }
  lines.push(
    config.redisUrl
      ? `Rate limits and sessions in Redis at ${describeRedisUrl(config.redisUrl)}, shared by every instance.`
      : 'Rate limits and sessions in this process\'s memory (set REDIS_URL to share them between instances).',
  );
  return lines;
}
