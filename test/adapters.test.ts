import { describe, expect, it, vi } from 'vitest';
import { EventEmitter } from 'node:events';
import {
  attachChat,
  attachConversations,
  attachSync,
  attachTaskRouter,
  attachVoice,
  connectVideo,
  createTokenManager,
  type AttachOptions,
  type Detach,
  type TokenError,
  type TokenManager,
} from 'twilio-token-lifecycle';
import {
  FakeChatClient,
  FakeConversationsClient,
  FakeSyncClient,
  FakeVoiceDevice,
} from 'twilio-token-lifecycle/testing';
import { fakeTimersStoppingManagers } from './helpers/fake-timers';
import { tokenBackend } from './helpers/token-backend';

const tick = (ms = 0) => vi.advanceTimersByTimeAsync(ms);

interface Kit {
  name: string;
  create(jwt: string): FakeConversationsClient | FakeVoiceDevice;
  attach(manager: TokenManager, client: never, options?: AttachOptions): Detach;
  warn(client: never): void;
  expire?(client: never): void;
}

const clientKits: Kit[] = [
  {
    name: 'Conversations',
    create: (jwt) => new FakeConversationsClient(jwt),
    attach: attachConversations as Kit['attach'],
    warn: (c: FakeConversationsClient) => c.emit('tokenAboutToExpire'),
    expire: (c: FakeConversationsClient) => c.emit('tokenExpired'),
  },
  {
    name: 'Chat',
    create: (jwt) => new FakeChatClient(jwt),
    attach: attachChat as Kit['attach'],
    warn: (c: FakeChatClient) => c.emit('tokenAboutToExpire', undefined),
    expire: (c: FakeChatClient) => c.emit('tokenExpired'),
  },
  {
    name: 'Sync',
    create: (jwt) => new FakeSyncClient(jwt),
    attach: attachSync as Kit['attach'],
    warn: (c: FakeSyncClient) => c.emit('tokenAboutToExpire'),
    expire: (c: FakeSyncClient) => c.emit('tokenExpired'),
  },
  {
    name: 'Voice',
    create: (jwt) => new FakeVoiceDevice(jwt),
    attach: attachVoice as Kit['attach'],
    warn: (d: FakeVoiceDevice) => d.warnTokenWillExpire(),
  },
];

const managers = fakeTimersStoppingManagers();

async function setup(kit: Kit, ttlSeconds = 60, options: AttachOptions = {}) {
  const backend = tokenBackend({ ttlSeconds });
  const manager = createTokenManager({ fetchToken: backend.fetchToken, random: () => 0.5 });
  managers.push(manager);
  const first = await manager.getToken();
  const client = kit.create(first.jwt) as FakeConversationsClient & { warnTokenWillExpire(): void };
  const errors: TokenError[] = [];
  const detach = kit.attach(manager, client as never, { onError: (e) => errors.push(e), ...options });
  await tick(1_000); // tokens minted within the same second are identical
  return { backend, manager, client, first, errors, detach };
}

