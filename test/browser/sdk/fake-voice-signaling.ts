import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { LoopbackCertificate } from './certificate';
import { verifyTestToken } from './verify-test-token';
import { closeWebSocketServer } from '../../helpers/close-websocket-server';

/** One `listen` the Device sent: how it hands the server a token (at connect and on `updateToken`). */
export interface ReceivedListen {
  jwt: string;
  at: number;
  ok: boolean;
  expiresAt: number | undefined;
}

export interface FakeVoiceSignalingOptions {
  certificate: LoopbackCertificate;
}

const message = (type: string, payload: Record<string, unknown>) => JSON.stringify({ type, version: '1.6', payload });

/**
 * A fake Twilio Voice signaling server (the pstream protocol of `@twilio/voice-sdk`) on
 * `wss://127.0.0.1:<port>/signal`: it answers the first `listen` on a socket with `connected` and the
 * token's TTL, takes later ones silently, and answers an invalid or expired token with error
 * 31204/31205; `register` with `ready`; it sends a heartbeat every 5 s. While the socket is open it
 * watches the last token it received and records when it expires with nothing newer (`expiredOnWire`).
 */
export async function startFakeVoiceSignaling(options: FakeVoiceSignalingOptions) {
  const listens: ReceivedListen[] = [];
  /** Times at which the last token on an open socket expired without a replacement. */
  const expiredOnWire: number[] = [];
  // The TTL in `connected`, from which the Device arms tokenWillExpire: the seconds the token has left.
  const reportTtl = (expiresAt: number, now: number) => Math.max(0, Math.floor((expiresAt - now) / 1000));
  let connections = 0;
  const sockets = new Set<WebSocket>();

  const https = createServer({ cert: options.certificate.cert, key: options.certificate.key });
  const wss = new WebSocketServer({ server: https, path: '/signal' });

  wss.on('connection', (socket) => {
    connections += 1;
    sockets.add(socket);
    let expiryTimer: NodeJS.Timeout | undefined;
    let answered = false;
    const watchExpiry = (expiresAt: number) => {
      clearTimeout(expiryTimer);
      expiryTimer = setTimeout(() => {
        expiredOnWire.push(Date.now());
        socket.send(message('error', { error: { code: 31205, message: 'JWT Token Expired' } }));
      }, Math.max(0, expiresAt - Date.now()));
    };
    // The Device reconnects after 15 s without a message: Twilio sends a heartbeat ('\n'), it echoes it.
    const heartbeat = setInterval(() => socket.send('\n'), 5_000);
    socket.on('close', () => {
      clearInterval(heartbeat);
      clearTimeout(expiryTimer);
      sockets.delete(socket);
    });
    socket.on('message', (data) => {
      if (String(data) === '\n') return; // the Device's heartbeat echo
      let parsed: { type?: unknown; payload?: { token?: unknown } };
      try {
        parsed = JSON.parse(String(data));
      } catch {
        socket.send(message('error', { error: { code: 31000, message: 'Malformed message' } }));
        return;
      }
      const now = Date.now();
      if (parsed.type === 'listen') {
        const jwt = parsed.payload?.token;
        const verdict = verifyTestToken(jwt, now);
        listens.push({ jwt: String(jwt), at: now, ok: verdict.ok, expiresAt: verdict.expiresAt });
        if (!verdict.ok) {
          const error = verdict.reason === 'expired' ? { code: 31205, message: 'JWT Token Expired' } : { code: 31204, message: 'JWT Token Invalid' };
          socket.send(message('error', { error }));
          return;
        }
        watchExpiry(verdict.expiresAt!);
        // `connected` (with the TTL) only once per socket; a later `listen` just swaps the token. This
        // reproduces what twilio-voice.js#93 reports of Twilio: after updateToken the event never fires.
        if (answered) return;
        answered = true;
        socket.send(
          message('connected', {
            region: 'us1',
            edge: 'ashburn',
            token: { identity: verdict.identity, ttl: reportTtl(verdict.expiresAt!, now) },
          }),
        );
      } else if (parsed.type === 'register') {
        socket.send(message('ready', {}));
      }
    });
  });

  await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
  const { port } = https.address() as AddressInfo;
  return {
    /** What the Device's `chunderw` option takes: it dials `wss://<this>/signal`. */
    chunderw: `127.0.0.1:${port}`,
    listens,
    expiredOnWire,
    connections: () => connections,
    close: () => closeWebSocketServer(https, wss, sockets),
  };
}

export type FakeVoiceSignaling = Awaited<ReturnType<typeof startFakeVoiceSignaling>>;
