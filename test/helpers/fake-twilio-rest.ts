import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An API key: valid only with its secret, for its account, in the region it was made in. */
export interface FakeKey {
  sid: string;
  secret: string;
  accountSid: string;
  /** @default 'us1' */
  region?: string;
}

/** A resource of an account in a region (a TwiML app, a service, a workspace). */
export interface FakeResource {
  sid: string;
  accountSid: string;
  /** @default 'us1' */
  region?: string;
}

export interface FakeTwilioRestOptions {
  keys: FakeKey[];
  applications?: FakeResource[];
  conversationsServices?: FakeResource[];
  chatServices?: FakeResource[];
  syncServices?: FakeResource[];
  workspaces?: FakeResource[];
  /** Accept requests and never answer (a hung network path). */
  hang?: boolean;
  /** Answer every request with this status and a Twilio error body (403, 429, 503…). */
  status?: number;
}

export interface FakeRequest {
  /** The Twilio host the client meant (from the `{host}` path prefix). */
  host: string;
  method: string;
  path: string;
}

/** A fake of Twilio's REST API on 127.0.0.1, answering as Twilio documents (status codes and JSON error bodies). */
export interface FakeTwilioRest {
  /** For `--base-url` / `TWILIO_DOCTOR_BASE_URL`: `http://127.0.0.1:port/{host}`. */
  baseUrl: string;
  requests: FakeRequest[];
  close(): Promise<void>;
}

// api.twilio.com (us1), api.dublin.ie1.twilio.com, api.ie1.twilio.com
const HOST = /^([a-z]+)\.(?:(?:[a-z-]+\.)?([a-z]{2}[0-9])\.)?twilio\.com$/;

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  response.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

// Twilio's documented error bodies: 20003 for a key, secret, account or region that does not authenticate.
const unauthorized = (response: ServerResponse) =>
  send(response, 401, { code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 }, { 'WWW-Authenticate': 'Basic realm="Twilio API"' });
const notFound = (response: ServerResponse, path: string) =>
  send(response, 404, { code: 20404, message: `The requested resource ${path} was not found`, more_info: 'https://www.twilio.com/docs/errors/20404', status: 404 });

function credentials(header: string | undefined): { user: string; password: string } | undefined {
  const match = /^Basic (.+)$/.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

const inRegion = (resource: { region?: string }, region: string) => (resource.region ?? 'us1') === region;

/** Starts the fake on 127.0.0.1, port 0. */
export async function startFakeTwilioRest(options: FakeTwilioRestOptions): Promise<FakeTwilioRest> {
  const requests: FakeRequest[] = [];
  const server = createServer((request, response) => {
    const [, host = '', ...rest] = (request.url ?? '/').split('/');
    const url = new URL(`/${rest.join('/')}`, 'http://fake');
    requests.push({ host, method: request.method ?? '', path: `${url.pathname}${url.search}` });
    if (options.hang) return;
    if (options.status) return send(response, options.status, { code: options.status === 403 ? 20403 : 20500, message: 'Forced by the test', status: options.status });
    const hostMatch = HOST.exec(host);
    if (!hostMatch) return send(response, 400, { message: `not a Twilio host: ${host}` });
    const product = hostMatch[1]!;
    const region = hostMatch[2] ?? 'us1';
    const given = credentials(request.headers.authorization);
    const key = options.keys.find((candidate) => candidate.sid === given?.user && candidate.secret === given.password && inRegion(candidate, region));
    if (!key) return unauthorized(response);
    const owned = (list: FakeResource[] | undefined, sid: string | undefined) =>
      list?.find((resource) => resource.sid === sid && resource.accountSid === key.accountSid && inRegion(resource, region));
    const path = url.pathname;

    if (product === 'api') {
      const account = /^\/2010-04-01\/Accounts\/(AC\w+)\/(.*)$/.exec(path);
      // A key authenticates for its own account only.
      if (account && account[1] !== key.accountSid) return unauthorized(response);
      if (account?.[2] === 'Applications.json') {
        const applications = (options.applications ?? []).filter((app) => app.accountSid === key.accountSid && inRegion(app, region));
        return send(response, 200, { applications: applications.slice(0, 1).map((app) => ({ sid: app.sid, account_sid: app.accountSid })), page: 0, page_size: 1 });
      }
      const application = /^Applications\/(AP\w+)\.json$/.exec(account?.[2] ?? '');
      if (application) {
        const found = owned(options.applications, application[1]);
        return found ? send(response, 200, { sid: found.sid, account_sid: found.accountSid, friendly_name: 'app' }) : notFound(response, path);
      }
      return notFound(response, path);
    }
    const lists: Record<string, [RegExp, FakeResource[] | undefined]> = {
      conversations: [/^\/v1\/Services\/(IS\w+)$/, options.conversationsServices],
      chat: [/^\/v2\/Services\/(IS\w+)$/, options.chatServices],
      sync: [/^\/v1\/Services\/(IS\w+)$/, options.syncServices],
      taskrouter: [/^\/v1\/Workspaces\/(WS\w+)$/, options.workspaces],
    };
    const [pattern, list] = lists[product] ?? [/^$/, undefined];
    const found = owned(list, pattern.exec(path)?.[1]);
    return found ? send(response, 200, { sid: found.sid, account_sid: found.accountSid, friendly_name: product }) : notFound(response, path);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/{host}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
