import { act, cleanup, render, renderHook, screen } from '@testing-library/react';
import { StrictMode, type ReactNode } from 'react';
import { renderToString } from 'react-dom/server';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TokenError, type TokenManager, type TokenManagerOptions, type TokenState } from 'twilio-token-lifecycle';
import { isSignedOut, TokenManagerProvider, useAccessToken, useTokenManager, useTokenState, type UserKey } from 'twilio-token-lifecycle/react';
import { createTokenManager } from '../src/token-manager';
import { userBackend } from './helpers/react-backend';

// Counts the managers the provider creates, keeping the real implementation.
vi.mock('../src/token-manager', { spy: true });

const tick = (ms = 0) => act(() => vi.advanceTimersByTimeAsync(ms));

/** Records what each render saw: the manager, the state and the token's identity. */
function Probe({ seen }: { seen: Array<{ manager: TokenManager | null; state: TokenState }> }) {
  const manager = useTokenManager();
  const state = useTokenState();
  const token = useAccessToken();
  seen.push({ manager, state });
  return (
    <p data-testid="probe">
      {state.status} {token?.identity ?? 'none'}
    </p>
  );
}

describe('TokenManagerProvider', () => {
  let backend: ReturnType<typeof userBackend>;
  let options: TokenManagerOptions;
  let seen: Array<{ manager: TokenManager | null; state: TokenState }>;
  const app = (identity: UserKey, { strict = false, opts = options }: { strict?: boolean; opts?: TokenManagerOptions } = {}) => {
    const tree = (
      <TokenManagerProvider options={opts} identity={identity}>
        <Probe seen={seen} />
      </TokenManagerProvider>
    );
    return strict ? <StrictMode>{tree}</StrictMode> : tree;
  };
  const text = () => screen.getByTestId('probe').textContent;
  const managers = () => vi.mocked(createTokenManager).mock.results.map((result) => result.value as TokenManager);

  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    vi.mocked(createTokenManager).mockClear();
    backend = userBackend();
    options = { fetchToken: backend.fetchToken };
    seen = [];
  });

  afterEach(() => {
    cleanup();
    for (const manager of managers()) manager.stop();
    vi.useRealTimers();
  });

  it('holds no manager and makes no request while signed out', async () => {
    render(app(undefined));
    await tick(10_000);
    expect(text()).toBe('idle none');
    expect(managers()).toHaveLength(0);
    expect(backend.calls).toHaveLength(0);
    expect(seen.every(({ manager }) => manager === null)).toBe(true);
  });

  // `identity={Number(user?.id)}` before the user loads: NaN equals nothing, itself included, so it names
  // no one. It made a manager (and a request) at each mount that the provider then never provided.
  it.each([false, true])('takes identity NaN as signed out: no manager, no request (StrictMode %s)', async (strict) => {
    render(app(Number.NaN, { strict }));
    await tick(10_000);
    expect(text()).toBe('idle none');
    expect(managers()).toHaveLength(0);
    expect(backend.calls).toHaveLength(0);
  });

  it('returns one stable idle snapshot while signed out, across renders', async () => {
    const view = render(app(null));
    view.rerender(app(null));
    view.rerender(app(undefined));
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(new Set(seen.map(({ state }) => state)).size).toBe(1);
    expect(seen[0]!.state).toEqual({ status: 'idle' });
  });

  it('creates one manager at sign-in, which makes one request', async () => {
    const view = render(app(null));
    view.rerender(app('alice'));
    await tick();
    expect(text()).toBe('valid alice');
    expect(managers()).toHaveLength(1);
    expect(backend.calls).toEqual(['alice']);
  });

  it('stops the manager at sign-out and holds none', async () => {
    const view = render(app('alice'));
    await tick();
    const [first] = managers();
    view.rerender(app(null));
    await tick();
    expect(text()).toBe('idle none');
    expect(first!.getState().status).toBe('stopped');
    expect(seen.at(-1)!.manager).toBeNull();
  });

  it('stops the old manager and creates a new one when the identity changes, never showing the old one for the new user', async () => {
    const view = render(app('alice'));
    await tick();
    seen.length = 0;
    backend.user = 'bob';
    view.rerender(app('bob'));
    await tick();
    expect(text()).toBe('valid bob');
    const [alices, bobs] = managers();
    expect(managers()).toHaveLength(2);
    expect(alices!.getState().status).toBe('stopped');
    expect(backend.calls).toEqual(['alice', 'bob']);
    // From the first render with identity bob: null until bob's manager, then only bob's.
    expect(seen.map(({ manager }) => (manager === null ? 'none' : manager === bobs ? 'bob' : 'alice'))).not.toContain('alice');
  });

  it('never hands out a stopped manager, also when the same user signs in again', async () => {
    const view = render(app('alice'));
    await tick();
    view.rerender(app(null));
    await tick();
    view.rerender(app('alice'));
    await tick();
    expect(text()).toBe('valid alice');
    expect(managers()).toHaveLength(2);
    expect(seen.filter(({ state }) => state.status === 'stopped')).toEqual([]);
  });

  it('under StrictMode creates one manager and makes one request', async () => {
    render(app('alice', { strict: true }));
    await tick(5_000);
    expect(text()).toBe('valid alice');
    expect(managers()).toHaveLength(1);
    expect(backend.calls).toHaveLength(1);
  });

  it('under StrictMode, an identity change still leaves one live manager', async () => {
    const view = render(app('alice', { strict: true }));
    await tick();
    backend.user = 'bob';
    view.rerender(app('bob', { strict: true }));
    await tick();
    expect(text()).toBe('valid bob');
    expect(managers().map((manager) => manager.getState().status)).toEqual(['stopped', 'valid']);
    expect(backend.calls).toEqual(['alice', 'bob']);
  });

  it('does not recreate the manager when options is a new object every render', async () => {
    const view = render(app('alice', { opts: { fetchToken: backend.fetchToken } }));
    await tick();
    for (let i = 0; i < 5; i++) view.rerender(app('alice', { opts: { fetchToken: backend.fetchToken, idleGraceMs: i } }));
    await tick(1_000);
    expect(managers()).toHaveLength(1);
    expect(backend.calls).toHaveLength(1);
  });

  it('reads options when it creates a manager: the latest ones at the next identity', async () => {
    const view = render(app('alice'));
    await tick();
    const other = userBackend();
    other.user = 'bob';
    view.rerender(app('alice', { opts: { fetchToken: other.fetchToken } }));
    await tick();
    expect(other.calls).toHaveLength(0);
    view.rerender(app('bob', { opts: { fetchToken: other.fetchToken } }));
    await tick();
    expect(other.calls).toEqual(['bob']);
    expect(text()).toBe('valid bob');
  });

  it('leaves no timer behind after unmount', async () => {
    const view = render(app('alice', { strict: true }));
    await tick();
    expect(vi.getTimerCount()).toBeGreaterThan(0); // the refresh schedule
    view.unmount();
    await act(() => Promise.resolve()); // the deferred stop is a microtask, not a timer
    expect(vi.getTimerCount()).toBe(0);
    expect(managers()[0]!.getState().status).toBe('stopped');
    await tick(3_600_000);
    expect(backend.calls).toHaveLength(1);
  });

  it('shows a 401 as an error state that isSignedOut() recognises', async () => {
    backend.answer.push(() => Promise.reject(new TokenError('unauthorized', 'Token request failed with status 401', { status: 401 })));
    render(app('alice'));
    await tick();
    const { state } = seen.at(-1)!;
    expect(state).toMatchObject({ status: 'error', error: { code: 'unauthorized' } });
    expect(isSignedOut(state)).toBe(true);
    await tick(600_000);
    expect(backend.calls).toHaveLength(1); // not retried until refresh()
  });

  it('recognises a 403 too, and no other state', () => {
    const error = (code: 'forbidden' | 'network') => new TokenError(code, code);
    expect(isSignedOut({ status: 'error', error: error('forbidden') })).toBe(true);
    expect(isSignedOut({ status: 'error', error: error('network') })).toBe(false);
    expect(isSignedOut({ status: 'idle' })).toBe(false);
    expect(isSignedOut({ status: 'valid' })).toBe(false);
  });

  it('says how to fix a hook used outside the provider', () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(() => renderHook(() => useTokenState())).toThrow(/useTokenState\(\) without a manager needs a <TokenManagerProvider> above it/);
    expect(() => renderHook(() => useTokenManager())).toThrow(/useTokenManager\(\) needs a <TokenManagerProvider>/);
    vi.mocked(console.error).mockRestore();
  });

  it('renders signed out on the server and creates nothing', async () => {
    const wrapper = ({ children }: { children: ReactNode }) => (
      <TokenManagerProvider options={options} identity="alice">
        {children}
      </TokenManagerProvider>
    );
    const html = renderToString(wrapper({ children: <Probe seen={seen} /> }));
    expect(html).toContain('idle');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(managers()).toHaveLength(0);
    expect(backend.calls).toHaveLength(0);
  });
});
