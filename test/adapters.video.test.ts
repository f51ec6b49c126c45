import { describe, expect, it, vi } from 'vitest';
import { connectVideo, createTokenManager, isTokenError } from 'twilio-token-lifecycle';
import { fakeVideoConnect } from 'twilio-token-lifecycle/testing';
import { fakeTimersStoppingManagers } from './helpers/fake-timers';
import { tokenBackend } from './helpers/token-backend';

const tick = (ms = 0) => vi.advanceTimersByTimeAsync(ms);
const twilioError = (code: number) => Object.assign(new Error(`Twilio error ${code}`), { code });

const managers = fakeTimersStoppingManagers();

function setup() {
  const backend = tokenBackend({ ttlSeconds: 3600 });
  const manager = createTokenManager({ fetchToken: backend.fetchToken, random: () => 0.5 });
  managers.push(manager);
  const connect = fakeVideoConnect();
  return { backend, manager, connect };
}

/** Runs `connectVideo` to the end on fake time, one request-gate second at a time. */
async function settle<T>(promise: Promise<T>): Promise<PromiseSettledResult<T>> {
  const result = promise.then(
    (value) => ({ status: 'fulfilled', value }) as const,
    (reason: unknown) => ({ status: 'rejected', reason }) as const,
  );
  for (let i = 0; i < 10; i++) await tick(1_000);
  return result;
}

describe('connectVideo retries a refused token with a different one', () => {
  it.each([20101, 20104])('after %i, waits past a refresh that returns the refused JWT again', async (code) => {
    const { backend, manager, connect } = setup();
    const refused = (await manager.getToken()).jwt;
    connect.failNext(twilioError(code));
    // A token server that hands out the same bytes again (Twilio's helper does within a second).
    backend.respondWith(() => Promise.resolve(refused));
    const result = await settle(connectVideo(manager, connect, { name: 'standup' }));

    expect(result.status).toBe('fulfilled');
    expect(connect.calls).toHaveLength(2);
    expect(connect.calls[0]).toBe(refused);
    expect(connect.calls[1]).not.toBe(refused);
    expect(connect.calls[1]).toBe(manager.getState().token!.jwt);
    expect(connect.rooms[0]!.options).toEqual({ name: 'standup' });
    expect(backend.calls.map((call) => call.reason)).toEqual(['demand', 'refresh', 'refresh']);
  });

  it('never re-sends the refused JWT: gives up with Twilio’s own error after three refreshes', async () => {
    const { backend, manager, connect } = setup();
    const refused = (await manager.getToken()).jwt;
    const error = twilioError(20104);
    connect.failNext(error);
    backend.respondWith(...Array.from({ length: 10 }, () => () => Promise.resolve(refused)));
    const result = await settle(connectVideo(manager, connect));

    expect(result).toEqual({ status: 'rejected', reason: error });
    expect(connect.calls).toEqual([refused]);
    expect(backend.calls.map((call) => call.reason)).toEqual(['demand', 'refresh', 'refresh', 'refresh']);
  });

  it('asks at most one token a second while it waits for a different one', async () => {
    const { backend, manager, connect } = setup();
    const refused = (await manager.getToken()).jwt;
    connect.failNext(twilioError(20104));
    backend.respondWith(...Array.from({ length: 10 }, () => () => Promise.resolve(refused)));
    const pending = connectVideo(manager, connect).catch(() => undefined);
    await tick(0);
    await tick(999);
    expect(backend.calls).toHaveLength(1);
    await tick(1);
    expect(backend.calls).toHaveLength(2);
    await tick(999);
    expect(backend.calls).toHaveLength(2);
    await tick(2_001);
    expect(backend.calls).toHaveLength(4);
    await pending;
  });

  it('tries once more only: a refusal of the new token too rejects with that error', async () => {
    const { manager, connect } = setup();
    const second = twilioError(20104);
    connect.failNext(twilioError(20104));
    connect.failNext(second);
    const result = await settle(connectVideo(manager, connect));

    expect(result).toEqual({ status: 'rejected', reason: second });
    expect(connect.calls).toHaveLength(2);
    expect(new Set(connect.calls).size).toBe(2);
  });

  it('rejects with the manager’s TokenError when the refresh itself fails, and connects no more', async () => {
    const { backend, manager, connect } = setup();
    await manager.getToken();
    const refusal = twilioError(20101);
    connect.failNext(refusal);
    backend.respondWith(() => Promise.reject(new Error('token server down')));
    const result = await settle(connectVideo(manager, connect));

    expect(result.status).toBe('rejected');
    const reason = (result as PromiseRejectedResult).reason as Error;
    expect(isTokenError(reason)).toBe(true);
    expect(reason.cause).toBe(refusal); // what started it, for the app's logs
    expect(reason.message).toMatch(/Twilio refused the token: 20101/);
    expect(connect.calls).toHaveLength(1);
  });

  it('does not refresh for other errors', async () => {
    const { backend, manager, connect } = setup();
    const error = twilioError(53000);
    connect.failNext(error);
    const result = await settle(connectVideo(manager, connect));

    expect(result).toEqual({ status: 'rejected', reason: error });
    expect(backend.calls).toHaveLength(1);
  });
});