describe.each(clientKits)('attach for $name', (kit) => {
  it('hands each new token exactly once, and never the one the client was created with', async () => {
    const { backend, client, first } = await setup(kit);
    await tick(3 * 45_000);
    expect(backend.calls).toHaveLength(4);
    expect(client.updateTokenCalls).toHaveLength(3);
    expect(new Set(client.updateTokenCalls).size).toBe(3);
    expect(client.updateTokenCalls).not.toContain(first.jwt);
    expect(client.token).toBe(client.updateTokenCalls.at(-1));
  });

  // `{ createdWith: props.jwt, identity: props.identity, onError: props.onError }`: each undefined is the default.
  it('takes createdWith, identity and onError set to undefined as absent', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { backend, manager, client, first } = await setup(kit, 60, { createdWith: undefined, identity: undefined, onError: undefined });
    await tick(45_000);
    expect(client.updateTokenCalls).toHaveLength(1); // not the one it holds, the new one
    expect(client.updateTokenCalls).not.toContain(first.jwt);
    backend.respondWith(() => Promise.resolve(backend.mint({ identity: 'mallory' })));
    await tick(1_000);
    await manager.refresh().catch(() => undefined);
    expect(client.updateTokenCalls).toHaveLength(1);
    client.updateTokenBehaviour = 'throw';
    await tick(1_000);
    await manager.refresh();
    await tick(1_000); // a twilsock client's failure is judged after a grace for its `connected`
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/rejected the new token/));
    warn.mockRestore();
  });

  it('never sees a token for another identity: the manager refuses it first', async () => {
    const { backend, manager, client } = await setup(kit);
    backend.respondWith(() => Promise.resolve(backend.mint({ identity: 'mallory' })));
    await expect(manager.refresh()).rejects.toMatchObject({ code: 'identity-mismatch' });
    expect(client.updateTokenCalls).toEqual([]);
    await tick(1_000);
    await manager.refresh();
    expect(client.updateTokenCalls).toHaveLength(1);
  });

  it('never hands a token for another identity than its own, and reports identity-mismatch', async () => {
    const { manager, client, errors } = await setup(kit, 60, { identity: 'bob' });
    await manager.refresh();
    expect(client.updateTokenCalls).toEqual([]);
    expect(errors.map((e) => e.code)).toEqual(['identity-mismatch']);
    expect(errors[0]!.message).toMatch(/"alice".*"bob"/);
  });

  it('turns many warnings at once into no request while the manager’s token is fresh', async () => {
    const { backend, client } = await setup(kit);
    for (let i = 0; i < 50; i++) kit.warn(client as never);
    await tick();
    expect(backend.calls).toHaveLength(1);
    expect(client.updateTokenCalls).toEqual([]);
  });

  it('turns many warnings at once into one request inside the refresh window', async () => {
    const { backend, client } = await setup(kit, 60);
    backend.respondWith(() => new Promise((resolve) => setTimeout(() => resolve(backend.mint()), 500)));
    await tick(44_000);
    // The manager has no subscriber but the adapter; fake a slow path: warnings come before its timer.
    await tick(1_000); // t = 45 s: the scheduled refresh is now in flight
    for (let i = 0; i < 50; i++) kit.warn(client as never);
    await tick(500);
    expect(backend.calls).toHaveLength(2);
    expect(client.updateTokenCalls).toHaveLength(1);
  });

  it('fetches for a warning when the schedule has not (yet) run', async () => {
    const { backend, manager, client } = await setup(kit, 60);
    backend.respondWith(() => Promise.reject(new TypeError('down')));
    await tick(43_000); // t = 44 s: the scheduled refresh (1 s short of 45 s: iat rounding) failed; the next retry is a second away
    expect(manager.getState().status).toBe('error');
    for (let i = 0; i < 50; i++) kit.warn(client as never);
    await tick();
    // One request a second, whoever asks: the warnings' request waits for the gate.
    expect(backend.calls).toHaveLength(2);
    await tick(1_000);
    expect(backend.calls).toHaveLength(3);
    expect(backend.calls[2]!.reason).toBe('hint');
    expect(client.updateTokenCalls).toHaveLength(1);
  });

  it('after a failed update, hands the manager’s token again on a warning, without fetching (a twilsock client never: it drops an equal token)', async () => {
    const { backend, manager, client } = await setup(kit);
    client.updateTokenBehaviour = 'throw';
    await manager.refresh();
    client.updateTokenBehaviour = 'resolve';
    kit.warn(client as never);
    await tick();
    expect(backend.calls).toHaveLength(2);
    const reportsState = kit.name !== 'Voice'; // a twilsock client reports its connectionState
    expect(client.updateTokenCalls).toHaveLength(reportsState ? 1 : 2);
    if (!reportsState) expect(client.token).toBe(manager.getState().token!.jwt);
  });

  it('reports a throwing updateToken as update-failed', async () => {
    const { manager, client, errors } = await setup(kit);
    client.updateTokenBehaviour = 'throw';
    await manager.refresh();
    await tick(50); // a client that reports its state gets 50 ms to connect with it
    expect(errors.map((e) => e.code)).toEqual(['update-failed']);
    expect(errors[0]!.cause).toBeInstanceOf(Error);
  });

  it('detach() removes every listener and releases the manager', async () => {
    const { manager, client, detach } = await setup(kit);
    expect(client.listenerCount()).toBeGreaterThan(0);
    detach();
    detach();
    expect(client.listenerCount()).toBe(0);
    await tick(1_000);
    expect(vi.getTimerCount()).toBe(0);
    await manager.refresh();
    expect(client.updateTokenCalls).toEqual([]);
  });

  it('keeps the manager refreshing while attached', async () => {
    const { backend } = await setup(kit, 3600);
    await tick(3 * 3300_000);
    expect(backend.calls).toHaveLength(4);
  });
});

