import { describe, expect, it } from 'vitest';
import { outcome, tick, useManagerHarness, WITHOUT_SIGNALS } from '../helpers/manager-harness';
import { tokenBackend } from '../helpers/token-backend';

// A manager is bound to one identity (the option, or its first token's) and never holds another's token.
const { manageBackend: manage, withDefaults } = useManagerHarness();

describe('identity', () => {
  it('refuses a fetched token for another identity, keeps its own and does not loop', async () => {
    const backend = tokenBackend({ ttlSeconds: 600 });
    const manager = manage(backend);
    manager.subscribe(() => undefined);
    await tick();
    const own = manager.getState().token!;
    backend.respondWith(...Array.from({ length: 50 }, () => () => Promise.resolve(backend.mint({ identity: 'mallory' }))));
    await tick(450_000);
    expect(manager.getState()).toMatchObject({ status: 'error', token: own, error: { code: 'identity-mismatch' } });
    await tick(3600_000);
    expect(backend.calls).toHaveLength(2);
    expect(manager.getState().token).toBeUndefined();
  });

  it('is bound from the start by the identity option', async () => {
    const backend = tokenBackend();
    const manager = manage(backend, { identity: 'bob' });
    await expect(manager.getToken()).rejects.toMatchObject({ code: 'identity-mismatch', message: expect.stringMatching(/"alice".*"bob"/) });
    expect(manager.getState().token).toBeUndefined();
  });
});

describe('a first token without identity', () => {
  // As the adversarial review ran them: no page or network signals.
  const { manage } = withDefaults(WITHOUT_SIGNALS);

  it('binds to a first token without identity, and then refuses one for mallory', async () => {
    const backend = tokenBackend({ ttlSeconds: 600 });
    backend.respondWith(() => Promise.resolve(backend.mint({ identity: null })));
    const manager = manage({ fetchToken: backend.fetchToken });
    manager.subscribe(() => undefined);
    await tick();
    backend.respondWith(() => Promise.resolve(backend.mint({ identity: 'mallory' })));
    await tick(2000);
    const refreshed = outcome(manager.refresh());
    await tick(2000);
    expect(manager.getState().token?.identity).toBeUndefined();
    expect(refreshed).toMatchObject({ state: 'rejected', value: { code: 'identity-mismatch' } });
  });
});
