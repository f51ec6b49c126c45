import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { closeWebSocketServer } from '../helpers/close-websocket-server';

/**
 * A fake Twilio twilsock server on 127.0.0.1, speaking twilsock's own framing
 * (`TWILSOCK V3.0 <header length>\r\n<header JSON>\r\n<payload>`) to the real Conversations, Chat and
 * Sync clients. It checks each token of an `init` or `update` (signature, expiry, identity), answers a
 * refused one with 401 / 20104 as Twilio does, pushes `client_update` `token_about_to_expire` before
 * the accepted token expires and closes the connection with 410 when it does. REST calls, which the
 * SDKs send over the socket (`message` with an `http_request`), go to `rest`.
 */

/** One token the server received on the wire. */
export interface WireToken {
  method: 'init' | 'update';
  jwt: string;
  /** Server time (epoch ms) it arrived. */
  at: number;
  /** `exp` of the token, in epoch ms. */
  expiresAt: number;
  accepted: boolean;
}

/** A REST request an SDK sent over twilsock. */
export interface UpstreamRequest {
  host: string;
  path: string;
  method: string;
  params?: Record<string, unknown>;
  body: unknown;
}

export type RestHandler = (request: UpstreamRequest) => { status?: number; body?: unknown } | undefined;

export interface FakeTwilsockOptions {
  /** The HMAC secret the tokens must be signed with. @default 'test-secret' */
  secret?: string;
  /** The identity every token must be for. @default 'alice' */
  identity?: string;
  /** How long before the token's expiry `token_about_to_expire` is pushed. @default 3000 */
  aboutToExpireLeadMs?: number;
  /** Answers the SDKs' REST calls; unanswered ones get 404. */
  rest?: RestHandler;
}

const FRAME_MAGIC = 'TWILSOCK V3.0 ';

/** Parses one twilsock frame. Throws on anything else, so a framing mistake fails the test. */
export function parseFrame(data: Buffer): { header: Record<string, any>; payload: unknown } {
  const text = data.toString('utf8');
  const firstBreak = text.indexOf('\r\n');
  const magic = text.slice(0, firstBreak);
  if (!magic.startsWith(FRAME_MAGIC)) throw new Error(`not a twilsock frame: ${magic.slice(0, 40)}`);
  const headerLength = Number(magic.slice(FRAME_MAGIC.length));
  const bytes = Buffer.from(data);
  const headerStart = Buffer.byteLength(magic) + 2;
  const header = JSON.parse(bytes.subarray(headerStart, headerStart + headerLength).toString('utf8'));
  const payloadStart = headerStart + headerLength + 2;
  const payloadText = bytes.subarray(payloadStart, payloadStart + (header.payload_size ?? 0)).toString('utf8');
  return { header, payload: payloadText === '' ? undefined : JSON.parse(payloadText) };
}

/** Builds one twilsock frame, as twilsock's `Parser.createPacket` does. */
export function frame(header: Record<string, unknown>, payload?: unknown): Buffer {
  const body = payload === undefined ? '' : JSON.stringify(payload);
  const headerText = JSON.stringify({ ...header, payload_size: Buffer.byteLength(body) });
  return Buffer.from(`${FRAME_MAGIC}${Buffer.byteLength(headerText)}\r\n${headerText}\r\n${body}`);
}

