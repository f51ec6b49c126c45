// app/api/login/route.ts: demo sign-in, it trusts the name it is given. Put your real authentication
// here (or let Auth.js do it).
import { MAX_IDENTITY_LENGTH } from 'twilio-token-lifecycle/server';
import { jsonError, missingVariables, sessionCookie } from '../session';

export async function POST(request: Request): Promise<Response> {
  const missing = missingVariables(process.env, ['SESSION_SECRET']);
  if (missing.length > 0) return jsonError(500, 'misconfigured', `Set ${missing.join(', ')} in the environment`);
  const body: unknown = await request.json().catch(() => undefined);
  const identity = (body as { identity?: unknown } | undefined)?.identity;
  if (typeof identity !== 'string' || identity.length === 0 || identity.length > MAX_IDENTITY_LENGTH) {
    return jsonError(400, 'invalid-identity', `identity must be 1 to ${MAX_IDENTITY_LENGTH} characters`);
  }
  const userId = identity.normalize('NFC');
  return Response.json({ identity: userId }, { headers: { 'Set-Cookie': await sessionCookie(userId, process.env.SESSION_SECRET!) } });
}
