// The demo's calls to its own server, besides /api/token (which the TokenManager makes).

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

export async function currentSession(): Promise<SessionInfo | undefined> {
  const response = await fetch('/api/session', { credentials: 'same-origin' });
  return response.ok ? ((await response.json()) as SessionInfo) : undefined;
}

export async function signIn(identity: string): Promise<SessionInfo> {
  const response = await post('/api/login', { identity });
  if (!response.ok) throw new Error(await errorMessage(response));
  const session = await currentSession();
  if (!session) throw new Error('The session cookie was not kept');
  return session;
}

export async function signOut(): Promise<void> {
  await post('/api/logout');
}

export async function failBackend(seconds: number): Promise<void> {
  const response = await post('/api/demo/outage', { seconds });
  if (!response.ok) throw new Error(await errorMessage(response));
}