describe.each(clientKits.filter((kit) => kit.expire))('attach for $name, SDK events', (kit) => {
  it('turns many tokenExpired at once into one refresh', async () => {
    const { backend, client } = await setup(kit);
    backend.respondWith(() => new Promise((resolve) => setTimeout(() => resolve(backend.mint()), 200)));
    for (let i = 0; i < 50; i++) kit.expire!(client as never);
    await tick(200);
    expect(backend.calls.map((c) => c.reason)).toEqual(['demand', 'refresh']);
    expect(client.updateTokenCalls).toHaveLength(1);
  });

  it('reports a rejected updateToken as update-failed, with no unhandled rejection', async () => {
    const { manager, client, errors } = await setup(kit);
    client.updateTokenBehaviour = 'reject';
    await manager.refresh();
    await tick(50); // 50 ms to connect with it
    expect(errors.map((e) => e.code)).toEqual(['update-failed']);
    expect(errors[0]!.message).toMatch(/rejected the new token: Access token rejected/);
  });

  it('never waits for a pending updateToken: the next token is handed and detach works', async () => {
    const { manager, client, detach } = await setup(kit);
    client.updateTokenBehaviour = 'never';
    await manager.refresh();
    await tick(1_000);
    await manager.refresh();
    expect(client.updateTokenCalls).toHaveLength(2);
    detach();
    expect(client.listenerCount()).toBe(0);
  });
});

describe('attachVoice', () => {
  it('ignores a stale tokenWillExpire for a token already replaced', async () => {
    const kit = clientKits.find((k) => k.name === 'Voice')!;
    const { backend, manager, client } = await setup(kit, 3600);
    await tick(1_000);
    await manager.refresh();
    expect(client.updateTokenCalls).toHaveLength(1);
    client.warnTokenWillExpire(); // fires at the old token's time: the device holds a fresh one
    await tick();
    expect(backend.calls).toHaveLength(2);
    expect(client.updateTokenCalls).toHaveLength(1);
  });

  // `register: config.register` from a JSON config with null: the app registers, as with undefined; it threw.
  it.each([
    ['undefined', { register: undefined, oneTab: undefined, onRegistrationChange: undefined, onCallElsewhere: undefined }],
    ['null', { register: null }],
  ])('takes register %s as absent: hands tokens, never registers', async (_, options) => {
    const backend = tokenBackend();
    const manager = createTokenManager({ fetchToken: backend.fetchToken });
    managers.push(manager);
    const device = new FakeVoiceDevice((await manager.getToken()).jwt);
    attachVoice(manager, device, options as never);
    await tick(1_000);
    const next = await manager.refresh();
    await tick(1_000);
    expect(device.updateTokenCalls).toEqual([next.jwt]);
    expect(device.registerCalls).toBe(0);
  });

  it('reads the token the device holds as the one it was created with', async () => {
    const backend = tokenBackend();
    const manager = createTokenManager({ fetchToken: backend.fetchToken });
    managers.push(manager);
    const device = new FakeVoiceDevice(backend.mint({ identity: 'alice' }));
    await tick(1_000);
    const current = await manager.getToken();
    attachVoice(manager, device); // the device holds an older token than the manager's current one
    expect(device.updateTokenCalls).toEqual([current.jwt]);
  });

  it('detaches itself when the device is destroyed: no update-failed for each later token', async () => {
    const backend = tokenBackend();
    const manager = createTokenManager({ fetchToken: backend.fetchToken });
    managers.push(manager);
    const device = new FakeVoiceDevice((await manager.getToken()).jwt);
    const errors: TokenError[] = [];
    attachVoice(manager, device, { onError: (error) => errors.push(error) });
    await tick(1_000);
    device.destroy();
    for (let i = 0; i < 3; i++) {
      await tick(1_000);
      await manager.refresh();
    }
    expect(errors).toEqual([]);
    expect(device.updateTokenCalls).toEqual([]);
    expect(device.listenerCount('destroyed') + device.listenerCount('tokenWillExpire')).toBe(0);
  });

  it('warns on the console by default, without the token', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const backend = tokenBackend();
    const manager = createTokenManager({ fetchToken: backend.fetchToken });
    managers.push(manager);
    const device = new FakeVoiceDevice((await manager.getToken()).jwt);
    device.updateTokenBehaviour = 'throw';
    attachVoice(manager, device);
    await tick(1_000);
    await manager.refresh();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/\[twilio-token-lifecycle\] The SDK client rejected the new token/);
    expect(String(warn.mock.calls[0]![0])).not.toContain(manager.getState().token!.jwt);
    warn.mockRestore();
  });
});

