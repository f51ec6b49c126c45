import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

// A fake TaskRouter event bridge on 127.0.0.1, as much of it as the real `twilio-taskrouter` 2.x Worker
// needs (read off its dist/index.commonjs2.js, EventBridgeSignaling and Request):
// - WebSocket `<wsServer>?token=<jwt>&closeExistingSessions=…&clientVersion=…`; the server pushes
//   `{ event_type, payload }` JSON, first `init` with `token_lifetime` (ms), and blank heartbeats.
// - REST: every call is `POST <ebServer>` with `{ url, method, params, token }`, answered `{ payload }`.
// What Twilio does at expiry is not in the SDK; this fake closes the socket when the token it was
// opened with expires (code 4001, our choice: the Worker reads only the reason) and refuses an expired
// or foreign token (401 at the upgrade, 401 JSON for REST).

export const ACCOUNT_SID = 'AC00000000000000000000000000000000';
export const WORKSPACE_SID = 'WS00000000000000000000000000000000';
export const WORKER_SID = 'WK00000000000000000000000000000000';
const ACTIVITY_SID = 'WA00000000000000000000000000000000';

/** One use of a token on the wire: a WebSocket opened with it, or a REST call carrying it. */
export interface WireUse {
  via: 'websocket' | 'rest';
  jwt: string;
  at: number;
  /** Why the server refused it; absent when accepted. */
  refused?: string;
}

export interface EventBridgeOptions {
  /** The identity (and Worker) the bridge serves; any other token is refused. @default 'alice' */
  identity?: string;
  /** HMAC secret the tokens are signed with. @default 'test-secret' (mintTestToken's) */
  secret?: string;
  /** The `token_lifetime` sent in `init`. @default what is left of the token */
  reportedLifetimeMs?: (remainingMs: number) => number;
}

interface Claims {
  exp?: number;
  nbf?: number;
  grants?: { identity?: string; task_router?: { workspace_sid?: string; worker_sid?: string } };
}

const base64url = (bytes: Buffer) => bytes.toString('base64url');

export async function startEventBridge(options: EventBridgeOptions = {}) {
  const identity = options.identity ?? 'alice';
  const secret = options.secret ?? 'test-secret';
  const uses: WireUse[] = [];
  const sockets = new Set<WebSocket>();
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, work: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      work();
    }, ms);
    timers.add(timer);
    return timer;
  };

  /** Why `jwt` is refused now, or undefined when it is good; its claims when good. */
  const check = (jwt: string): { refused: string } | { claims: Claims } => {
    const [header, payload, signature] = jwt.split('.');
    if (!header || !payload || !signature) return { refused: 'malformed' };
    if (base64url(createHmac('sha256', secret).update(`${header}.${payload}`).digest()) !== signature) return { refused: 'bad signature' };
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Claims;
    const now = Date.now();
    if (claims.exp === undefined || claims.exp * 1000 <= now) return { refused: 'expired' };
    if (claims.nbf !== undefined && claims.nbf * 1000 > now) return { refused: 'not yet valid' };
    if (claims.grants?.identity !== identity) return { refused: 'foreign identity' };
    const grant = claims.grants.task_router;
    if (grant?.worker_sid !== WORKER_SID || grant.workspace_sid !== WORKSPACE_SID) return { refused: 'no task_router grant for this worker' };
    return { claims };
  };
  const record = (via: WireUse['via'], jwt: string) => {
    const result = check(jwt);
    uses.push({ via, jwt, at: Date.now(), ...('refused' in result && { refused: result.refused }) });
    return result;
  };

  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const answer = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      let call: { url?: string; token?: string };
      try {
        call = JSON.parse(body) as typeof call;
      } catch {
        return answer(400, { message: 'body is not JSON' });
      }
      const result = record('rest', String(call.token));
      if ('refused' in result) return answer(401, { message: `token ${result.refused}` });
      const payload = restPayload(call.url ?? '');
      return payload ? answer(200, { payload }) : answer(404, { message: `no route ${call.url}` });
    });
  });

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const jwt = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('token') ?? '';
    const result = record('websocket', jwt);
    if ('refused' in result) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      const remainingMs = (result.claims.exp ?? 0) * 1000 - Date.now();
      const tokenLifetime = options.reportedLifetimeMs?.(remainingMs) ?? remainingMs;
      const payload = { channel_id: WORKER_SID, account_sid: ACCOUNT_SID, workspace_sid: WORKSPACE_SID, token_lifetime: tokenLifetime };
      ws.send(JSON.stringify({ event_type: 'init', payload }));
      const heartbeat = setInterval(() => ws.send(' '), 10_000);
      const expiry = later(remainingMs, () => ws.close(4001, 'Token expired'));
      ws.on('close', () => {
        sockets.delete(ws);
        clearInterval(heartbeat);
        clearTimeout(expiry);
        timers.delete(expiry);
      });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    /** The Worker's `ebServer` and `wsServer` options. */
    workerOptions: { ebServer: `http://127.0.0.1:${port}/v1/wschannels`, wsServer: `ws://127.0.0.1:${port}/v1/wschannels` },
    uses,
    /** Cuts every open WebSocket, as a network drop would. */
    drop() {
      for (const ws of sockets) ws.terminate();
    },
    /** WebSockets open now. */
    get openSockets() {
      return sockets.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        for (const ws of sockets) ws.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const list = (contents: unknown[]) => ({ contents, after_sid: null });
const seconds = () => Math.floor(Date.now() / 1000);

/** Just enough of TaskRouter's REST answers for the Worker to get `ready`. */
function restPayload(url: string): unknown {
  const worker = `Workspaces/${WORKSPACE_SID}/Workers/${WORKER_SID}`;
  if (url === worker) {
    return {
      account_sid: ACCOUNT_SID,
      activity_name: 'Available',
      activity_sid: ACTIVITY_SID,
      attributes: '{}',
      available: true,
      date_created: seconds(),
      date_status_changed: seconds(),
      date_updated: seconds(),
      friendly_name: 'alice',
      sid: WORKER_SID,
      workspace_sid: WORKSPACE_SID,
      version: '1',
    };
  }
  if (url === `Workspaces/${WORKSPACE_SID}/Activities`) {
    const activity = { account_sid: ACCOUNT_SID, available: true, date_created: seconds(), date_updated: seconds(), friendly_name: 'Available', sid: ACTIVITY_SID, workspace_sid: WORKSPACE_SID };
    return list([activity]);
  }
  if (url === `${worker}/WorkerChannels` || url === `${worker}/Reservations`) return list([]);
  return undefined;
}
