import { act, cleanup, render, screen } from '@testing-library/react';
import { StrictMode } from 'react';
import { renderToString } from 'react-dom/server';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTokenManager, TokenError, type TokenManager } from 'twilio-token-lifecycle';
import { useAccessToken, useTokenState } from 'twilio-token-lifecycle/react';
import { tokenBackend } from './helpers/token-backend';

const tick = (ms = 0) => act(() => vi.advanceTimersByTimeAsync(ms));

function Status({ manager }: { manager: TokenManager }) {
  const state = useTokenState(manager);
  return <p data-testid="status">{state.status}</p>;
}

function Identity({ manager }: { manager: TokenManager }) {
  const token = useAccessToken(manager);
  return <p data-testid="identity">{token ? `${token.identity} ${token.issuedAt}` : 'none'}</p>;
}

describe('React binding', () => {
  let manager: TokenManager;
  let backend: ReturnType<typeof tokenBackend>;

  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    backend = tokenBackend({ ttlSeconds: 600 });
    manager = createTokenManager({ fetchToken: backend.fetchToken });
  });

  afterEach(() => {
    cleanup();
    manager.stop();
    vi.useRealTimers();
  });

  it('renders the state as it moves from fetching to valid, with one request', async () => {
    render(<Status manager={manager} />);
    expect(screen.getByTestId('status').textContent).toBe('fetching');
    await tick();
    expect(screen.getByTestId('status').textContent).toBe('valid');
    expect(backend.calls).toHaveLength(1);
  });

  it('makes one request, not two, under StrictMode', async () => {
    render(
      <StrictMode>
        <Status manager={manager} />
        <Identity manager={manager} />
      </StrictMode>,
    );
    await tick(5_000);
    expect(screen.getByTestId('status').textContent).toBe('valid');
    expect(screen.getByTestId('identity').textContent).toMatch(/^alice /);
    expect(backend.calls).toHaveLength(1);
  });

  it('shares one request among every component that uses the manager', async () => {
    render(
      <>
        <Status manager={manager} />
        <Identity manager={manager} />
        <Identity manager={manager} />
      </>,
    );
    await tick();
    expect(backend.calls).toHaveLength(1);
  });

  it('re-renders with each new token', async () => {
    render(<Identity manager={manager} />);
    expect(screen.getByTestId('identity').textContent).toBe('none');
    await tick();
    const first = screen.getByTestId('identity').textContent;
    await tick(1_000);
    await act(() => manager.refresh());
    const second = screen.getByTestId('identity').textContent;
    expect(second).toMatch(/^alice /);
    expect(second).not.toBe(first);
  });

  it('keeps the schedule running while mounted and releases it after unmount', async () => {
    const view = render(<Status manager={manager} />);
    await tick();
    // A 600 s token is refreshed 150 s before it expires.
    await tick(451_000);
    expect(backend.calls).toHaveLength(2);

    view.unmount();
    await tick(2 * 600_000);
    expect(backend.calls).toHaveLength(2);
  });

  it('shows a failed request as an error state, without throwing from render', async () => {
    backend.respondWith(() => Promise.reject(new TokenError('unauthorized', 'Token request failed with status 401', { status: 401 })));
    render(<Status manager={manager} />);
    await tick();
    expect(screen.getByTestId('status').textContent).toBe('error');
    expect(manager.getState().error?.code).toBe('unauthorized');
  });

  it('renders the idle server snapshot on the server and starts nothing', async () => {
    const html = renderToString(
      <>
        <Status manager={manager} />
        <Identity manager={manager} />
      </>,
    );
    expect(html).toContain('idle');
    expect(html).toContain('none');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(backend.calls).toHaveLength(0);
  });
});
