// The demo's calls to its own server, besides /api/token (which the TokenManager makes).
import { showSignOutProblem } from './view';

export interface SessionInfo {
  identity: string;
  ttlSeconds: number;
  isLocalOnly: boolean;
}

async function post(path: string, body?: unknown): Promise<Response> {
  return fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function errorMessage(response: Response): Promise<string> {
  const body = (await response.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
  return body?.error?.message ?? `HTTP ${response.status}`;
}

// The server answers GET /api/session with 401 when there is no session, and the browser reports every
// 401 in the console. The session cookie is httpOnly, so the page cannot look for it: it remembers
// (for all its tabs) that it signed in, and asks the server only then.
const SIGNED_IN_KEY = 'twilio-token-lifecycle-demo:signed-in';

function rememberSignedIn(isSignedIn: boolean): void {
  try {
    if (isSignedIn) localStorage.setItem(SIGNED_IN_KEY, '1');
    else localStorage.removeItem(SIGNED_IN_KEY);
  } catch {
    // storage blocked: the page will just ask the server
  }
}

function mayBeSignedIn(): boolean {
  try {
    return localStorage.getItem(SIGNED_IN_KEY) !== null;
  } catch {
    return true;
  }
}

/** The session of the cookie, if there is one. Asks the server only if this page signed in before. */
export async function currentSession(): Promise<SessionInfo | undefined> {
  if (!mayBeSignedIn()) return undefined;
  const response = await fetch('/api/session', { credentials: 'same-origin' });
  if (!response.ok) {
    rememberSignedIn(false); // the cookie expired or the server restarted with a new secret
    return undefined;
  }
  return (await response.json()) as SessionInfo;
}

export async function signIn(identity: string): Promise<SessionInfo> {
  const response = await post('/api/login', { identity });
  if (!response.ok) throw new Error(await errorMessage(response));
  rememberSignedIn(true);
  const session = await currentSession();
  if (!session) throw new Error('The session cookie was not kept');
  return session;
}

/**
 * Signs out. The server clears the cookie even when it cannot end the session (503: its store is
 * down), so this page stops either way; when the server did not confirm it, the page says so (a copy
 * of the cookie may then still work) and this resolves to why, else to `undefined`. Never rejects.
 */
export async function signOut(): Promise<string | undefined> {
  rememberSignedIn(false);
  const response = await post('/api/logout').catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
  const problem = response instanceof Error ? `the server could not be reached (${response.message})` : response.ok ? undefined : await errorMessage(response);
  if (problem !== undefined) showSignOutProblem(problem);
  return problem;
}

export async function failBackend(seconds: number): Promise<void> {
  const response = await post('/api/demo/outage', { seconds });
  if (!response.ok) throw new Error(await errorMessage(response));
}
