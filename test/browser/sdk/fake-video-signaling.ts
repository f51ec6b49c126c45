import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { verifyTestToken } from './verify-test-token';
import { closeWebSocketServer } from '../../helpers/close-websocket-server';

/** One `connect` the SDK sent, and what the server answered. */
export interface ReceivedConnect {
  jwt: string;
  at: number;
  /** `connected`, or the Twilio error code it was refused with. */
  answer: 'connected' | number;
}

export interface FakeVideoSignalingOptions {
  /**
   * Refuses a token with a Twilio error code before checking it (e.g. 20104 for the first one), or
   * returns `undefined` to let the server decide. Called with the token and how many connects came before.
   */
  refuse?: (jwt: string, earlier: readonly ReceivedConnect[]) => number | undefined;
}

const ERROR_MESSAGES: Record<number, string> = {
  20101: 'Invalid Access Token',
  20104: 'Access Token expired or expiration date invalid',
};

/**
 * A fake Twilio Video signaling server (twilio-video 2.x's TCMP over WebSocket, with RSP v2 messages in
 * `msg` bodies) on `ws://127.0.0.1:<port>`: it takes the `hello` whose body is the `connect` message
 * (sent at once when `iceServers` is given), answers `welcome`, then `connected` with a room of one, or
 * an `error` with code 20101 (invalid) / 20104 (expired or refused). It answers heartbeats and `bye`.
 */
export async function startFakeVideoSignaling(options: FakeVideoSignalingOptions = {}) {
  const connects: ReceivedConnect[] = [];
  const sockets = new Set<WebSocket>();
  let rooms = 0;
  const http = createServer((_, res) => {
    res.writeHead(426, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'upgrade-required', message: 'WebSocket only' }));
  });
  const wss = new WebSocketServer({ server: http });

  wss.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const send = (message: unknown) => socket.send(JSON.stringify(message));
    const sendRsp = (body: unknown) => send({ type: 'msg', body });
    socket.on('message', (data) => {
      let message: { type?: unknown; body?: { type?: unknown; token?: unknown; name?: unknown } };
      try {
        message = JSON.parse(String(data));
      } catch {
        send({ type: 'bad', reason: 'Malformed JSON' });
        return;
      }
      if (message.type === 'heartbeat') return send({ type: 'heartbeat' });
      if (message.type === 'bye') return socket.close(1000);
      if (message.type !== 'hello') return;
      send({ type: 'welcome', negotiatedTimeout: 5_000 });
      const body = message.body;
      if (body?.type !== 'connect') return;
      const jwt = String(body.token);
      const verdict = verifyTestToken(body.token);
      const code = options.refuse?.(jwt, connects) ?? (verdict.ok ? undefined : verdict.reason === 'expired' ? 20104 : 20101);
      connects.push({ jwt, at: Date.now(), answer: code ?? 'connected' });
      if (code !== undefined) {
        sendRsp({ type: 'error', code, message: ERROR_MESSAGES[code] ?? 'Refused' });
        return;
      }
      rooms += 1;
      const hex = rooms.toString(16).padStart(32, '0');
      sendRsp({
        type: 'connected',
        version: 2,
        session: `session-${rooms}`,
        sid: `RM${hex}`,
        name: typeof body.name === 'string' ? body.name : `RM${hex}`,
        options: { session_timeout: 30 },
        participant: { sid: `PA${hex}`, identity: verdict.identity, revision: 1, state: 'connected', tracks: [] },
        participants: [],
        peer_connections: [],
      });
    });
  });

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    /** twilio-video's `wsServer` option. */
    wsServer: `ws://127.0.0.1:${port}`,
    connects,
    close: () => closeWebSocketServer(http, wss, sockets),
  };
}

export type FakeVideoSignaling = Awaited<ReturnType<typeof startFakeVideoSignaling>>;
