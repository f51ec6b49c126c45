import { Client } from '@twilio/conversations';
import { isSignedOut, TokenManagerProvider, useConversationsClient, useTokenState } from 'twilio-token-lifecycle/react';

// `user` is your app's signed-in user (null while signed out).
export function App({ user }: { user: { id: string } | null }) {
  return (
    <TokenManagerProvider options={{ url: '/api/token' }} identity={user?.id}>
      {user ? <Chat /> : <p>Signed out</p>}
    </TokenManagerProvider>
  );
}

function Chat() {
  const state = useTokenState();
  const { client, status, error, connectionState } = useConversationsClient(Client);
  if (isSignedOut(state)) return <p role="alert">Your session has ended: sign in again.</p>;
  if (status === 'error') return <p role="alert">Could not connect: {error.message}</p>;
  if (status !== 'ready' || connectionState !== 'connected') return <p>Connecting…</p>;
  return <p>Connected as {client.user.identity}</p>;
}
