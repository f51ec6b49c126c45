import { readServerSettings, type ServerEnv, type ServerSettings } from './config-settings';
import type { MintInput, TwilioGrants } from '../server/mint-input';
import type { DiagnoseContext, Diagnosis, Finding, Product } from './types';

/** The signer a server mints with (`mintAccessToken` from `twilio-token-lifecycle/server`). */
export type MintFunction = (input: MintInput) => Promise<string>;

/** The doctor (`diagnoseAccessToken`). */
export type DiagnoseFunction = (token: unknown, context?: DiagnoseContext) => Promise<Diagnosis>;

/** Options of `checkServerConfig`. */
export interface CheckServerConfigOptions {
  /**
   * The doctor, `diagnoseAccessToken` from `twilio-token-lifecycle/doctor`: with it, the sample token is
   * diagnosed against the settings too (header, issuer, signature, lifetime, grants, region). Without it,
   * only the settings are checked and the sample token signed. Passed in, so that an app importing only
   * `mintAccessToken` never bundles the doctor.
   */
  diagnose?: DiagnoseFunction;
  /** Epoch ms of the checking clock (one that is not finite is the default). @default Date.now() */
  now?: number;
  /** The identity of the sample token (`''` is the default). @default 'doctor_check' */
  identity?: string;
}

// Letters, digits and `_` only: valid with the voice grant too.
const SAMPLE_IDENTITY = 'doctor_check';

/** The grants the reference server writes into every token (examples/server/config.ts, grantsFor). */
export function serverGrants(settings: ServerSettings): TwilioGrants {
  return {
    ...(settings.chatServiceSid ? { chat: { service_sid: settings.chatServiceSid } } : {}),
    ...(settings.syncServiceSid ? { data_sync: { service_sid: settings.syncServiceSid } } : {}),
    ...(settings.twimlAppSid ? { voice: { incoming: { allow: true as const }, outgoing: { application_sid: settings.twimlAppSid } } } : {}),
    video: {},
  };
}

/** The SDKs those grants serve, for the doctor's `products`. */
export function serverProducts(settings: ServerSettings): Product[] {
  return [
    ...(settings.chatServiceSid ? (['conversations'] as const) : []),
    ...(settings.syncServiceSid ? (['sync'] as const) : []),
    ...(settings.twimlAppSid ? (['voice'] as const) : []),
    'video',
  ];
}

/** The doctor's context for tokens of a server with these settings (only what is known). */
export function contextFor(settings: ServerSettings, products: Product[], now?: number): DiagnoseContext {
  return {
    ...(settings.apiSecret ? { apiSecret: settings.apiSecret } : {}),
    ...(settings.accountSid ? { accountSid: settings.accountSid } : {}),
    ...(settings.apiKeySid ? { apiKeySid: settings.apiKeySid } : {}),
    region: settings.region ?? 'us1',
    products,
    ...(now === undefined ? {} : { now }),
  };
}

const withoutSecret = (text: string, secret: string | undefined) => (secret ? text.split(secret).join('[secret]') : text);

/**
 * The offline check of a token server's configuration: the settings' shapes (see `readServerSettings`),
 * then a sample token minted with `mint` exactly as the reference server mints (its grants, TTL and
 * region), diagnosed by `options.diagnose` (if given) against those settings. A doctor finding the settings already
 * explain (same code) is left out, so each problem is said once.
 */
export async function checkServerConfigWith(
  env: ServerEnv,
  mint: MintFunction,
  options: CheckServerConfigOptions = {},
): Promise<Diagnosis> {
  const { settings, findings } = readServerSettings(env);
  const { accountSid, apiKeySid, apiSecret } = settings;
  if (accountSid && apiKeySid && apiSecret) {
    // The caller's options, not the server's settings: a blank or unreadable one is the default, as the
    // doctor reads its context, never "the signer refuses these settings" about a right configuration.
    const now = Number.isFinite(options.now) ? options.now! : Date.now();
    let token: string | undefined;
    try {
      token = await mint({
        accountSid,
        apiKeySid,
        apiSecret,
        identity: options.identity || SAMPLE_IDENTITY,
        ttlSeconds: settings.ttlSeconds,
        grants: serverGrants(settings),
        ...(settings.region ? { region: settings.region } : {}),
        now,
      });
    } catch (error) {
      // The signer's messages name the field, never the secret; scrubbed all the same.
      const why = withoutSecret(error instanceof Error ? error.message : String(error), apiSecret);
      findings.push(
        error instanceof Error && error.name === 'MintInputError'
          ? { code: 'invalid-setting', severity: 'error', message: `The server's signer refuses these settings: ${why}.`, fix: 'Correct the setting it names.', twilioCodes: [] }
          : // No WebCrypto here (Node 18 without the flag, say): nothing was proved wrong.
            { code: 'signature-not-checked', severity: 'warning', message: `Could not sign a sample token in this runtime (${why}), so the token checks were not made.`, fix: 'Run the check on Node 20 or later, or where WebCrypto (crypto.subtle) is available.', twilioCodes: [] },
      );
    }
    if (token !== undefined && options.diagnose) {
      const diagnosis = await options.diagnose(token, contextFor(settings, serverProducts(settings), now));
      const said = new Set(findings.map((found) => found.code));
      findings.push(...diagnosis.findings.filter((found) => !said.has(found.code)));
    }
  }
  return diagnosisOf(findings);
}

/** `ok` is true when no finding is an error. */
export const diagnosisOf = (findings: Finding[]): Diagnosis => ({ ok: findings.every((found) => found.severity !== 'error'), findings });
