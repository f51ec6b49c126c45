import type { ServerSettings } from '../doctor/config-settings';
import type { Finding, FindingCode } from '../doctor/types';
import { KNOWN_REGIONS, restUrl, twilioHost, type RestProduct } from './twilio-hosts';
import type { RestAnswer, RestClient } from './twilio-rest';

/** What the online checks found, and what they proved right (in words, for the report). */
export interface OnlineResult {
  findings: Finding[];
  passed: string[];
}

interface Where {
  region: string;
  edge?: string;
  baseUrl?: string;
}

const url = (where: Where, product: RestProduct, path: string) => restUrl(twilioHost(product, where.region, where.edge), path, where.baseUrl);
const hostOf = (where: Where, product: RestProduct) => twilioHost(product, where.region, where.edge);

const error = (code: FindingCode, message: string, fix: string, twilioCodes: number[]): Finding => ({ code, severity: 'error', message, fix, twilioCodes });
const warning = (code: FindingCode, message: string, fix: string, twilioCodes: number[] = []): Finding => ({ code, severity: 'warning', message, fix, twilioCodes });

const statusWords = (answer: RestAnswer) =>
  answer.kind === 'unreachable' ? answer.reason : `HTTP ${'status' in answer ? answer.status : answer.kind === 'not-found' ? 404 : 200}${'code' in answer && answer.code ? `, Twilio code ${answer.code}` : ''}`;

/** A finding for an answer that proves nothing either way (no answer, 403, 429, 5xx). */
function inconclusive(answer: RestAnswer, what: string, host: string): Finding {
  if (answer.kind === 'unreachable') {
    return warning('network-error', `Could not ask Twilio (${host}) ${what}: ${answer.reason}. That check was not made.`, 'Check the network, proxy or firewall and run the doctor again, or run it with --offline.');
  }
  if (answer.kind === 'refused' && answer.status === 403) {
    return warning(
      'online-check-failed',
      `Twilio (${host}) did not let the API key read what is needed ${what} (${statusWords(answer)}). A Restricted API key answers so, and Restricted keys cannot sign Access Tokens.`,
      'Sign tokens with a Standard API key (Console, API keys & tokens).',
      [20159, 20160],
    );
  }
  return warning('online-check-failed', `Twilio (${host}) answered ${statusWords(answer)} ${what}, which proves nothing either way.`, 'Run the doctor again later; status.twilio.com says whether Twilio has an incident.');
}

/** The read that proves key + secret + account + region: a resource a Standard key may read. */
function credentialPath(accountSid: string, twimlAppSid?: string): string {
  return twimlAppSid ? `/2010-04-01/Accounts/${accountSid}/Applications/${twimlAppSid}.json` : `/2010-04-01/Accounts/${accountSid}/Applications.json?PageSize=1`;
}

/** The other known regions where the key authenticates (a key belongs to the region it was made in). */
async function regionsAccepting(client: RestClient, settings: Required<Pick<ServerSettings, 'accountSid'>>, where: Where): Promise<string[]> {
  const asked = url(where, 'api', credentialPath(settings.accountSid));
  const others = KNOWN_REGIONS.filter((region) => region !== where.region)
    .map((region) => ({ region, target: url({ region, ...(where.baseUrl ? { baseUrl: where.baseUrl } : {}) }, 'api', credentialPath(settings.accountSid)) }))
    // Behind one base URL without {host}, every region is the same server: asking again proves nothing.
    .filter(({ target }) => target !== asked);
  const answers = await Promise.all(others.map(async ({ region, target }) => ({ region, answer: await client.get(target) })));
  return answers.filter(({ answer }) => answer.kind === 'found').map(({ region }) => region);
}

interface ServiceCheck {
  name: string;
  sid: string;
  /** Where it must exist, in order (a Chat service may be a Conversations or a Programmable Chat one). */
  homes: Array<{ product: RestProduct; path: string }>;
  /** Where a SID of the wrong kind would be found instead, to say so. */
  elsewhere?: { product: RestProduct; path: string; kind: string };
  notFound: FindingCode;
  kind: string;
}

async function checkService(client: RestClient, check: ServiceCheck, where: Where, accountSid: string): Promise<OnlineResult> {
  const regionWords = where.region;
  for (const home of check.homes) {
    const answer = await client.get(url(where, home.product, home.path));
    if (answer.kind === 'found') return { findings: [], passed: [`${check.kind} ${check.sid} (${check.name}) exists (${hostOf(where, home.product)}).`] };
    if (answer.kind !== 'not-found') return { findings: [inconclusive(answer, `whether ${check.name} ${check.sid} exists`, hostOf(where, home.product))], passed: [] };
  }
  let instead = '';
  if (check.elsewhere && (await client.get(url(where, check.elsewhere.product, check.elsewhere.path))).kind === 'found') {
    instead = ` It is ${check.elsewhere.kind} instead.`;
  }
  return {
    findings: [
      error(
        check.notFound,
        `${check.name} is ${check.sid}, but account ${accountSid} has no ${check.kind} with that SID in ${regionWords} (Twilio answered 404).${instead}`,
        `Set ${check.name} to the SID of a ${check.kind} of this account (Twilio Console), created in ${regionWords}.`,
        [],
      ),
    ],
    passed: [],
  };
}