describe('connectVideo', () => {
  const twilioError = (code: number) => Object.assign(new Error(`Twilio error ${code}`), { code });

  it('connects with a token valid for at least a minute, passing the other options on', async () => {
    const backend = tokenBackend({ ttlSeconds: 3600 });
    const manager = createTokenManager({ fetchToken: backend.fetchToken });
    managers.push(manager);
    await manager.getToken();
    await tick(3540_000 + 1); // 59 s left: too little
    const connect = vi.fn(async (jwt: string, options?: { name: string }) => ({ jwt, options }));
    const room = await connectVideo(manager, connect, { name: 'standup', minValidityMs: 60_000 });
    expect(backend.calls).toHaveLength(2);
    expect(room.options).toEqual({ name: 'standup' });
    expect(room.jwt).toBe(manager.getState().token!.jwt);
  });

  it.each([20101, 20104])('refreshes once and retries after Twilio error %i', async (code) => {
    const backend = tokenBackend();
    const manager = createTokenManager({ fetchToken: backend.fetchToken });
    managers.push(manager);
    const connect = vi
      .fn()
      .mockImplementationOnce(async () => {
        vi.advanceTimersByTime(1_000); // Twilio took a second to refuse; the new token differs
        throw twilioError(code);
      })
      .mockResolvedValueOnce('room');
    await expect(connectVideo(manager, connect)).resolves.toBe('room');
    expect(backend.calls.map((c) => c.reason)).toEqual(['demand', 'refresh']);
    expect(connect.mock.calls[1]![0]).not.toBe(connect.mock.calls[0]![0]);
    expect(connect.mock.calls[0]![1]).toBeUndefined();
  });

  it('does not retry other errors, nor a second token rejection', async () => {
    const backend = tokenBackend();
    const manager = createTokenManager({ fetchToken: backend.fetchToken });
    managers.push(manager);
    await expect(connectVideo(manager, vi.fn().mockRejectedValue(twilioError(53000)))).rejects.toMatchObject({ code: 53000 });
    expect(backend.calls).toHaveLength(1);
    const second = connectVideo(manager, vi.fn().mockRejectedValue(twilioError(20104)));
    second.catch(() => undefined);
    await tick(1_000); // the refresh waits for the one-request-a-second gate
    await expect(second).rejects.toMatchObject({ code: 20104 });
    expect(backend.calls).toHaveLength(2);
  });
});

