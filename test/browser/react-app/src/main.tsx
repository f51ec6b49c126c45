import { StrictMode, useState, type FormEvent } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';

// The app around the README's example: signs in and out against the reference server's session API.
function Shell() {
  const [user, setUser] = useState<{ id: string } | null>(null);
  const [problem, setProblem] = useState<string>();

  const signIn = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const identity = String(new FormData(event.currentTarget).get('identity'));
    const response = await fetch('/api/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ identity }),
    });
    if (!response.ok) return setProblem(`Sign-in failed: ${response.status}`);
    setProblem(undefined);
    setUser({ id: identity });
  };
  const signOut = async () => {
    await fetch('/api/logout', { method: 'POST' });
    setUser(null);
  };

  return (
    <main>
      {user ? (
        <button id="sign-out" onClick={signOut}>
          Sign out {user.id}
        </button>
      ) : (
        <form id="sign-in" onSubmit={signIn}>
          <input name="identity" defaultValue="alice" aria-label="identity" />
          <button type="submit">Sign in</button>
        </form>
      )}
      {problem && <p id="problem">{problem}</p>}
      <section id="app">
        <App user={user} />
      </section>
    </main>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Shell />
  </StrictMode>,
);
