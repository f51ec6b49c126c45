import { checkServerConfigWith, contextFor, type DiagnoseFunction, type MintFunction } from '../doctor/config-check';
import { readServerSettings, type ServerEnv, type ServerSettings } from '../doctor/config-settings';
import type { DiagnoseContext, Finding } from '../doctor/types';
import { parseDoctorArgs, USAGE, UsageError, type DoctorArgs } from './args';
import { checkOnline } from './online-checks';
import { formatJson, formatText, scrub, type DoctorReport } from './report';
import { createRestClient } from './twilio-rest';
import { twilioHost } from './twilio-hosts';

/** The world the command runs in: the real one in `main.ts`, a captured one in tests. */
export interface DoctorIo {
  env: ServerEnv;
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<string>;
  mint: MintFunction;
  diagnose: DiagnoseFunction;
  /** Epoch ms. @default Date.now */
  now?: () => number;
}

/** Exit statuses. */
export const EXIT = { ok: 0, errorFound: 1, usage: 2, failed: 3 } as const;

// Basic auth over http is fine to this machine (a test server), not across a network.
function isPlainRemote(baseUrl: string): boolean {
  const url = new URL(baseUrl.split('{host}').join('host.invalid'));
  return url.protocol === 'http:' && !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

function describeSettings(settings: ServerSettings): string {
  const grants = [
    settings.chatServiceSid && `chat ${settings.chatServiceSid}`,
    settings.syncServiceSid && `sync ${settings.syncServiceSid}`,
    settings.twimlAppSid && `voice ${settings.twimlAppSid}`,
    'video',
  ].filter(Boolean);
  return [
    `  account ${settings.accountSid ?? '(not set)'}, API key ${settings.apiKeySid ?? '(not set)'}, secret ${settings.apiSecret ? '(set, not shown)' : '(not set)'}`,
    `  region ${settings.region ?? 'us1 (TWILIO_REGION unset)'}${settings.edge ? `, edge ${settings.edge}` : ''}; grants: ${grants.join(', ')}; token lifetime ${settings.ttlSeconds} s`,
    ...(settings.workspaceSid ? [`  TaskRouter workspace ${settings.workspaceSid} (the reference server does not mint TaskRouter grants: a worker SID is per user)`] : []),
  ].join('\n');
}

async function diagnoseGivenToken(token: string, args: DoctorArgs, io: DoctorIo, now: number): Promise<DoctorReport> {
  const { settings } = readServerSettings(io.env);
  // Only what the environment holds: a region is compared only when TWILIO_REGION is set.
  const { region: _defaultRegion, ...context } = contextFor(settings, args.products, now);
  const fullContext: DiagnoseContext = { ...context, ...(settings.region ? { region: settings.region } : {}), ...(args.twilioCode === undefined ? {} : { twilioCode: args.twilioCode }) };
  const names = { accountSid: 'TWILIO_ACCOUNT_SID', apiKeySid: 'TWILIO_API_KEY', apiSecret: 'TWILIO_API_SECRET', region: 'TWILIO_REGION' } as const;
  const against = (Object.keys(names) as Array<keyof typeof names>).filter((key) => fullContext[key] !== undefined).map((key) => names[key]);
  const diagnosis = await io.diagnose(token, fullContext);
  return {
    ...diagnosis,
    subject: [
      `Diagnosing the token given with --token (its signature is never shown)${against.length > 0 ? `, against ${against.join(', ')} from the environment` : ''}${args.products.length > 0 ? `, for ${args.products.join(', ')}` : ''}.`,
    ],
    passed: [],
  };
}

async function checkConfiguration(args: DoctorArgs, io: DoctorIo, now: number): Promise<DoctorReport> {
  const { settings } = readServerSettings(io.env);
  const offline = await checkServerConfigWith(io.env, io.mint, { diagnose: io.diagnose, now });
  const subject = ['Checking the token server configuration from the environment:', describeSettings(settings)];
  const findings: Finding[] = [...offline.findings];
  const passed: string[] = [];
  if (offline.findings.length === 0) passed.push('A sample token minted with these settings passes every offline check.');
  const hasCredentials = Boolean(settings.accountSid && settings.apiKeySid && settings.apiSecret);
  if (args.offline) {
    subject.push("Offline (--offline): Twilio's REST API was not asked; the key, secret, account, region and SIDs are checked for shape only.");
  } else if (!hasCredentials) {
    subject.push("Twilio's REST API was not asked: the credentials are incomplete.");
  } else {
    const where = args.baseUrl ? `${args.baseUrl} (--base-url / TWILIO_DOCTOR_BASE_URL)` : `${twilioHost('api', settings.region, settings.edge)} and the products' hosts`;
    subject.push(`Online: asking Twilio's REST API at ${where}.`);
    if (args.baseUrl && isPlainRemote(args.baseUrl)) subject.push('Note: that base URL is plain http on another host: the API key and secret cross the network unencrypted.');
    const client = createRestClient({ apiKeySid: settings.apiKeySid!, apiSecret: settings.apiSecret!, timeoutMs: args.timeoutMs });
    const online = await checkOnline(client, settings, args.baseUrl ? { baseUrl: args.baseUrl } : {});
    findings.push(...online.findings);
    passed.push(...online.passed);
  }
  return { ok: findings.every((found) => found.severity !== 'error'), findings, subject, passed };
}

/**
 * `twilio-token-lifecycle doctor [options]`: checks the configuration in `io.env` (or `--token`), prints
 * the findings in words (or as JSON with `--json`), and returns the exit status: 0 when no finding is an
 * error, 1 when one is, 2 for a usage error, 3 when the doctor itself failed. Never prints the API secret
 * or a token's signature.
 */
export async function runDoctorCommand(argv: string[], io: DoctorIo): Promise<number> {
  const secrets = [io.env.TWILIO_API_SECRET];
  let args: DoctorArgs;
  try {
    args = parseDoctorArgs(argv, io.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(scrub(`twilio-token-lifecycle: ${error.message}\n\n${USAGE}\n`, secrets));
    return EXIT.usage;
  }
  if (args.command === 'help') {
    io.stdout(`${USAGE}\n`);
    return EXIT.ok;
  }
  try {
    const now = (io.now ?? Date.now)();
    const token = args.token === '-' ? (await io.readStdin()).trim() : args.token;
    // The token's signature must never be printed: scrubbed from everything, in case.
    if (token !== undefined) secrets.push(token, token.split('.')[2]);
    const report = token === undefined ? await checkConfiguration(args, io, now) : await diagnoseGivenToken(token, args, io, now);
    io.stdout(scrub(args.json ? formatJson(report) : formatText(report), secrets));
    return report.ok ? EXIT.ok : EXIT.errorFound;
  } catch (error) {
    io.stderr(scrub(`twilio-token-lifecycle doctor failed: ${error instanceof Error ? error.message : String(error)}\n`, secrets));
    return EXIT.failed;
  }
}