// Conversations, Chat and Sync run on twilsock, which reports its connection state; the adapters use it
// to recover from an expiry (see test/sdk/ for the same rules against the real SDKs).
describe.each(clientKits.filter((kit) => kit.expire))('attach for $name, recovery', (kit) => {
  type Emitting = FakeConversationsClient & { emit(event: string, ...args: unknown[]): boolean };
  const emit = (client: FakeConversationsClient, event: string, ...args: unknown[]) => (client as Emitting).emit(event, ...args);
  const expireAndClose = (client: FakeConversationsClient) => {
    emit(client, 'connectionStateChanged', 'disconnecting');
    kit.expire!(client as never);
  };

  it('hands no token while the client is disconnecting, and the current one once it has closed', async () => {
    const { manager, client } = await setup(kit);
    emit(client, 'connectionStateChanged', 'disconnecting');
    const fresh = await manager.refresh();
    expect(client.updateTokenCalls).toEqual([]);
    emit(client, 'connectionStateChanged', 'disconnected');
    expect(client.updateTokenCalls).toEqual([fresh.jwt]);
  });

  it('after a 410 close, fetches a new token once the client has closed and stops once it is connected', async () => {
    const { backend, client } = await setup(kit);
    expireAndClose(client);
    await tick(3_000); // twilsock's waitSocketClosed: nothing is fetched for a client that would drop it
    expect(backend.calls).toHaveLength(1);
    emit(client, 'connectionStateChanged', 'disconnected');
    await tick();
    expect(backend.calls.map((c) => c.reason)).toEqual(['demand', 'refresh']);
    expect(client.updateTokenCalls).toEqual([client.token]);
    emit(client, 'connectionStateChanged', 'connected');
    await tick(60_000);
    expect(backend.calls).toHaveLength(3); // only the manager's own schedule (45 s) from here
  });

  it('keeps handing new tokens while the client stays denied, backing off, never in a loop', async () => {
    const { backend, client } = await setup(kit, 3600);
    const start = Date.now();
    const times: number[] = [];
    backend.respondWith(...Array.from({ length: 20 }, () => () => (times.push(Date.now() - start), Promise.resolve(backend.mint()))));
    // Each handed token is refused at once: denied and expired again, as twilsock reports a 20104.
    client.updateToken = (jwt: string) => {
      client.updateTokenCalls.push(jwt);
      emit(client, 'connectionStateChanged', 'denied');
      kit.expire!(client as never);
      return Promise.resolve(client);
    };
    emit(client, 'connectionStateChanged', 'denied');
    kit.expire!(client as never);
    await tick(62_000);
    expect(times).toEqual([0, 1_000, 3_000, 7_000, 15_000, 31_000, 61_000]);
    expect(new Set(client.updateTokenCalls).size).toBe(client.updateTokenCalls.length);
    await tick(30_000);
    expect(times).toHaveLength(8); // the wait stays at 30 s
  });

  it('never hands the identical JWT again after a refusal: it waits for a different one', async () => {
    const { backend, manager, client } = await setup(kit, 3600);
    emit(client, 'connectionStateChanged', 'connected');
    const refused = backend.mint(); // the token server answers the same bytes within its second
    backend.respondWith(...Array.from({ length: 3 }, () => () => Promise.resolve(refused)));
    client.updateTokenBehaviour = 'reject';
    await manager.refresh();
    emit(client, 'connectionStateChanged', 'denied');
    kit.expire!(client as never);
    client.updateTokenBehaviour = 'resolve';
    await tick(3_000); // attempts at 0 s and 1 s get the refused bytes again, the one at 3 s a new token
    expect(backend.calls).toHaveLength(5);
    expect(client.updateTokenCalls).toEqual([refused, manager.getState().token!.jwt]);
    expect(client.updateTokenCalls[1]).not.toBe(refused);
  });

  it('reports a token error through onError as token-rejected, with the SDK’s code; other errors not', async () => {
    const { client, errors } = await setup(kit);
    emit(client, 'connectionError', { terminal: true, message: 'Connection error: Token expired', httpStatusCode: 401, errorCode: 20104 });
    emit(client, 'connectionError', { terminal: false, message: 'Socket error', httpStatusCode: null, errorCode: null });
    expect(errors.map((e) => [e.code, e.serverError?.code])).toEqual([['token-rejected', '20104']]);
    expect(errors[0]!.retryable).toBe(true);
  });

  it('reports no update-failed when the client connects with a token whose update rejected', async () => {
    const { manager, client, errors } = await setup(kit);
    emit(client, 'connectionStateChanged', 'connecting');
    client.updateTokenBehaviour = 'throw'; // Conversations before its first init: it connects anyway
    await manager.refresh();
    emit(client, 'connectionStateChanged', 'connected');
    await tick(1_000);
    expect(errors).toEqual([]);
  });

  it('still reports update-failed when the client does not connect with it', async () => {
    const { manager, client, errors } = await setup(kit);
    emit(client, 'connectionStateChanged', 'connecting');
    client.updateTokenBehaviour = 'reject';
    await manager.refresh();
    await tick(1_000);
    expect(errors.map((e) => e.code)).toEqual(['update-failed']);
  });

  it('stops recovering when no token will come, and detach() cancels a planned attempt', async () => {
    const { manager, client, detach } = await setup(kit, 3600);
    emit(client, 'connectionStateChanged', 'denied');
    kit.expire!(client as never);
    await tick();
    expect(vi.getTimerCount()).toBeGreaterThan(1); // the manager's schedule and the next attempt
    detach();
    manager.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stops recovering once the manager is stopped', async () => {
    const { backend, manager, client } = await setup(kit, 3600);
    manager.stop();
    emit(client, 'connectionStateChanged', 'denied');
    kit.expire!(client as never);
    await tick(1_000);
    await tick(60_000);
    expect(vi.getTimerCount()).toBe(0);
    expect(backend.calls).toHaveLength(1);
  });

  const refuseEachToken = (client: FakeConversationsClient) => {
    client.updateToken = (jwt: string) => {
      client.updateTokenCalls.push(jwt);
      emit(client, 'connectionStateChanged', 'denied');
      kit.expire!(client as never);
      return Promise.resolve(client);
    };
  };

  it.each([
    ['a denied state', (client: FakeConversationsClient) => emit(client, 'connectionStateChanged', 'denied')],
    [
      'a token error other than 20104',
      (client: FakeConversationsClient) =>
        emit(client, 'connectionError', { terminal: true, message: 'invalid', httpStatusCode: 401, errorCode: 20101 }),
    ],
  ])('recovers after %s, with no tokenExpired', async (_what, refuse) => {
    const { backend, client } = await setup(kit, 3600);
    emit(client, 'connectionStateChanged', 'connected');
    refuse(client);
    await tick();
    expect(backend.calls.map((c) => c.reason)).toEqual(['demand', 'refresh']);
    expect(client.updateTokenCalls).toEqual([client.token]);
  });

  it('keeps backing off when each token is accepted, then expires at once; starts over after a connection that outlasts the wait', async () => {
    const { backend, client } = await setup(kit, 3600);
    const start = Date.now();
    const times: number[] = [];
    backend.respondWith(...Array.from({ length: 30 }, () => () => (times.push(Date.now() - start), Promise.resolve(backend.mint()))));
    let isFlaky = true;
    // A server whose clock is ahead: each token is accepted, then closed with 410 300 ms later.
    client.updateToken = (jwt: string) => {
      client.updateTokenCalls.push(jwt);
      emit(client, 'connectionStateChanged', 'connected');
      if (isFlaky) {
        setTimeout(() => {
          expireAndClose(client);
          setTimeout(() => emit(client, 'connectionStateChanged', 'disconnected'), 50);
        }, 300);
      }
      return Promise.resolve(client);
    };
    expireAndClose(client);
    emit(client, 'connectionStateChanged', 'disconnected');
    await tick(60_000);
    expect(times).toEqual([0, 1_000, 3_000, 7_000, 15_000, 31_000]); // as if it never connected
    isFlaky = false;
    await tick(60_000); // connected for good: through the whole 30 s wait, so the next expiry is a fresh one
    const count = times.length;
    expireAndClose(client);
    emit(client, 'connectionStateChanged', 'disconnected');
    await tick();
    expect(times).toHaveLength(count + 1);
  });

  it('stops forcing refreshes after 10 attempts for a client that never connects', async () => {
    const { backend, client } = await setup(kit, 3600);
    refuseEachToken(client);
    emit(client, 'connectionStateChanged', 'denied');
    kit.expire!(client as never);
    await tick(30 * 60_000);
    expect(backend.calls.filter((c) => c.reason === 'refresh')).toHaveLength(10);
    expect(vi.getTimerCount()).toBe(1); // the manager's own schedule only
    await tick(30 * 60_000); // the manager's scheduled token still reaches it
    expect(backend.calls.filter((c) => c.reason === 'refresh')).toHaveLength(10);
    expect(client.updateTokenCalls).toHaveLength(11);
  });

  it('stops recovering a client of another identity, and reports each token once', async () => {
    const backend = tokenBackend({ ttlSeconds: 3600 });
    const manager = createTokenManager({ fetchToken: backend.fetchToken, random: () => 0.5 });
    managers.push(manager);
    await manager.getToken();
    const client = kit.create(backend.mint({ identity: 'mallory' })) as FakeConversationsClient;
    const errors: TokenError[] = [];
    kit.attach(manager, client as never, { onError: (e) => errors.push(e), createdWith: client.token });
    await tick(1_000);
    emit(client, 'connectionStateChanged', 'denied');
    kit.expire!(client as never);
    await tick(60 * 60_000);
    expect(client.updateTokenCalls).toEqual([]);
    expect(backend.calls.map((c) => c.reason)).toEqual(['demand', 'refresh', 'scheduled']);
    expect(errors.map((e) => e.code)).toEqual(['identity-mismatch', 'identity-mismatch', 'identity-mismatch']);
  });

  it('reads the client’s state at attach: nothing handed while it is disconnecting, recovery if it is denied', async () => {
    const backend = tokenBackend({ ttlSeconds: 3600 });
    const manager = createTokenManager({ fetchToken: backend.fetchToken, random: () => 0.5 });
    managers.push(manager);
    const old = backend.mint();
    await tick(1_000);
    const current = await manager.getToken();
    const closing = Object.assign(kit.create(old), { connectionState: 'disconnecting' }) as FakeConversationsClient;
    kit.attach(manager, closing as never, { createdWith: old });
    expect(closing.updateTokenCalls).toEqual([]); // twilsock would drop it
    emit(closing, 'connectionStateChanged', 'disconnected');
    expect(closing.updateTokenCalls).toEqual([current.jwt]);

    const denied = Object.assign(kit.create(current.jwt), { connectionState: 'denied' }) as FakeConversationsClient;
    await tick(1_000);
    kit.attach(manager, denied as never, { createdWith: current.jwt });
    await tick();
    expect(backend.calls.map((c) => c.reason)).toEqual(['demand', 'refresh']);
    expect(denied.updateTokenCalls).toEqual([manager.getState().token!.jwt]);
  });

  it('reports a rejected update on a client still connected with its old token', async () => {
    const { manager, client, errors } = await setup(kit);
    emit(client, 'connectionStateChanged', 'connected');
    client.updateTokenBehaviour = 'reject';
    await manager.refresh();
    await tick(1_000);
    expect(errors.map((e) => e.code)).toEqual(['update-failed']);
  });

  it('keeps a throwing onError out of the SDK’s emit and of its own promises: rethrown on its own', async () => {
    const rethrown: (() => void)[] = [];
    const queue = vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((task) => void rethrown.push(task));
    try {
      const { client } = await setup(kit, 3600, {
        onError: () => {
          throw new Error('app bug');
        },
      });
      expect(() => emit(client, 'connectionError', { errorCode: 20104, message: 'expired' })).not.toThrow();
      expect(rethrown).toHaveLength(1);
      expect(rethrown[0]!).toThrow('app bug');
    } finally {
      queue.mockRestore();
    }
  });

  it('reports each refused token once, however often the SDK repeats the error', async () => {
    const { client, errors } = await setup(kit);
    for (let i = 0; i < 1000; i++) emit(client, 'connectionError', { errorCode: 20104, message: 'expired' });
    await tick();
    expect(errors.map((e) => e.code)).toEqual(['token-rejected']);
  });

  it('leaves no timer when an update rejects after detach()', async () => {
    const { manager, client, detach } = await setup(kit);
    emit(client, 'connectionStateChanged', 'connected');
    let rejectUpdate: (error: Error) => void = () => undefined;
    client.updateToken = (jwt: string) => {
      client.updateTokenCalls.push(jwt);
      return new Promise((_, reject) => (rejectUpdate = reject)) as never;
    };
    await manager.refresh();
    detach();
    manager.stop();
    rejectUpdate(new Error('refused late'));
    await tick();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('detach() clears a pending update-failed check', async () => {
    const { manager, client, detach } = await setup(kit);
    emit(client, 'connectionStateChanged', 'connecting');
    client.updateTokenBehaviour = 'reject';
    await manager.refresh();
    await tick();
    detach();
    manager.stop();
    expect(vi.getTimerCount()).toBe(0);
  });
});

/** As twilio-taskrouter 2.x's Worker: `updateToken` has no equality check and turns its reconnects back on. */
class WorkerDouble extends EventEmitter {
  isReconnectOn = true;
  isOpen = true;
  readonly updateTokenCalls: string[] = [];
  updateToken(jwt: string) {
    this.updateTokenCalls.push(jwt);
    this.isReconnectOn = true;
    this.isOpen = true;
    this.emit('tokenUpdated');
  }
  /** Its own timer, from the lifetime it learnt at connect: reconnects off. */
  expire() {
    this.isReconnectOn = false;
    this.emit('tokenExpired');
  }
  close(message = 'Websocket closed with errorCode=1006') {
    this.isOpen = false;
    this.emit('disconnected', { message });
  }
}

describe('attachTaskRouter, with a Worker double', () => {
  async function setupWorker() {
    const backend = tokenBackend({ ttlSeconds: 3600 });
    const manager = createTokenManager({ fetchToken: backend.fetchToken, random: () => 0.5 });
    managers.push(manager);
    const { jwt } = await manager.getToken();
    const worker = new WorkerDouble();
    const errors: TokenError[] = [];
    const detach = attachTaskRouter(manager, worker as never, { onError: (e) => errors.push(e) });
    await tick(10 * 60_000);
    return { backend, manager, worker, jwt, errors, detach };
  }

  it('hands a stranded Worker the token it holds again, even when the endpoint would answer the same JWT', async () => {
    const { backend, worker, jwt } = await setupWorker();
    backend.respondWith(...Array.from({ length: 5 }, () => () => Promise.resolve(jwt))); // a caching endpoint
    worker.expire(); // stale: its token is still fresh
    worker.close(); // a network blip while its reconnects are off
    await tick();
    expect(worker.updateTokenCalls).toEqual([jwt]);
    expect(worker.isOpen).toBe(true);
    expect(backend.calls).toHaveLength(1);
  });

  it('fetches for a stranded Worker whose token has expired, and hands the new one', async () => {
    const { backend, manager, worker, jwt } = await setupWorker();
    let isDown = true;
    const down = () => (isDown ? Promise.reject(new TypeError('down')) : Promise.resolve(backend.mint()));
    backend.respondWith(...Array.from({ length: 100 }, () => down));
    await tick(3600_000); // the scheduled refreshes fail: the Worker's token has expired
    expect(manager.getState().token).toBeUndefined();
    isDown = false;
    worker.expire();
    worker.close();
    await tick(1_000);
    expect(worker.updateTokenCalls.length).toBeGreaterThan(0);
    expect(worker.updateTokenCalls).not.toContain(jwt);
    expect(worker.isOpen).toBe(true);
  });

  it.each(['SDK Disconnect', '[GQL] SDK Disconnect'])('leaves alone a Worker the app disconnected (%s)', async (message) => {
    const { backend, worker } = await setupWorker();
    worker.expire();
    worker.close(message);
    await tick(1_000);
    expect(worker.updateTokenCalls).toEqual([]);
    expect(backend.calls).toHaveLength(1);
  });

  it("never hands a stranded Worker another user's token the manager holds", async () => {
    const backend = tokenBackend({ ttlSeconds: 3600, mint: { identity: 'bob' } });
    const manager = createTokenManager({ fetchToken: backend.fetchToken, random: () => 0.5 });
    managers.push(manager);
    await manager.getToken(); // bob's
    const worker = new WorkerDouble();
    attachTaskRouter(manager, worker as never, { identity: 'alice', onError: () => undefined });
    await tick();
    worker.expire();
    worker.close();
    await tick(10);
    expect(worker.updateTokenCalls).toEqual([]);
  });

  it('hands a stranded Worker its token once for a burst of closes', async () => {
    const { worker, jwt } = await setupWorker();
    worker.expire();
    for (let i = 0; i < 20; i++) worker.close();
    await tick(10);
    expect(worker.updateTokenCalls).toEqual([jwt]);
  });

  it('hands nothing to a stranded Worker after detach()', async () => {
    const { worker, detach } = await setupWorker();
    worker.expire();
    detach();
    worker.close();
    await tick(1_000);
    expect(worker.updateTokenCalls).toEqual([]);
    expect(worker.listenerCount('disconnected') + worker.listenerCount('tokenExpired')).toBe(0);
  });
});
