// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '@twilio/conversations';
import { TokenManagerProvider, useConversationsClient } from 'twilio-token-lifecycle/react';
import { mintTestToken } from 'twilio-token-lifecycle/testing';
import { conversationsRest } from './conversations-rest';
import { quiet, sleep, startHarness, waitFor } from './twilsock-harness';
import { chatLikeOptions } from './twilsock-scenarios';

// useConversationsClient rendered with the real Conversations Client on the fake twilsock server: the
// README's rule, "Connected" only while the client is.

// Real time and a real socket: React renders as in an app, not batched inside act().
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = false;

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  cleanup();
  for (const step of cleanups.reverse()) await step();
  cleanups = [];
});

describe('useConversationsClient with the real @twilio/conversations Client', () => {
  it('shows connected only while the client is: not while every socket fails', async () => {
    const harness = await startHarness({ ttlSeconds: 600, rest: (request) => conversationsRest(`http://${request.host}`)(request) });
    cleanups.push(() => harness.close());
    const options = chatLikeOptions({ twilsock: harness.twilsock.url, rest: harness.twilsock.restBase }) as NonNullable<ConstructorParameters<typeof Client>[1]>;
    const shown: string[] = [];
    function Chat() {
      const { status, connectionState } = useConversationsClient(Client, options);
      const text = status === 'ready' && connectionState === 'connected' ? 'Connected' : `${status} ${connectionState ?? ''}`.trim();
      if (shown.at(-1) !== text) shown.push(text);
      return <p data-testid="chat">{text}</p>;
    }
    render(
      // Tokens minted in the test (happy-dom's fetch would hold the harness's endpoint cross-origin).
      <TokenManagerProvider options={{ fetchToken: async () => mintTestToken({ ttlSeconds: 600 }), page: false, network: false }} identity="alice">
        <Chat />
      </TokenManagerProvider>,
    );
    const says = () => screen.getByTestId('chat').textContent;
    await waitFor(() => says() === 'Connected', 20_000, 'the hook shows Connected');
    // The client existed (status ready) before it was connected, and the hook said so.
    const before = shown.slice(0, shown.indexOf('Connected'));
    expect(before.some((text) => /^ready (unknown|connecting)$/.test(text))).toBe(true);
    expect(harness.twilsock.lastAccepted()).toBeDefined();
    // Once its start-up REST calls are answered: a request in flight when the socket dies ends in an
    // unhandled rejection inside twilsock 1.0.2 (PacketInterface's "disconnected"), twilsock's defect.
    await quiet(harness);
    harness.twilsock.refuseSockets();
    await waitFor(() => says() !== 'Connected', 20_000, 'the hook shows the socket lost');
    await waitFor(() => harness.twilsock.refusedSockets >= 2, 30_000, 'the client fails again');
    expect(says()).toMatch(/^ready (connecting|retrying)$/);
    harness.twilsock.refuseSockets(false);
    await waitFor(() => says() === 'Connected', 40_000, 'Connected again');
    cleanup(); // unmount: the client is shut down
    await sleep(300);
  }, 120_000);
});