function serviceChecks(settings: ServerSettings): ServiceCheck[] {
  const checks: ServiceCheck[] = [];
  const { chatServiceSid: chat, syncServiceSid: sync, workspaceSid: workspace } = settings;
  if (chat) {
    checks.push({
      name: 'TWILIO_CHAT_SERVICE_SID',
      sid: chat,
      homes: [
        { product: 'conversations', path: `/v1/Services/${chat}` },
        { product: 'chat', path: `/v2/Services/${chat}` },
      ],
      elsewhere: { product: 'sync', path: `/v1/Services/${chat}`, kind: 'a Sync service' },
      notFound: 'service-not-found',
      kind: 'Conversations or Chat service',
    });
  }
  if (sync) {
    checks.push({
      name: 'TWILIO_SYNC_SERVICE_SID',
      sid: sync,
      homes: [{ product: 'sync', path: `/v1/Services/${sync}` }],
      elsewhere: { product: 'conversations', path: `/v1/Services/${sync}`, kind: 'a Conversations service' },
      notFound: 'service-not-found',
      kind: 'Sync service',
    });
  }
  if (workspace) {
    checks.push({
      name: 'TWILIO_TASKROUTER_WORKSPACE_SID',
      sid: workspace,
      homes: [{ product: 'taskrouter', path: `/v1/Workspaces/${workspace}` }],
      notFound: 'workspace-not-found',
      kind: 'TaskRouter workspace',
    });
  }
  return checks;
}

/**
 * Asks Twilio's REST API what only Twilio knows: that the API key and secret authenticate for the account
 * in the configured region (else whether another region accepts them: `region-mismatch`; else
 * `credentials-refused`), and that each configured TwiML app, service and workspace exists
 * (`application-not-found`, `service-not-found`, `workspace-not-found`). No answer, a 403 or a 5xx is a
 * warning: the check was not made. Never throws.
 */
export async function checkOnline(client: RestClient, settings: ServerSettings, options: { baseUrl?: string } = {}): Promise<OnlineResult> {
  const { accountSid, apiKeySid, apiSecret, twimlAppSid } = settings;
  if (!accountSid || !apiKeySid || !apiSecret) return { findings: [], passed: [] };
  const where: Where = { region: settings.region ?? 'us1', ...(settings.edge ? { edge: settings.edge } : {}), ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}) };
  const apiHost = hostOf(where, 'api');
  const answer = await client.get(url(where, 'api', credentialPath(accountSid, twimlAppSid)));
  const result: OnlineResult = { findings: [], passed: [] };

  if (answer.kind === 'refused' && answer.status === 401) {
    const elsewhere = await regionsAccepting(client, { accountSid }, where);
    if (elsewhere.length > 0) {
      const region = elsewhere[0]!;
      result.findings.push(
        error(
          'region-mismatch',
          `Twilio refused API key ${apiKeySid} in ${where.region} (${apiHost}) but accepts it in ${region}: the key was created in ${region}, and a key works only in its own region.`,
          region === 'us1'
            ? `Unset TWILIO_REGION (us1 is the default), or create a key in ${where.region}.`
            : `Set TWILIO_REGION=${region}, so the server writes the region into its tokens (twr: ${region}) and the SDKs use ${region}; or create a key in ${where.region}.`,
          [20103, 20151],
        ),
      );
    } else {
      result.findings.push(
        error(
          'credentials-refused',
          `Twilio refused API key ${apiKeySid} with this secret for account ${accountSid} in ${where.region} (${apiHost}: ${statusWords(answer)}). The secret is wrong, or the key belongs to another account or subaccount, was deleted, or was made in another region.`,
          `Check that TWILIO_API_SECRET is the secret of ${apiKeySid}, that the key was created in account ${accountSid} (Console, API keys & tokens) and still exists, and that TWILIO_REGION names the region it was made in.`,
          [20103, 20107],
        ),
      );
    }
    // Every other read would be refused the same way.
    return result;
  }
  if (answer.kind === 'found' || (answer.kind === 'not-found' && twimlAppSid)) {
    result.passed.push(`Twilio accepts API key ${apiKeySid} and its secret for account ${accountSid} in ${where.region} (${apiHost}).`);
  }
  if (answer.kind === 'found' && twimlAppSid) result.passed.push(`TwiML app ${twimlAppSid} (TWILIO_TWIML_APP_SID) exists.`);
  if (answer.kind === 'not-found' && twimlAppSid) {
    result.findings.push(
      error(
        'application-not-found',
        `TWILIO_TWIML_APP_SID is ${twimlAppSid}, but account ${accountSid} has no TwiML app with that SID in ${where.region} (Twilio answered 404).`,
        'Set TWILIO_TWIML_APP_SID to a TwiML app of this account (Console, Voice, TwiML apps): outgoing calls need it.',
        [],
      ),
    );
  }
  if (answer.kind !== 'found' && !(answer.kind === 'not-found' && twimlAppSid)) {
    result.findings.push(inconclusive(answer, `whether API key ${apiKeySid} authenticates for account ${accountSid}`, apiHost));
    // Twilio did not answer, or not usefully: the other reads would fare no better.
    if (answer.kind === 'unreachable' || answer.kind === 'unexpected') return result;
  }

  const services = await Promise.all(serviceChecks(settings).map((check) => checkService(client, check, where, accountSid)));
  for (const service of services) {
    result.findings.push(...service.findings);
    result.passed.push(...service.passed);
  }
  return result;
}
