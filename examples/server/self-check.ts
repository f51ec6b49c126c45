import { diagnoseAccessToken } from 'twilio-token-lifecycle/doctor';
import { checkServerConfig } from 'twilio-token-lifecycle/server';

/**
 * Runs the doctor's offline checks on the configuration in `env` (the same `checkServerConfig` that
 * `npx twilio-token-lifecycle doctor` runs) and logs each finding once, in words. Never the secret:
 * findings hold none, and it is scrubbed all the same. Never throws: a failed check is a warning.
 */
export async function logConfigFindings(env: Record<string, string | undefined>, log: (line: string) => void): Promise<void> {
  const secret = env.TWILIO_API_SECRET;
  const scrub = (text: string) => (secret ? text.split(secret).join('[secret]') : text);
  try {
    const { findings } = await checkServerConfig(env, { diagnose: diagnoseAccessToken });
    for (const finding of findings) {
      log(scrub(`config ${finding.severity} (${finding.code}): ${finding.message} ${finding.fix}`));
    }
    if (findings.length > 0) log('Run `npx twilio-token-lifecycle doctor` for these checks and what only Twilio knows (the key, its region, each SID).');
  } catch (error) {
    log(scrub(`warning: the configuration self-check failed: ${error instanceof Error ? error.message : String(error)}`));
  }
}
