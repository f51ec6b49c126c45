// app/api/token/route.ts (App Router). On the Node runtime this is the node:crypto build of
// mintAccessToken; with `export const runtime = 'edge'`, Next.js bundles the WebCrypto one.
import { isMintInputError, mintAccessToken } from 'twilio-token-lifecycle/server';
import { jsonError, missingVariables, sessionUser } from './session';

const REQUIRED = ['TWILIO_ACCOUNT_SID', 'TWILIO_API_KEY', 'TWILIO_API_SECRET', 'SESSION_SECRET'] as const;

export async function POST(request: Request): Promise<Response> {
  const env = process.env;
  // Named in a JSON error: a throw here would be Next.js's HTML 500 page.
  const missing = missingVariables(env, REQUIRED);
  if (missing.length > 0) return jsonError(500, 'misconfigured', `Set ${missing.join(', ')} in the environment`);

  // The identity comes from the session, never from the request body.
  const userId = await sessionUser(request, env.SESSION_SECRET!);
  if (!userId) return jsonError(401, 'no-session', 'Sign in first');
  try {
    const token = await mintAccessToken({
      accountSid: env.TWILIO_ACCOUNT_SID!,
      apiKeySid: env.TWILIO_API_KEY!,
      apiSecret: env.TWILIO_API_SECRET!,
      identity: userId,
      ttlSeconds: 3600,
      grants: { video: {} },
    });
    return Response.json({ token }, { headers: { 'Cache-Control': 'no-store' } });
  } catch (error) {
    // Input Twilio would refuse (a malformed SID, say); the message names the field, never the secret.
    if (isMintInputError(error)) return jsonError(400, error.code, error.message);
    throw error;
  }
}
