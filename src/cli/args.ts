import { parseArgs } from 'node:util';
import type { Product } from '../doctor/types';

/** What the command line asked for. */
export interface DoctorArgs {
  command: 'doctor' | 'help';
  /** `--token <jwt>` (`-` reads it from standard input). */
  token?: string;
  offline: boolean;
  json: boolean;
  /** `--base-url`: where every REST request goes instead of Twilio's hosts. */
  baseUrl?: string;
  /** `--timeout <seconds>` per REST request. */
  timeoutMs: number;
  /** `--twilio-code <n>`: the code Twilio refused the token with. */
  twilioCode?: number;
  /** `--product <name>` (repeatable, or comma-separated): the SDKs the `--token` is for. */
  products: Product[];
}

/** The command line cannot be understood: exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `Usage: twilio-token-lifecycle doctor [options]

Checks the configuration a token server mints with (TWILIO_ACCOUNT_SID, TWILIO_API_KEY,
TWILIO_API_SECRET, TWILIO_CHAT_SERVICE_SID, TWILIO_SYNC_SERVICE_SID, TWILIO_TWIML_APP_SID,
TWILIO_TASKROUTER_WORKSPACE_SID, TWILIO_REGION, TWILIO_EDGE, TOKEN_TTL), offline and with Twilio's REST API.

Options:
  --token <jwt>         diagnose this Access Token instead (- reads it from standard input)
  --product <name>      with --token: an SDK it is for (conversations, chat, sync, voice, video,
                        taskrouter); repeat or separate with commas
  --twilio-code <n>     with --token: the error code Twilio refused it with (e.g. 20107)
  --offline             do not ask Twilio's REST API
  --json                print { "ok": boolean, "findings": [...] } as JSON
  --base-url <url>      send REST requests to <url> instead of Twilio's hosts ({host} in it is
                        replaced by the Twilio host name); also TWILIO_DOCTOR_BASE_URL
  --timeout <seconds>   per REST request (default 10)
  -h, --help            this text

Exit status: 0 no error found, 1 an error found, 2 a usage error.`;

// A stray argument may be a token or a secret: echo only a short one (a mistyped command).
const shortened = (text: string) => (text.length > 12 ? `<${text.length} characters>` : text);

const PRODUCTS: readonly Product[] = ['conversations', 'chat', 'sync', 'voice', 'video', 'taskrouter'];
const DEFAULT_TIMEOUT_SECONDS = 10;

function baseUrl(raw: string): string {
  let parsed: URL;
  try {
    parsed = new URL(raw.split('{host}').join('host.invalid'));
  } catch {
    throw new UsageError(`--base-url must be a URL such as http://127.0.0.1:8080, not "${raw}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError('--base-url must be an http:// or https:// URL');
  if (parsed.search || parsed.hash) throw new UsageError('--base-url must have no query or fragment');
  return raw;
}

/** Parses the arguments after the program name. Throws a {@link UsageError} when they make no sense. */
export function parseDoctorArgs(argv: string[], env: Record<string, string | undefined>): DoctorArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        token: { type: 'string' },
        product: { type: 'string', multiple: true },
        'twilio-code': { type: 'string' },
        offline: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        'base-url': { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help || positionals[0] === 'help') return { command: 'help', offline: true, json: false, timeoutMs: 0, products: [] };
  if (positionals.length === 0) throw new UsageError('name a command: doctor');
  if (positionals[0] !== 'doctor') throw new UsageError(`unknown command "${shortened(positionals[0]!)}"; the command is doctor`);
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${shortened(positionals[1]!)}" (a token goes after --token)`);

  const products = (values.product ?? []).flatMap((entry) => entry.split(',')).map((entry) => entry.trim().toLowerCase());
  for (const product of products) {
    if (!(PRODUCTS as readonly string[]).includes(product)) throw new UsageError(`--product must be one of ${PRODUCTS.join(', ')}, not "${product}"`);
  }
  if (values.token === undefined && (products.length > 0 || values['twilio-code'] !== undefined)) {
    throw new UsageError('--product and --twilio-code go with --token');
  }
  if (values.token === '') throw new UsageError('--token needs a token (or - to read it from standard input)');

  let twilioCode: number | undefined;
  if (values['twilio-code'] !== undefined) {
    twilioCode = Number(values['twilio-code']);
    if (!/^\d{5}$/.test(values['twilio-code'])) throw new UsageError(`--twilio-code must be a five-digit Twilio error code such as 20107, not "${values['twilio-code']}"`);
  }
  let timeoutSeconds = DEFAULT_TIMEOUT_SECONDS;
  if (values.timeout !== undefined) {
    timeoutSeconds = Number(values.timeout);
    // Below a millisecond it rounds to 0: every request would abort at once.
    if (!Number.isFinite(timeoutSeconds) || timeoutSeconds < 0.001 || timeoutSeconds > 600) throw new UsageError(`--timeout must be a number of seconds from 0.001 to 600, not "${values.timeout}"`);
  }
  const rawBase = values['base-url'] ?? (env.TWILIO_DOCTOR_BASE_URL || undefined);
  return {
    command: 'doctor',
    ...(values.token === undefined ? {} : { token: values.token }),
    offline: values.offline,
    json: values.json,
    ...(rawBase === undefined ? {} : { baseUrl: baseUrl(rawBase) }),
    timeoutMs: Math.round(timeoutSeconds * 1000),
    ...(twilioCode === undefined ? {} : { twilioCode }),
    products: products as Product[],
  };
}
