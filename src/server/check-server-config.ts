import { checkServerConfigWith, type CheckServerConfigOptions } from '../doctor/config-check';
import type { ServerEnv } from '../doctor/config-settings';
import type { Diagnosis } from '../doctor/types';
import { mintAccessToken } from './mint-access-token-webcrypto';

/**
 * The doctor's offline check of a token server's configuration, read from `env` (`process.env`, or a
 * Worker's bindings) by the names the reference server reads: `TWILIO_ACCOUNT_SID`, `TWILIO_API_KEY`,
 * `TWILIO_API_SECRET`, `TWILIO_CHAT_SERVICE_SID`, `TWILIO_SYNC_SERVICE_SID`, `TWILIO_TWIML_APP_SID`,
 * `TWILIO_TASKROUTER_WORKSPACE_SID`, `TWILIO_REGION`, `TOKEN_TTL`. It checks their shapes (a missing
 * setting, a SID of the wrong kind, the Account Auth Token in place of the API secret, a TTL in
 * milliseconds), then signs a sample token as the reference server would and, given the doctor
 * (`options.diagnose`), diagnoses it against them. Never throws for a bad setting; no finding holds the
 * secret. The command line (`npx twilio-token-lifecycle doctor`) runs this, then asks Twilio's REST API
 * what only Twilio knows.
 *
 * @example
 * ```ts
 * import { checkServerConfig } from 'twilio-token-lifecycle/server';
 * import { diagnoseAccessToken } from 'twilio-token-lifecycle/doctor';
 *
 * const { ok, findings } = await checkServerConfig(process.env, { diagnose: diagnoseAccessToken });
 * for (const finding of findings) console.warn(`${finding.severity} ${finding.code}: ${finding.message} ${finding.fix}`);
 * ```
 */
export function checkServerConfig(env: ServerEnv, options?: CheckServerConfigOptions): Promise<Diagnosis> {
  return checkServerConfigWith(env, mintAccessToken, options);
}