describe('connectVideo with short tokens', () => {
  function setupWith(ttlSeconds: number) {
    const backend = tokenBackend({ ttlSeconds });
    const manager = createTokenManager({ fetchToken: backend.fetchToken, random: () => 0.5 });
    managers.push(manager);
    return { backend, manager, connect: fakeVideoConnect() };
  }

  it.each([10, 20, 60])('connects with %i s tokens by default', async (ttlSeconds) => {
    const { backend, manager, connect } = setupWith(ttlSeconds);
    const room = connectVideo(manager, connect, { name: 'standup' });
    await tick();

    await expect(room).resolves.toBe(connect.rooms[0]);
    expect(connect.calls).toEqual([manager.getState().token!.jwt]);
    expect(connect.rooms[0]!.options).toEqual({ name: 'standup' });
    expect(backend.calls).toHaveLength(1);
  });

  it.each([20, 60])('with %i s tokens, fetches a new one once the held token has less than half its lifetime left', async (ttlSeconds) => {
    const { backend, manager, connect } = setupWith(ttlSeconds);
    const half = (ttlSeconds * 1000) / 2;
    const held = await manager.getToken();
    // Held 1 s short of exp (the rounding of iat): half a lifetime and 1 s are left here.
    await tick(half - 2000);
    const first = connectVideo(manager, connect);
    await tick();
    await first;
    expect(connect.calls).toEqual([held.jwt]);

    await tick(2000); // half a lifetime less 1 s left: too short
    const second = connectVideo(manager, connect);
    await tick();
    await second;
    expect(connect.calls).toHaveLength(2);
    expect(connect.calls[1]).not.toBe(held.jwt);
    expect(connect.calls[1]).toBe(manager.getState().token!.jwt);
    expect(manager.getState().expiresAt! - Date.now()).toBeGreaterThanOrEqual(half);
    expect(backend.calls).toHaveLength(2);
  });

  // `{ minValidityMs: props.minValidityMs }`, or a JSON config's null: the default, never 0.
  it.each([
    ['absent', {}],
    ['undefined', { minValidityMs: undefined }],
    ['null', { minValidityMs: null as never }],
  ])('takes minValidityMs %s as the default: a token with less than half its lifetime left is replaced', async (_, options) => {
    const { backend, manager, connect } = setupWith(60);
    const held = await manager.getToken();
    await tick(30_000); // 29 s left (held 1 s short of exp): less than the default, half a lifetime
    const room = connectVideo(manager, connect, options);
    await tick();
    await room;
    expect(connect.calls).toHaveLength(1);
    expect(connect.calls[0]).not.toBe(held.jwt);
    expect(backend.calls).toHaveLength(2);
    expect(connect.rooms[0]!.options).toEqual({});
  });

  it('keeps the clear error for an explicit minValidityMs no token can meet', async () => {
    const { backend, manager, connect } = setupWith(20);
    const result = await settle(connectVideo(manager, connect, { minValidityMs: 60_000 }));

    expect(result.status).toBe('rejected');
    const { reason } = result as PromiseRejectedResult;
    expect(isTokenError(reason) && reason.code).toBe('invalid-token');
    expect(reason.message).toBe('No token can stay valid for minValidityMs = 60000 ms: a fresh one lasts 20 s');
    expect(connect.calls).toHaveLength(0);
    expect(backend.calls).toHaveLength(1);
  });
});
