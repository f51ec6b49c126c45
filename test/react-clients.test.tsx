import { act, cleanup, render, screen } from '@testing-library/react';
import { StrictMode } from 'react';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseAccessToken, TokenError, type TokenManagerOptions } from 'twilio-token-lifecycle';
import {
  TokenManagerProvider,
  useConversationsClient,
  useSyncClient,
  useTokenManager,
  useTwilioClient,
  useVideoRoom,
  useVoiceDevice,
  twilsockConnection,
  type TwilioClientResult,
  type UserKey,
} from 'twilio-token-lifecycle/react';
import {
  FakeBroadcastHub,
  FakeChatClient,
  FakeConversationsClient,
  FakeLockManager,
  FakeSyncClient,
  FakeVoiceDevice,
  fakeVideoConnect,
  type FakeVideoRoom,
} from 'twilio-token-lifecycle/testing';
import { attachChat } from 'twilio-token-lifecycle';
import { userBackend } from './helpers/react-backend';

const tick = (ms = 0) => act(() => vi.advanceTimersByTimeAsync(ms));

/** Every instance made, with the options it was made with. */
let made: Array<{ client: object; options?: unknown }> = [];
class Conversations extends FakeConversationsClient {
  constructor(token: string, options?: { logLevel?: string }) {
    super(token);
    made.push({ client: this, options });
  }
}
class Sync extends FakeSyncClient {
  constructor(token: string, options?: { logLevel?: string }) {
    super(token);
    made.push({ client: this, options });
  }
}
class Device extends FakeVoiceDevice {
  constructor(token: string, options?: { closeProtection?: boolean }) {
    super(token);
    made.push({ client: this, options });
  }
}

interface Kind<Client> {
  name: string;
  use: () => TwilioClientResult<Client>;
  isDisposed: (client: Client) => boolean;
  identityOf: (client: Client) => string | undefined;
  /** Whether the client takes new tokens (a Video room does not). */
  updates?: (client: Client) => readonly string[];
  /** Its connection state once ready; then `change` plays a change the SDK reports, to `changed`, and `restore` back. */
  ready: string;
  change: (client: Client) => unknown;
  changed: string;
  restore: (client: Client) => unknown;
  /** What the hook returns besides client, status and error. */
  extra?: object;
}

let connect = fakeVideoConnect();
const kinds: Array<Kind<any>> = [
  {
    name: 'useConversationsClient',
    use: () => useConversationsClient(Conversations),
    isDisposed: (client: Conversations) => client.shutdownCalls > 0,
    identityOf: (client: Conversations) => parseAccessToken(client.token).identity,
    updates: (client: Conversations) => client.updateTokenCalls,
    ready: 'connected',
    change: (client: Conversations) => client.setConnectionState('connecting'), // its socket dropped: retrying
    changed: 'connecting',
    restore: (client: Conversations) => client.setConnectionState('connected'),
  } satisfies Kind<Conversations>,
  {
    name: 'useSyncClient',
    use: () => useSyncClient(Sync),
    isDisposed: (client: Sync) => client.shutdownCalls > 0,
    identityOf: (client: Sync) => parseAccessToken(client.token).identity,
    updates: (client: Sync) => client.updateTokenCalls,
    ready: 'connected',
    change: (client: Sync) => client.setConnectionState('denied'),
    changed: 'denied',
    restore: (client: Sync) => client.setConnectionState('connected'),
  } satisfies Kind<Sync>,
  {
    name: 'useVoiceDevice',
    use: () => useVoiceDevice(Device),
    isDisposed: (device: Device) => device.destroyCalls > 0,
    identityOf: (device: Device) => parseAccessToken(device.token!).identity,
    updates: (device: Device) => device.updateTokenCalls,
    ready: 'unregistered', // not asked to register
    change: (device: Device) => device.register(),
    changed: 'registered',
    restore: (device: Device) => device.unregister(),
    extra: { registeredHere: false, callsElsewhere: [] },
  } satisfies Kind<Device>,
  {
    name: 'useVideoRoom',
    use: () => useVideoRoom(connect, { name: 'standup' }),
    isDisposed: (room: FakeVideoRoom) => room.state === 'disconnected',
    identityOf: (room: FakeVideoRoom) => parseAccessToken(room.token).identity,
    ready: 'connected',
    change: (room: FakeVideoRoom) => room.setState('reconnecting', new Error('Signaling connection error (fake)')),
    changed: 'reconnecting',
    restore: (room: FakeVideoRoom) => room.setState('connected'),
  } satisfies Kind<FakeVideoRoom>,
];

