import net from 'node:net';
import { WebSocket } from 'ws';
import { createTokenManager, type TokenError, type TokenManager, type TokenManagerOptions } from 'twilio-token-lifecycle';
import { mintTestToken, type MintTestTokenOptions } from 'twilio-token-lifecycle/testing';
import { startTokenServer } from '../helpers/http-server';
import { startFakeTwilsock, type FakeTwilsockOptions } from './fake-twilsock';

/**
 * What the real-SDK tests share: the fake twilsock server, a real HTTP token endpoint on 127.0.0.1, a
 * manager that fetches from it, and a guard that fails the test if anything dials off loopback.
 */

/** Every TCP destination dialled off loopback while a harness was up. */
export const foreignDials: string[] = [];
const connect = net.Socket.prototype.connect;
let isGuarded = false;

function guardLoopback() {
  if (isGuarded) return;
  isGuarded = true;
  // Every Node client (http, https, ws, undici's fetch) dials through net.Socket#connect.
  net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
    // net.connect() passes its normalised arguments as one array.
    const first = (Array.isArray(args[0]) ? args[0][0] : args[0]) as { host?: string; path?: string } | number | string;
    const host = typeof first === 'object' && first !== null ? (first.path ? 'unix' : first.host) : typeof args[1] === 'string' ? args[1] : 'localhost';
    if (host !== undefined && host !== 'unix' && host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') {
      foreignDials.push(String(host));
      throw new Error(`The SDK tried to reach ${String(host)}: only 127.0.0.1 is allowed`);
    }
    return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof connect;
}

export interface HarnessOptions extends FakeTwilsockOptions {
  /** Lifetime of each token the endpoint mints. */
  ttlSeconds: number;
  /** Grants besides identity. */
  grants?: MintTestTokenOptions['grants'];
}

export async function startHarness(options: HarnessOptions) {
  guardLoopback();
  // Node 20 has no global WebSocket; twilsock reads `global.WebSocket` when it connects.
  const previousWebSocket = (globalThis as { WebSocket?: unknown }).WebSocket;
  (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;
  const twilsock = await startFakeTwilsock(options);
  let isTokenServerDown = false;
  // Set: every token is minted with this `iat`, so the endpoint answers the same bytes each time, as
  // Twilio's helper does within one second.
  let frozenIssuedAt: number | undefined;
  const minted: string[] = [];
  /** When each token request arrived (epoch ms). */
  const requestTimes: number[] = [];
  const tokens = await startTokenServer((_request, response) => {
    requestTimes.push(Date.now());
    if (isTokenServerDown) {
      response.writeHead(503, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 'unavailable', message: 'Down for this test' } }));
      return;
    }
    const token = mintTestToken({ ttlSeconds: options.ttlSeconds, issuedAt: frozenIssuedAt ?? Date.now(), grants: options.grants });
    minted.push(token);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ token }));
  });
  const errors: TokenError[] = [];
  const managers: TokenManager[] = [];
  const createManager = (extra: Pick<TokenManagerOptions, 'retry' | 'random' | 'refreshBeforeMs'> = {}) => {
    const manager = createTokenManager({ url: tokens.url, crossTab: false, page: false, network: false, ...extra });
    managers.push(manager);
    return manager;
  };
  return {
    twilsock,
    tokens,
    minted,
    requestTimes,
    errors,
    onError: (error: TokenError) => void errors.push(error),
    createManager,
    /** While down, the token endpoint answers 503. */
    setTokenServerDown(value: boolean) {
      isTokenServerDown = value;
    },
    /** Mints every token with this `iat` (identical bytes each time) until called with undefined. */
    freezeMinting(issuedAt: number | undefined) {
      frozenIssuedAt = issuedAt;
    },
    async close() {
      for (const manager of managers) manager.stop();
      await twilsock.close();
      await tokens.close();
      (globalThis as { WebSocket?: unknown }).WebSocket = previousWebSocket;
    },
  };
}

export type Harness = Awaited<ReturnType<typeof startHarness>>;

/** Resolves when `predicate` holds, polling; rejects with `message` after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs: number, message: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms: ${message}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Resolves once the client has sent the fake no REST call for 1 s (its start-up calls answered). */
export async function quiet(harness: Harness, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let seen = -1; seen !== harness.twilsock.upstream.length; ) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms: the client kept calling REST`);
    seen = harness.twilsock.upstream.length;
    await sleep(1_000);
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
