import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mintTestToken } from 'twilio-token-lifecycle/testing';

export interface TokenRequest {
  at: number;
  status: number;
  /** The JWT served, when one was. */
  jwt?: string;
}

/** A silent 8 kHz mono WAV of 0.1 s: every Device sound points here, so nothing is fetched from Twilio. */
function silentWav(): Buffer {
  const samples = 800;
  const buffer = Buffer.alloc(44 + samples);
  buffer.write('RIFF', 0);
  buffer.writeUInt32LE(36 + samples, 4);
  buffer.write('WAVEfmt ', 8);
  buffer.writeUInt32LE(16, 16);
  buffer.writeUInt16LE(1, 20); // PCM
  buffer.writeUInt16LE(1, 22); // mono
  buffer.writeUInt32LE(8000, 24);
  buffer.writeUInt32LE(8000, 28);
  buffer.writeUInt16LE(1, 32);
  buffer.writeUInt16LE(8, 34);
  buffer.write('data', 36);
  buffer.writeUInt32LE(samples, 40);
  buffer.fill(128, 44); // 8-bit PCM silence
  return buffer;
}

const sendJson = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
};

/**
 * The page's origin on 127.0.0.1: serves one bundled page at `/`, a silent sound at `/sound.wav`, and
 * the token endpoint `POST /api/token` (`?identity=` for a user other than `identity`), which mints a real short-lived token (HS256, the test kit's
 * secret) with Voice and Video grants on every call — byte-identical within one second, as Twilio's
 * helper does.
 */
export async function startSdkPageServer(options: {
  script: string;
  ttlSeconds: number;
  identity?: string;
  /**
   * Hands out the same JWT again for this long after minting it, as a server that caches its token
   * does (and Twilio's helper within one second). @default 0
   */
  reuseForMs?: number;
}) {
  const requests: TokenRequest[] = [];
  let failuresLeft = 0;
  let lastMinted: { jwt: string; at: number; identity: string } | undefined;
  const wav = silentWav();
  const html = '<!doctype html><meta charset="utf-8"><title>sdk</title><script type="module" src="/page.js"></script>';

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/api/token') {
      req.resume();
      req.on('end', () => {
        if (req.method !== 'POST') return sendJson(res, 405, { error: 'method-not-allowed', message: 'POST only' });
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          requests.push({ at: Date.now(), status: 503 });
          return sendJson(res, 503, { error: 'unavailable', message: 'The token service is down (test)' });
        }
        const now = Date.now();
        // `?identity=` on the token URL picks the user (several users' tabs on one origin).
        const identity = new URL(req.url ?? '/', 'http://x').searchParams.get('identity') ?? options.identity ?? 'alice';
        if (!lastMinted || lastMinted.identity !== identity || now - lastMinted.at >= (options.reuseForMs ?? 0)) {
          const jwt = mintTestToken({
            identity,
            ttlSeconds: options.ttlSeconds,
            grants: { voice: { incoming: { allow: true } }, video: {} },
          });
          lastMinted = { jwt, at: now, identity };
        }
        const { jwt } = lastMinted;
        requests.push({ at: Date.now(), status: 200, jwt });
        sendJson(res, 200, { token: jwt });
      });
      return;
    }
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return void res.end(html);
    }
    if (path === '/page.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      return void res.end(options.script);
    }
    if (path === '/sound.wav') {
      res.writeHead(200, { 'content-type': 'audio/wav' });
      return void res.end(wav);
    }
    sendJson(res, 404, { error: 'not-found', message: `No route for ${path}` });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    /** The next `count` token requests answer 503. */
    failNext(count: number) {
      failuresLeft = count;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type SdkPageServer = Awaited<ReturnType<typeof startSdkPageServer>>;
