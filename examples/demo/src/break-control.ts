// The "Break the token" control (local signer only): the server mints this session's next tokens broken
// in one of the ways that make Twilio refuse real ones, and "Mend" makes them sound again. Either way
// the page fetches a new token at once, so the stand-in's verdict and the doctor's finding show.
import type { TokenManager } from 'twilio-token-lifecycle';

/** The ways the server can break tokens (`POST /api/demo/break`), with what each one imitates. */
export const BREAK_MODES = {
  'wrong-secret': 'signed with the wrong secret',
  'ttl-in-ms': 'TTL written in milliseconds',
  'missing-grant': 'the Video grant left out',
  'future-nbf': '“nbf” an hour ahead',
} as const;
export type BreakMode = keyof typeof BREAK_MODES;

/** Asks the server to break (or, with `null`, to mend) this session's next tokens. */
export async function breakTokens(mode: BreakMode | null): Promise<void> {
  const response = await fetch('/api/demo/break', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ mode }),
  });
  if (!response.ok) {
    const body = (await response.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
    throw new Error(body?.error?.message ?? `HTTP ${response.status}`);
  }
}

/**
 * Wires the control (`#break-mode`, `#break-token`, `#mend-token` inside `#break-control`), shown only
 * when `isLocalOnly`. `manager()` is the session's manager, if any; `log` reports what happened.
 */
export function wireBreakControl(isLocalOnly: boolean, manager: () => TokenManager | undefined, log: (kind: 'info' | 'bad', message: string) => void) {
  const control = document.getElementById('break-control');
  const select = document.getElementById('break-mode') as HTMLSelectElement | null;
  if (!control || !select) return;
  control.hidden = !isLocalOnly;
  if (control.dataset.wired) return;
  control.dataset.wired = 'yes';
  const apply = async (mode: BreakMode | null) => {
    try {
      await breakTokens(mode);
      log('info', mode === null ? 'The server signs sound tokens again; fetching one' : `The server now breaks tokens: ${BREAK_MODES[mode]}; fetching one`);
      await manager()?.refresh().catch(() => undefined); // a failure shows in the state and the log
    } catch (error) {
      log('bad', (error as Error).message);
    }
  };
  document.getElementById('break-token')?.addEventListener('click', () => void apply(select.value as BreakMode));
  document.getElementById('mend-token')?.addEventListener('click', () => void apply(null));
}