let backend: ReturnType<typeof userBackend>;
let options: TokenManagerOptions;
let results: Array<TwilioClientResult<unknown>>;

function Probe({ use }: { use: () => TwilioClientResult<unknown> }) {
  const result = use();
  results.push(result);
  return <p data-testid="status">{result.status}</p>;
}

const app = (identity: UserKey, use: () => TwilioClientResult<unknown>, strict = false) => {
  const tree = (
    <TokenManagerProvider options={options} identity={identity}>
      <Probe use={use} />
    </TokenManagerProvider>
  );
  return strict ? <StrictMode>{tree}</StrictMode> : tree;
};
const status = () => screen.getByTestId('status').textContent;

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
  backend = userBackend();
  options = { fetchToken: backend.fetchToken };
  made = [];
  connect = fakeVideoConnect();
  results = [];
});

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe.each(kinds)('$name', (kind) => {
  /** The clients (or rooms) made so far, and those not yet disposed of. */
  const clients = () => (kind.name === 'useVideoRoom' ? connect.rooms : made.map(({ client }) => client));
  const live = () => clients().filter((client) => !kind.isDisposed(client));

  it('is idle while signed out and creates nothing', async () => {
    render(app(null, kind.use));
    await tick(5_000);
    expect(status()).toBe('idle');
    expect(clients()).toHaveLength(0);
    expect(backend.calls).toHaveLength(0);
  });

  it('creates one client once a token is there, with it, and exposes it as ready', async () => {
    render(app('alice', kind.use));
    expect(status()).toBe('connecting');
    await tick();
    expect(status()).toBe('ready');
    expect(clients()).toHaveLength(1);
    expect(kind.identityOf(clients()[0])).toBe('alice');
    expect(results.at(-1)).toEqual({ client: clients()[0], status: 'ready', error: undefined, connectionState: kind.ready, ...kind.extra });
    expect(backend.calls).toHaveLength(1);
  });

  it('mirrors the client’s own connection state while ready, a new result only on a change', async () => {
    const view = render(app('alice', kind.use));
    await tick();
    const [client] = clients();
    const ready = results.at(-1)!;
    expect(ready).toMatchObject({ status: 'ready', connectionState: kind.ready });
    view.rerender(app('alice', kind.use));
    expect(results.at(-1)).toBe(ready); // nothing changed: the same object
    await act(async () => void (await kind.change(client)));
    expect(results.at(-1)).toEqual({ client, status: 'ready', error: undefined, connectionState: kind.changed, ...kind.extra });
    await act(async () => void (await kind.restore(client)));
    expect(results.at(-1)).toEqual({ client, status: 'ready', error: undefined, connectionState: kind.ready, ...kind.extra });
    // The states it showed, in order, with the client throughout (React batches what one act did).
    const states = results.filter((result) => result.status === 'ready').map((result) => result.connectionState);
    expect(states.filter((state, i) => state !== states[i - 1])).toEqual([kind.ready, kind.changed, kind.ready]);
    view.unmount();
    expect((client as FakeConversationsClient).listenerCount()).toBe(0); // its connection is no longer followed
  });

  it('has no connectionState until the client exists', async () => {
    render(app('alice', kind.use));
    expect(results.at(-1)!.status).toBe('connecting');
    expect(results.at(-1)!.connectionState).toBeUndefined();
    await tick();
    expect(results.filter((result) => result.status !== 'ready').every((result) => result.connectionState === undefined)).toBe(true);
  });

  // Video has no token to update (a Room reads it once at connect), so it has no such case.
  if (kind.updates) it('hands the client each new token (attached), and none it already has', async () => {
    render(app('alice', kind.use));
    await tick();
    const [client] = clients();
    expect(kind.updates!(client)).toEqual([]);
    // A 600 s token is refreshed 150 s before it expires.
    await tick(451_000);
    expect(backend.calls).toHaveLength(2);
    expect(kind.updates!(client)).toHaveLength(1);
    expect(kind.identityOf(client)).toBe('alice');
  });

  it('disposes of the client on unmount and stops handing it tokens', async () => {
    const view = render(app('alice', kind.use));
    await tick();
    const [client] = clients();
    view.unmount();
    await tick();
    expect(kind.isDisposed(client)).toBe(true);
    expect(live()).toHaveLength(0);
    if (kind.updates) expect((client as FakeConversationsClient | FakeVoiceDevice).listenerCount()).toBe(0);
  });

  it('disposes of the old client and creates one for the new user when the identity changes', async () => {
    const view = render(app('alice', kind.use));
    await tick();
    results.length = 0;
    backend.user = 'bob';
    view.rerender(app('bob', kind.use));
    await tick();
    expect(status()).toBe('ready');
    const [alices, bobs] = clients();
    expect(clients()).toHaveLength(2);
    expect(kind.isDisposed(alices)).toBe(true);
    expect(kind.identityOf(bobs)).toBe('bob');
    expect(live()).toEqual([bobs]);
    // Never alice's client once the identity is bob's.
    expect(results.map(({ client }) => client)).not.toContain(alices);
  });

  it('disposes of the client at sign-out', async () => {
    const view = render(app('alice', kind.use));
    await tick();
    view.rerender(app(null, kind.use));
    await tick();
    expect(status()).toBe('idle');
    expect(live()).toHaveLength(0);
  });

  it('under StrictMode creates exactly one client, and disposes of it on unmount', async () => {
    const view = render(app('alice', kind.use, true));
    await tick(5_000);
    expect(status()).toBe('ready');
    expect(clients()).toHaveLength(1);
    expect(live()).toHaveLength(1);
    expect(backend.calls).toHaveLength(1);
    view.unmount();
    await tick();
    expect(live()).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('under StrictMode keeps one live client across an identity change', async () => {
    const view = render(app('alice', kind.use, true));
    await tick();
    backend.user = 'bob';
    view.rerender(app('bob', kind.use, true));
    await tick();
    expect(clients()).toHaveLength(2);
    expect(live().map(kind.identityOf)).toEqual(['bob']);
  });

  it('shows a 401 as status error, then creates the client once a refresh succeeds', async () => {
    backend.answer.push(() => Promise.reject(new TokenError('unauthorized', 'Token request failed with status 401', { status: 401 })));
    let manager: ReturnType<typeof useTokenManager> = null;
    const use = () => {
      manager = useTokenManager();
      return kind.use();
    };
    render(app('alice', use));
    await tick();
    expect(status()).toBe('error');
    expect(results.at(-1)!.error).toMatchObject({ name: 'TokenError', code: 'unauthorized' });
    expect(clients()).toHaveLength(0);
    await tick(600_000);
    expect(backend.calls).toHaveLength(1); // a 401 waits for refresh()
    await act(() => manager!.refresh());
    await tick();
    expect(status()).toBe('ready');
    expect(clients()).toHaveLength(1);
  });
});

describe('useTwilioClient', () => {
  it('follows the connection it is given: connecting, then connected, status ready throughout', async () => {
    class SlowChat extends FakeChatClient {
      override autoConnect = false; // connects when the test says
    }
    const use = () =>
      useTwilioClient(
        ({ jwt }) => new SlowChat(jwt),
        (manager, client, token) => attachChat(manager, client, { createdWith: token.jwt }),
        (client) => client.shutdown(),
        twilsockConnection,
      );
    const view = render(app('alice', use));
    await tick();
    const client = results.at(-1)!.client as SlowChat;
    expect(results.at(-1)).toMatchObject({ status: 'ready', connectionState: 'connecting' });
    act(() => client.setConnectionState('connected'));
    expect(results.at(-1)).toMatchObject({ status: 'ready', client, connectionState: 'connected' });
    view.unmount();
    expect(client.listenerCount()).toBe(0);
    expect(client.connectionState).toBe('disconnected'); // shut down
  });

  it('without a connection, says nothing of one', async () => {
    render(app('alice', () => useTwilioClient(({ jwt }) => new FakeConversationsClient(jwt), () => undefined, (client) => client.shutdown())));
    await tick();
    expect(results.at(-1)!.status).toBe('ready');
    expect(results.at(-1)!.connectionState).toBeUndefined();
  });

  it('shows a connection that throws as status error, and detaches and disposes of the client', async () => {
    const detach = vi.fn();
    let made: FakeConversationsClient | undefined;
    const use = () =>
      useTwilioClient(
        ({ jwt }) => (made = new FakeConversationsClient(jwt)),
        () => detach,
        (client) => client.shutdown(),
        {
          read: () => {
            throw new Error('no state here');
          },
          subscribe: (client, onChange) => {
            client.on('connectionStateChanged', onChange);
            return () => client.removeListener('connectionStateChanged', onChange);
          },
        },
      );
    render(app('alice', use));
    await tick();
    expect(results.at(-1)).toMatchObject({ status: 'error', error: { message: 'no state here' } });
    expect(results.at(-1)!.connectionState).toBeUndefined();
    expect(detach).toHaveBeenCalledTimes(1);
    expect(made!.shutdownCalls).toBe(1);
    expect(made!.listenerCount()).toBe(0);
  });

  it('shows a registered Voice device as registered when ready', async () => {
    render(app('alice', () => useVoiceDevice(Device, { register: true })));
    await tick();
    expect(results.at(-1)).toMatchObject({ status: 'ready', connectionState: 'registered' });
  });

  it('shows "Connected" only while the Conversations client is, as the README example does', async () => {
    function Chat() {
      const { client, status, connectionState } = useConversationsClient(Conversations);
      if (status !== 'ready') return <p data-testid="status">Connecting…</p>;
      return <p data-testid="status">{connectionState === 'connected' ? `Connected as ${parseAccessToken(client.token).identity}` : `${connectionState}…`}</p>;
    }
    render(
      <TokenManagerProvider options={options} identity="alice">
        <Chat />
      </TokenManagerProvider>,
    );
    await tick();
    expect(status()).toBe('Connected as alice');
    const client = made[0]!.client as Conversations;
    act(() => client.setConnectionState('connecting')); // the socket failed: twilsock retries
    expect(status()).toBe('connecting…');
    act(() => client.setConnectionState('denied'));
    expect(status()).toBe('denied…');
    act(() => client.setConnectionState('connected'));
    expect(status()).toBe('Connected as alice');
  });

  it('disposes at once of a client whose creation finishes after unmount', async () => {
    const created: FakeConversationsClient[] = [];
    let finish!: () => void;
    const create = vi.fn(
      ({ jwt }: { jwt: string }) =>
        new Promise<FakeConversationsClient>((resolve) => {
          finish = () => {
            const client = new FakeConversationsClient(jwt);
            created.push(client);
            resolve(client);
          };
        }),
    );
    const attach = vi.fn(() => undefined);
    const dispose = vi.fn((client: FakeConversationsClient) => client.shutdown());
    const view = render(app('alice', () => useTwilioClient(create, attach, dispose)));
    await tick();
    expect(status()).toBe('connecting');
    expect(create).toHaveBeenCalledTimes(1);
    view.unmount();
    finish();
    await tick();
    expect(created).toHaveLength(1);
    expect(created[0]!.shutdownCalls).toBe(1);
    expect(attach).not.toHaveBeenCalled();
  });

  it('disposes of the old user’s late client when the identity changed meanwhile, and makes the new one', async () => {
    const finishers: Array<() => void> = [];
    const created: FakeConversationsClient[] = [];
    const create = ({ jwt }: { jwt: string }) =>
      new Promise<FakeConversationsClient>((resolve) =>
        finishers.push(() => {
          const client = new FakeConversationsClient(jwt);
          created.push(client);
          resolve(client);
        }),
      );
    const use = () => useTwilioClient(create, () => undefined, (client) => client.shutdown());
    const view = render(app('alice', use));
    await tick();
    backend.user = 'bob';
    view.rerender(app('bob', use));
    await tick();
    for (const finish of finishers.splice(0)) finish();
    await tick();
    expect(status()).toBe('ready');
    expect(created.map((client) => [parseAccessToken(client.token).identity, client.isShutDown])).toEqual([
      ['alice', true],
      ['bob', false],
    ]);
  });

  it('shows a create that throws as status error with that error, and disposes of nothing', async () => {
    const failure = new Error('navigator is not defined');
    const dispose = vi.fn();
    render(app('alice', () => useTwilioClient(() => Promise.reject(failure), () => undefined, dispose)));
    await tick();
    expect(results.at(-1)).toEqual({ client: undefined, status: 'error', error: failure });
    expect(dispose).not.toHaveBeenCalled();
  });

  it('disposes of the client when attach throws, and reports it', async () => {
    const client = new FakeConversationsClient('jwt');
    render(
      app('alice', () =>
        useTwilioClient(
          () => client,
          () => {
            throw new Error('attach failed');
          },
          (c) => c.shutdown(),
        ),
      ),
    );
    await tick();
    expect(status()).toBe('error');
    expect(client.shutdownCalls).toBe(1);
  });

  it('swallows a dispose that throws or rejects (nobody to tell on the way out)', async () => {
    const view = render(
      app('alice', () =>
        useTwilioClient(
          () => new FakeConversationsClient('jwt'),
          () => undefined,
          () => Promise.reject(new Error('shutdown failed')),
        ),
      ),
    );
    await tick();
    view.unmount();
    await tick();
    // No unhandled rejection: vitest fails the run on one.
  });

  it('keeps the result object while nothing changes, and does not recreate for new functions each render', async () => {
    const create = vi.fn(({ jwt }: { jwt: string }) => new FakeConversationsClient(jwt));
    const Inline = () => {
      const result = useTwilioClient((token) => create(token), () => undefined, (client) => client.shutdown());
      results.push(result);
      return <p data-testid="status">{result.status}</p>;
    };
    const view = render(
      <TokenManagerProvider options={options} identity="alice">
        <Inline />
      </TokenManagerProvider>,
    );
    await tick();
    for (let i = 0; i < 3; i++) {
      view.rerender(
        <TokenManagerProvider options={{ ...options }} identity="alice">
          <Inline />
        </TokenManagerProvider>,
      );
    }
    await tick();
    expect(create).toHaveBeenCalledTimes(1);
    const ready = results.filter(({ status }) => status === 'ready');
    expect(new Set(ready).size).toBe(1);
  });
});

describe('per-SDK options', () => {
  it('passes the SDK options to the constructor, without the hook’s own', async () => {
    const onError = vi.fn();
    render(app('alice', () => useConversationsClient(Conversations, { logLevel: 'warn', onError })));
    await tick();
    expect(made[0]!.options).toEqual({ logLevel: 'warn' });
  });

  it('passes no options when none are given (Conversations refuses null)', async () => {
    render(app('alice', () => useSyncClient(Sync)));
    await tick();
    expect(made[0]!.options).toBeUndefined();
  });

  it('sends a failing updateToken to onError', async () => {
    const onError = vi.fn();
    render(app('alice', () => useConversationsClient(Conversations, { onError })));
    await tick();
    (made[0]!.client as Conversations).updateTokenBehaviour = 'reject';
    await tick(451_000);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ code: 'update-failed' }));
  });

  it('registers the Voice device only when asked, before it is ready', async () => {
    const view = render(app('alice', () => useVoiceDevice(Device)));
    await tick();
    expect((made[0]!.client as Device).registerCalls).toBe(0);
    view.unmount();
    made = [];
    render(app('alice', () => useVoiceDevice(Device, { register: true, closeProtection: true })));
    await tick();
    const device = made[0]!.client as Device;
    expect(device.registerCalls).toBe(1);
    expect(device.state).toBe('registered');
    expect(made[0]!.options).toEqual({ closeProtection: true });
    expect(status()).toBe('ready');
  });

  it('destroys a Voice device whose registration fails, and says so', async () => {
    class Failing extends Device {
      override registerBehaviour = 'reject' as const;
    }
    render(app('alice', () => useVoiceDevice(Failing, { register: true })));
    await tick();
    expect(status()).toBe('error');
    expect(results.at(-1)!.error?.message).toMatch(/Registration failed/);
    expect((made[0]!.client as Device).destroyCalls).toBe(1);
  });

  // Props passed through (`register={props.register}`): the hooks' own options set to undefined are absent.
  it('takes the hooks’ own options set to undefined as absent, and passes none of them to the SDK', async () => {
    const view = render(app('alice', () => useVoiceDevice(Device, { register: undefined, onError: undefined, oneTab: undefined, onRegistrationChange: undefined, onCallElsewhere: undefined })));
    await tick();
    expect(status()).toBe('ready');
    expect((made[0]!.client as Device).registerCalls).toBe(0);
    expect(made[0]!.options).toEqual({});
    expect(results.at(-1)).toMatchObject({ registeredHere: false, callsElsewhere: [] });
    view.unmount();
    render(app('alice', () => useVideoRoom(connect, { name: 'standup', minValidityMs: undefined })));
    await tick();
    expect(status()).toBe('ready');
    expect(connect.rooms[0]!.options).toEqual({ name: 'standup' });
  });

  it('joins the Video room with the options given, without minValidityMs, and retries once on 20104', async () => {
    connect.failNext(Object.assign(new Error('Access Token expired'), { code: 20104 }));
    render(app('alice', () => useVideoRoom(connect, { name: 'standup', audio: true, minValidityMs: 30_000 })));
    await tick(1_000);
    expect(status()).toBe('ready');
    expect(connect.calls).toHaveLength(2);
    expect(connect.rooms[0]!.options).toEqual({ name: 'standup', audio: true });
    expect(backend.calls).toHaveLength(2); // the rejected token was replaced
  });
});

