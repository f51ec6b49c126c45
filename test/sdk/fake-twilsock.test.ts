// @vitest-environment node
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { mintTestToken } from 'twilio-token-lifecycle/testing';
import { frame, parseFrame, startFakeTwilsock, type FakeTwilsock } from './fake-twilsock';
import { foreignDials, startHarness } from './twilsock-harness';

// The fakes the real-SDK tests rely on, checked on their own: if they lied, those tests would prove nothing.

let fake: FakeTwilsock | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** Opens a raw socket, sends one `init` with `token`, resolves with the server's reply header. */
async function initWith(url: string, token: string): Promise<Record<string, any>> {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const reply = new Promise<Record<string, any>>((resolve) => socket.once('message', (data) => resolve(parseFrame(data as Buffer).header)));
  socket.send(frame({ method: 'init', id: 'TM1', token }));
  const header = await reply;
  socket.close();
  return header;
}

describe('the fake twilsock server', () => {
  it('frames as twilsock does: magic, header length in bytes, header, payload', () => {
    const bytes = frame({ method: 'reply', id: 'TM1' }, { name: 'Zoë' });
    const text = bytes.toString('utf8');
    expect(text).toMatch(/^TWILSOCK V3\.0 \d+\r\n\{.*\}\r\n\{"name":"Zoë"\}$/);
    const headerLength = Number(/^TWILSOCK V3\.0 (\d+)/.exec(text)![1]);
    expect(Buffer.byteLength(text.split('\r\n')[1]!)).toBe(headerLength);
    expect(parseFrame(bytes)).toEqual({ header: { method: 'reply', id: 'TM1', payload_size: Buffer.byteLength('{"name":"Zoë"}') }, payload: { name: 'Zoë' } });
    expect(() => parseFrame(Buffer.from('HELLO 1\r\n{}\r\n'))).toThrow(/not a twilsock frame/);
  });

  it('accepts a good token and refuses an expired, a foreign or a badly signed one with 401 / 20104', async () => {
    fake = await startFakeTwilsock();
    expect((await initWith(fake.url, mintTestToken({ ttlSeconds: 60 }))).status).toMatchObject({ code: 200 });
    for (const token of [
      mintTestToken({ ttlSeconds: 10, issuedAt: Date.now() - 20_000 }),
      mintTestToken({ identity: 'mallory' }),
      mintTestToken({ secret: 'another-secret' }),
    ]) {
      expect((await initWith(fake.url, token)).status).toMatchObject({ code: 401, errorCode: 20104 });
    }
    expect(fake.received.map((t) => t.accepted)).toEqual([true, false, false, false]);
  });
});

describe('the loopback guard', () => {
  it('records and refuses any dial off 127.0.0.1', async () => {
    const harness = await startHarness({ ttlSeconds: 60 });
    try {
      await expect(fetch('http://192.0.2.1/')).rejects.toThrow();
      expect(foreignDials).toEqual(['192.0.2.1']);
    } finally {
      foreignDials.length = 0;
      await harness.close();
    }
  });
});