function decodeClaims(jwt: string): { exp?: number; grants?: { identity?: string } } | undefined {
  try {
    return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

function isSignedWith(jwt: string, secret: string): boolean {
  const [header, payload, signature] = jwt.split('.');
  if (!header || !payload || !signature) return false;
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest();
  const actual = Buffer.from(signature, 'base64url');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

let nextId = 0;
const serverId = () => `TM${(nextId++).toString(16).padStart(32, '0')}`;

/** Starts the fake on 127.0.0.1; `url` is the `twilsock.uri` to give the SDKs. */
export async function startFakeTwilsock(options: FakeTwilsockOptions = {}) {
  const secret = options.secret ?? 'test-secret';
  const identity = options.identity ?? 'alice';
  const lead = options.aboutToExpireLeadMs ?? 3_000;
  const received: WireToken[] = [];
  const upstream: UpstreamRequest[] = [];
  const sockets = new Set<WebSocket>();
  // Per connection: close it now as if its token had expired; push `token_about_to_expire` now.
  const expireNowBy = new Map<WebSocket, () => void>();
  const warnNowBy = new Map<WebSocket, () => void>();
  let closes410 = 0;
  let warnings = 0;
  const protocolErrors: string[] = [];
  let refuseEveryToken = false;

  const http = createServer((_req, res) => {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'not-found', message: 'The fake serves twilsock only' } }));
  });
  let isRefusingSockets = false;
  let refusedSockets = 0;
  // While refusing, the WebSocket handshake fails (401): the client sees a socket error, as when a
  // proxy or a dead network kills it.
  const wss = new WebSocketServer({
    server: http,
    verifyClient: () => {
      if (isRefusingSockets) refusedSockets += 1;
      return !isRefusingSockets;
    },
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;

  /** Why the token is refused, or undefined when it is good. */
  const refusal = (jwt: string): string | undefined => {
    const claims = decodeClaims(jwt);
    if (refuseEveryToken) return 'Token refused (every token is, for this test)';
    if (!claims || !isSignedWith(jwt, secret)) return 'Invalid Access Token signature';
    if ((claims.exp ?? 0) * 1000 <= Date.now()) return 'Access Token expired or expiration date invalid';
    if (claims.grants?.identity !== identity) return 'Access Token is for another identity';
    return undefined;
  };

  let connections = 0;
  wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    connections += 1;
    sockets.add(socket);
    let timers: ReturnType<typeof setTimeout>[] = [];
    const clearTimers = () => {
      for (const timer of timers) clearTimeout(timer);
      timers = [];
    };
    const send = (header: Record<string, unknown>, payload?: unknown) => {
      if (socket.readyState === socket.OPEN) socket.send(frame(header, payload));
    };
    const warn = () => {
      warnings += 1;
      send({ method: 'client_update', id: serverId(), client_update_type: 'token_about_to_expire' });
    };
    const expire = () => {
      clearTimers();
      closes410 += 1;
      send({ method: 'close', id: serverId(), status: { code: 410, status: 'TOKEN_EXPIRED', description: 'Token expired' } });
      socket.close();
    };
    expireNowBy.set(socket, expire);
    warnNowBy.set(socket, warn);
    // The accepted token's life on this connection: a warning before its expiry, a 410 close at it.
    const watch = (expiresAt: number) => {
      clearTimers();
      const now = Date.now();
      timers.push(setTimeout(warn, Math.max(0, expiresAt - lead - now)), setTimeout(expire, Math.max(0, expiresAt - now)));
    };
    const takeToken = (method: 'init' | 'update', id: string, jwt: string, extra: Record<string, unknown> = {}) => {
      const why = refusal(jwt);
      const expiresAt = (decodeClaims(jwt)?.exp ?? 0) * 1000;
      received.push({ method, jwt, at: Date.now(), expiresAt, accepted: why === undefined });
      if (why !== undefined) {
        send({ method: 'reply', id, status: { code: 401, status: 'UNAUTHORIZED', errorCode: 20104, description: why } });
        return;
      }
      send({ method: 'reply', id, status: { code: 200, status: 'OK' }, ...extra });
      watch(expiresAt);
    };

    socket.on('message', (data: RawData) => {
      let message: ReturnType<typeof parseFrame>;
      try {
        message = parseFrame(Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer));
      } catch (error) {
        protocolErrors.push(String(error));
        return;
      }
      const { header, payload } = message;
      switch (header.method) {
        case 'init':
          return takeToken('init', header.id, header.token, {
            continuation_token: `CT-${request.socket.remotePort}`,
            continuation_token_status: { reissued: true },
            capabilities: ['client_update', 'offline_storage', 'telemetry.v1'],
            offline_storage: {},
            init_registrations: [],
          });
        case 'update':
          return takeToken('update', header.id, header.token);
        case 'message': {
          const http_request = header.http_request ?? {};
          const call: UpstreamRequest = { host: http_request.host, path: http_request.path, method: http_request.method, params: http_request.params, body: payload };
          upstream.push(call);
          const answer = options.rest?.(call) ?? { status: 404, body: { status: 404, message: `The fake has no ${call.method} ${call.path}` } };
          const status = answer.status ?? 200;
          return send(
            {
              method: 'reply',
              id: header.id,
              payload_type: 'application/json',
              status: { code: 200, status: 'OK' },
              http_status: { code: status, status: status < 300 ? 'OK' : 'ERROR' },
              http_headers: { 'Content-Type': 'application/json' },
            },
            answer.body ?? {},
          );
        }
        case 'reply': // the client's receipt of a push
        case 'close':
          return;
        default: // telemetry and the like
          return send({ method: 'reply', id: header.id, status: { code: 200, status: 'OK' } });
      }
    });
    socket.on('close', () => {
      clearTimers();
      sockets.delete(socket);
      expireNowBy.delete(socket);
      warnNowBy.delete(socket);
    });
  });

  return {
    /** The `twilsock.uri` for the SDKs. */
    url: `ws://127.0.0.1:${port}`,
    /** Base for the fake REST hosts, so every URL an SDK builds points at loopback. */
    restBase: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    received,
    upstream,
    protocolErrors,
    get openConnections() {
      return sockets.size;
    },
    /** Connections opened so far. */
    get connections() {
      return connections;
    },
    /** `token_about_to_expire` pushes sent so far. */
    get warningsSent() {
      return warnings;
    },
    /** 410 closes sent so far. */
    get expiredCloses() {
      return closes410;
    },
    /** Closes every connection with 410 now, as Twilio does when the token expires. */
    expireNow() {
      for (const expire of [...expireNowBy.values()]) expire();
    },
    /** Pushes `client_update` `token_about_to_expire` on every connection now. */
    warnNow() {
      for (const warn of warnNowBy.values()) warn();
    },
    /** Fail every WebSocket handshake from now on (and close the open sockets), until called with false. */
    refuseSockets(value = true) {
      isRefusingSockets = value;
      if (value) for (const socket of sockets) socket.terminate();
    },
    /** Handshakes failed while refusing. */
    get refusedSockets() {
      return refusedSockets;
    },
    /** Refuse every token with 20104 from now on, as Twilio does when the token server's clock is far behind. */
    refuseEveryToken(value = true) {
      refuseEveryToken = value;
    },
    /** The last token accepted on the wire. */
    lastAccepted: () => received.filter((token) => token.accepted).at(-1),
    close: () => closeWebSocketServer(http, wss, sockets),
  };
}

export type FakeTwilsock = Awaited<ReturnType<typeof startFakeTwilsock>>;
