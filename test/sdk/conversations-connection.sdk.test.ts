// @vitest-environment node
import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '@twilio/conversations';
import { attachConversations } from 'twilio-token-lifecycle';
import { twilsockConnection, type TwilsockConnectionState } from 'twilio-token-lifecycle/react';
import { conversationsRest } from './conversations-rest';
import { quiet, sleep, startHarness, waitFor } from './twilsock-harness';
import { chatLikeOptions } from './twilsock-scenarios';

// The connection the React hooks show (`connectionState`), read with the very reader they use from the
// real Conversations client on the fake twilsock server.

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function start() {
  const harness = await startHarness({ ttlSeconds: 600, rest: (request) => conversationsRest(`http://${request.host}`)(request) });
  cleanups.push(() => harness.close());
  const manager = harness.createManager();
  const { jwt } = await manager.getToken();
  const client = new Client(jwt, chatLikeOptions({ twilsock: harness.twilsock.url, rest: harness.twilsock.restBase }) as ConstructorParameters<typeof Client>[1]);
  cleanups.push(async () => {
    await sleep(300); // see twilsock-scenarios.ts: let a last reply land before shutting down
    await Promise.race([client.shutdown().catch(() => undefined), sleep(2_000)]);
  });
  // What a hook shows: the state read at once, then again at each change the reader reports.
  const shown: TwilsockConnectionState[] = [twilsockConnection.read(client)];
  const unfollow = twilsockConnection.subscribe(client, () => {
    const state = twilsockConnection.read(client);
    if (state !== shown.at(-1)) shown.push(state);
  });
  cleanups.push(unfollow);
  cleanups.push(attachConversations(manager, client, { createdWith: jwt, onError: harness.onError }));
  return { harness, client, shown };
}

describe('connectionState of the real @twilio/conversations Client, as the hooks read it', () => {
  it('goes from connecting to connected, and is connected only once the server took the token', async () => {
    const { harness, shown } = await start();
    expect(shown[0]).not.toBe('connected'); // at once: not yet
    await waitFor(() => shown.at(-1) === 'connected', 20_000, 'the client reports connected');
    expect(shown).toContain('connecting');
    expect(shown.indexOf('connecting')).toBeLessThan(shown.indexOf('connected'));
    expect(harness.twilsock.lastAccepted()).toBeDefined(); // the server did take the token
  }, 40_000);

  it('is not connected while the server fails every socket, through repeated socket errors, and connected again after', async () => {
    const { harness, shown } = await start();
    await waitFor(() => shown.at(-1) === 'connected', 20_000, 'the client reports connected');
    // Once its start-up REST calls are answered: a request in flight when the socket dies ends in an
    // unhandled rejection inside twilsock 1.0.2 (PacketInterface's "disconnected"), twilsock's defect.
    await quiet(harness);
    harness.twilsock.refuseSockets();
    await waitFor(() => shown.at(-1) !== 'connected', 20_000, 'the client reports it lost its socket');
    const lostAt = shown.length - 1;
    await waitFor(() => harness.twilsock.refusedSockets >= 2, 30_000, 'the client tries again and fails again');
    expect(shown.slice(lostAt)).not.toContain('connected');
    expect(shown.slice(lostAt).every((state) => state === 'connecting' || state === 'retrying')).toBe(true); // trying, not given up
    console.info(`[Conversations] while every socket failed (${harness.twilsock.refusedSockets} handshakes): ${shown.slice(lostAt).join(' → ')}`);
    harness.twilsock.refuseSockets(false);
    await waitFor(() => shown.at(-1) === 'connected', 40_000, 'connected again once sockets work');
  }, 90_000);
});
