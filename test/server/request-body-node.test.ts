// @vitest-environment node
import { serve } from '@hono/node-server';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../examples/server/app';
import { loadConfig } from '../../examples/server/config';

// Under Node a body of known length is read without a web Request (issue 21): straight from the
// parser's buffer when it is all there, else from Node's request. These check it on a real socket,
// however the bytes arrive.

const app = createApp(
  loadConfig({ TWILIO_API_SECRET: '', SESSION_SECRET: 'session-secret-for-tests' }),
  { rateLimit: { loginsPerAddress: 1_000 } },
);

const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
  const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
});
const port = (server.address() as AddressInfo).port;
const sockets: Socket[] = [];
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const login = (body: string | Buffer, extra = '') =>
  Buffer.concat([
    Buffer.from(`POST /api/login HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n`),
    Buffer.from(body),
  ]);

/** Opens a connection, hands `send` a writer, and answers everything received once `count` answers came. */
async function exchange(count: number, send: (write: (data: Buffer) => void) => Promise<void> | void): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  socket.setNoDelay(true);
  let received = '';
  socket.on('data', (data) => (received += data.toString('utf8')));
  await new Promise((resolve) => socket.once('connect', resolve));
  await send((data) => socket.write(data));
  // Generous: an answer takes milliseconds.
  for (const deadline = Date.now() + 20_000; (received.match(/HTTP\/1\.1 \d{3}/g) ?? []).length < count; ) {
    if (Date.now() > deadline) throw new Error(`only got ${received}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  // Bodies are small: the last one is in by now, or within a few more reads.
  await new Promise((resolve) => setTimeout(resolve, 50));
  return received;
}

const identitiesIn = (received: string) => [...received.matchAll(/\{"identity":("[^"]*"|null)\}/g)].map((match) => JSON.parse(match[1]!));

describe('a small body under Node', () => {
  it('is read whole when it comes in one packet with its headers', async () => {
    const received = await exchange(1, (write) => write(login('{"identity":"alice"}')));
    expect(identitiesIn(received)).toEqual(['alice']);
  });

  it('is never mixed with the next request on a keep-alive connection, pipelined in one write', async () => {
    const received = await exchange(3, (write) => write(Buffer.concat([login('{"identity":"first"}'), login('{"identity":"second"}'), login('{"identity":"third"}')])));
    expect(identitiesIn(received)).toEqual(['first', 'second', 'third']);
  });

  it('is waited for when the headers come first and the body later, in pieces', async () => {
    const whole = login('{"identity":"late"}');
    const headersEnd = whole.indexOf('\r\n\r\n') + 4;
    const received = await exchange(1, async (write) => {
      write(whole.subarray(0, headersEnd));
      await new Promise((resolve) => setTimeout(resolve, 30));
      write(whole.subarray(headersEnd, headersEnd + 5));
      await new Promise((resolve) => setTimeout(resolve, 30));
      write(whole.subarray(headersEnd + 5));
    });
    expect(identitiesIn(received)).toEqual(['late']);
  });

  it('decodes UTF-8 split across packets, and the next request on the connection still gets its own', async () => {
    const first = login('{"identity":"zoë"}');
    const split = first.indexOf('ë') + 1; // inside the two bytes of ë
    const received = await exchange(2, async (write) => {
      write(first.subarray(0, split));
      await new Promise((resolve) => setTimeout(resolve, 30));
      write(Buffer.concat([first.subarray(split), login('{"identity":"next"}')]));
    });
    expect(identitiesIn(received)).toEqual(['zoë', 'next']);
  });

  it('answers 400 for a body that is not JSON, and goes on serving the connection', async () => {
    const received = await exchange(2, (write) => write(Buffer.concat([login('{"identity":'), login('{"identity":"after"}')])));
    expect(received).toMatch(/^HTTP\/1\.1 400/);
    expect(received).toContain('"code":"invalid-json"');
    expect(identitiesIn(received)).toEqual(['after']);
  });
});
