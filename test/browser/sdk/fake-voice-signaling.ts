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

/** A change of one socket's registration, as the server saw it. */
export interface RegistrationEvent {
  at: number;
  socket: number;
  identity: string | undefined;
  registered: boolean;
  /** What changed it: `register` with audio true/false, or the socket closing. */
  cause: 'register' | 'unregister' | 'close';
}

/** An incoming call to send: Twilio's parameters. */
export interface FakeInvite {
  callSid: string;
  from: string;
  to: string;
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
 *
 * Registration, as Twilio tracks it: `register {media:{audio:true}}` makes the socket registered for its
 * token's identity (answered `ready`), `audio:false` unregisters it (answered `offline`), and a closed
 * socket is unregistered; each change is logged in `registrations`. `invite()` sends an incoming call to
 * every registered socket of an identity, `cancel()` ends it there.
 */
export async function startFakeVoiceSignaling(options: FakeVoiceSignalingOptions) {
  const listens: ReceivedListen[] = [];
  /** Times at which the last token on an open socket expired without a replacement. */
  const expiredOnWire: number[] = [];
  // The TTL in `connected`, from which the Device arms tokenWillExpire: the seconds the token has left.
  const reportTtl = (expiresAt: number, now: number) => Math.max(0, Math.floor((expiresAt - now) / 1000));
  let connections = 0;
  const sockets = new Set<WebSocket>();
  const registrations: RegistrationEvent[] = [];
  // Each open socket: its number, the identity of its last valid token, and whether it is registered.
  const peers = new Map<WebSocket, { id: number; identity: string | undefined; registered: boolean }>();
  const setRegistered = (socket: WebSocket, registered: boolean, cause: RegistrationEvent['cause']) => {
    const peer = peers.get(socket);
    if (!peer || peer.registered === registered) return;
    peer.registered = registered;
    registrations.push({ at: Date.now(), socket: peer.id, identity: peer.identity, registered, cause });
  };
  const registeredSockets = (identity: string) => [...peers].filter(([, peer]) => peer.registered && peer.identity === identity).map(([socket]) => socket);

  const https = createServer({ cert: options.certificate.cert, key: options.certificate.key });
  const wss = new WebSocketServer({ server: https, path: '/signal' });

  wss.on('connection', (socket) => {
    connections += 1;
    sockets.add(socket);
    peers.set(socket, { id: connections, identity: undefined, registered: false });
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
      setRegistered(socket, false, 'close');
      peers.delete(socket);
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
        peers.get(socket)!.identity = verdict.identity;
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
        const audio = (parsed.payload as { media?: { audio?: unknown } } | undefined)?.media?.audio === true;
        setRegistered(socket, audio, audio ? 'register' : 'unregister');
        socket.send(message(audio ? 'ready' : 'offline', {}));
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
    registrations,
    /** How many sockets are registered for `identity` right now. */
    registeredCount: (identity: string) => registeredSockets(identity).length,
    /** Sends an incoming call to every registered socket of `identity`; returns how many got it. */
    invite(identity: string, { callSid, from, to }: FakeInvite): number {
      const targets = registeredSockets(identity);
      const sdp = 'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';
      for (const target of targets) {
        target.send(message('invite', { callsid: callSid, sdp, parameters: { CallSid: callSid, From: from, To: to, AccountSid: 'AC00000000000000000000000000000001' } }));
      }
      return targets.length;
    },
    /** The caller hangs up: `cancel` to every registered socket of `identity`. */
    cancel(identity: string, callSid: string): void {
      for (const target of registeredSockets(identity)) target.send(message('cancel', { callsid: callSid }));
    },
    close: () => closeWebSocketServer(https, wss, sockets),
  };
}

export type FakeVoiceSignaling = Awaited<ReturnType<typeof startFakeVoiceSignaling>>;