describe("useVoiceDevice(Device, { register: 'one-tab' })", () => {
  // attachVoice loads the one-tab code lazily; load it up front so virtual time alone drives the test.
  beforeAll(() => import('../src/adapters/voice-one-tab'));

  it('registers one of two tabs, says which, and lists the call ringing in the other', async () => {
    const hub = new FakeBroadcastHub();
    const locks = new FakeLockManager();
    const seen: Record<string, ReturnType<typeof useVoiceDevice<Device>>> = {};
    function Phone({ name }: { name: string }) {
      const result = useVoiceDevice(Device, { register: 'one-tab', closeProtection: true, oneTab: { locks: locks.tab(), channel: hub.factory } });
      seen[name] = result;
      return <p data-testid={name}>{result.registeredHere ? 'here' : `elsewhere ${result.callsElsewhere.map((call) => call.status).join(',')}`}</p>;
    }
    // Two tabs: two React roots, each with its own manager, sharing the fake browser's locks and channels.
    render(
      <TokenManagerProvider options={options} identity="alice">
        <Phone name="one" />
      </TokenManagerProvider>,
    );
    render(
      <TokenManagerProvider options={options} identity="alice">
        <Phone name="two" />
      </TokenManagerProvider>,
    );
    await tick(800); // a first holder waits 750 ms before it registers
    const text = (name: string) => screen.getByTestId(name).textContent;
    expect([text('one'), text('two')].sort()).toEqual(['elsewhere ', 'here']);
    const [holder, other] = seen.one!.registeredHere ? ['one', 'two'] : ['two', 'one'];
    const device = seen[holder!]!.client as Device;
    expect(made.map(({ options }) => options)).toEqual([{ closeProtection: true }, { closeProtection: true }]);

    const call = device.simulateIncomingCall({ CallSid: 'CA07', From: '+15550100', To: 'client:alice' })!;
    await tick();
    expect(text(other!)).toBe('elsewhere ringing');
    expect(seen[other!]!.callsElsewhere).toEqual([{ sid: 'CA07', from: '+15550100', to: 'client:alice', status: 'ringing' }]);
    call.accept();
    await tick();
    expect(text(other!)).toBe('elsewhere accepted');
    call.disconnect();
    await tick();
    expect(text(other!)).toBe('elsewhere ');
    expect(seen[other!]!.callsElsewhere).toEqual([]);
  });
});
