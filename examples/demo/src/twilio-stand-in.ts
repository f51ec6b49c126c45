// The demo has no real Twilio: with the local signer, the server's stand-in (`POST /api/demo/twilio`)
// checks each new token as Twilio would, so a broken one is refused the way a real SDK would report it.
import type { TokenManager } from 'twilio-token-lifecycle';

/** Twilio's refusal: its error code and message. */
export interface TwilioRefusal {
  code: number;
  message: string;
}

/** What the stand-in said of `jwt`: taken (`undefined`) or refused. Rejects if it could not be asked. */
export async function handToTwilio(jwt: string): Promise<TwilioRefusal | undefined> {
  const response = await fetch('/api/demo/twilio', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token: jwt }),
  });
  const body = (await response.json().catch(() => undefined)) as { ok?: boolean; code?: unknown; message?: unknown } | undefined;
  if (response.ok && body?.ok === true) return undefined;
  if (typeof body?.code === 'number') return { code: body.code, message: String(body.message ?? '') };
  throw new Error(`The Twilio stand-in did not answer (HTTP ${response.status})`);
}

/**
 * Hands every new token the manager holds to the stand-in, once, and calls `onAnswer` with what it said
 * about the newest one (an answer about a token already replaced is dropped). Returns a stop function.
 */
export function handEachTokenToTwilio(
  manager: TokenManager,
  onAnswer: (jwt: string, refusal: TwilioRefusal | undefined) => void,
  onProblem: (error: Error) => void,
): () => void {
  let handed: string | undefined;
  let stopped = false;
  const hand = (jwt: string | undefined) => {
    if (jwt === undefined || jwt === handed) return;
    handed = jwt;
    handToTwilio(jwt).then(
      (refusal) => {
        if (!stopped && handed === jwt) onAnswer(jwt, refusal);
      },
      (error: unknown) => {
        if (!stopped) onProblem(error instanceof Error ? error : new Error(String(error)));
      },
    );
  };
  const unsubscribe = manager.subscribe((state) => hand(state.token?.jwt));
  hand(manager.getState().token?.jwt);
  return () => {
    stopped = true;
    unsubscribe();
  };
}
