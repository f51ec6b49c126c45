// When Twilio (the stand-in) refuses a token, the failure panel says why: the token doctor, loaded only
// then (`import()`: a separate file the page never fetches while tokens are taken), explains the code.
import { TokenError, type TokenManager } from 'twilio-token-lifecycle';
import type { Finding, Product } from 'twilio-token-lifecycle/doctor';
import type { TwilioRefusal } from './twilio-stand-in';

const byId = (id: string) => document.getElementById(id) as HTMLElement;

/** A refusal: Twilio's (with its code), or the TokenManager's own (`code` 0: no SDK ever saw the token). */
type Refusal = TwilioRefusal & { by?: 'twilio' | 'manager' };

// Each verdict takes a turn; a diagnosis that ends after a newer verdict was shown is dropped.
let latestTurn = 0;

/** The findings of the newest refusal in the failure panel; `undefined` clears them. */
function render(refusal: Refusal | undefined, findings: Finding[], turn = ++latestTurn) {
  if (turn !== latestTurn) return;
  const panel = byId('doctor');
  const list = byId('doctor-findings');
  panel.hidden = refusal === undefined;
  panel.dataset.twilioCode = refusal && refusal.by !== 'manager' ? String(refusal.code) : '';
  panel.dataset.refusedBy = refusal?.by ?? (refusal ? 'twilio' : '');
  // Errors first: they are why Twilio refused; warnings may only add to it.
  const shown = [...findings].sort((a, b) => Number(b.severity === 'error') - Number(a.severity === 'error'));
  panel.dataset.findings = shown.map((finding) => finding.code).join(' ');
  byId('doctor-head').textContent = !refusal
    ? ''
    : refusal.by === 'manager'
      ? `The TokenManager turned the token down before any SDK saw it: “${refusal.message}”. The token doctor says:`
      : `Twilio refused the token: ${refusal.code} “${refusal.message}”. The token doctor says:`;
  list.replaceChildren(
    ...shown.map((finding) => {
      const item = document.createElement('li');
      item.dataset.code = finding.code;
      item.dataset.severity = finding.severity;
      const code = document.createElement('code');
      code.textContent = finding.code;
      const message = document.createElement('span');
      message.textContent = ` ${finding.message} `;
      const fix = document.createElement('em');
      fix.textContent = `Fix: ${finding.fix}`;
      item.append(code, message, fix);
      return item;
    }),
  );
  // The failure panel stays open while it shows an explanation (view.ts reads #doctor's `hidden`).
  if (refusal) byId('failures').hidden = false;
}

/**
 * Shows what the stand-in said of `jwt`: nothing when it was taken, else the doctor's findings for the
 * refusal, reported as the adapters report it (`token-rejected`, the code in `serverError.code`).
 * Resolves to the findings shown; never rejects.
 */
export async function showTwilioAnswer(jwt: string, refusal: TwilioRefusal | undefined, products: Product[]): Promise<Finding[]> {
  const turn = ++latestTurn;
  if (!refusal) {
    render(undefined, [], turn);
    return [];
  }
  const error = new TokenError('token-rejected', `Twilio refused the token (${refusal.code})`, {
    serverError: { code: String(refusal.code), message: refusal.message },
  });
  try {
    const { explainTokenError } = await import('twilio-token-lifecycle/doctor');
    const { findings } = await explainTokenError(error, jwt, { products });
    render(refusal, findings, turn);
    return findings;
  } catch (problem) {
    // The doctor's file could not be loaded (offline, a new deploy): the refusal is still shown.
    render(refusal, [], turn);
    if (turn === latestTurn) byId('doctor-head').textContent += ` (the doctor is unavailable: ${(problem as Error).message})`;
    return [];
  }
}

/**
 * Explains each token this tab's manager turns down as `invalid-token` (Twilio would refuse it, and no
 * SDK gets it): `lastServed()` is the token the server sent. Returns a stop function.
 */
export function explainManagerRefusals(manager: TokenManager, lastServed: () => string | undefined, products: Product[], after: () => void): () => void {
  const subscription = manager.events$.subscribe((event) => {
    const jwt = lastServed();
    if (event.type !== 'refused' || event.origin !== 'fetched' || event.code !== 'invalid-token' || jwt === undefined) return;
    const refusal: Refusal = { code: 0, message: event.message, by: 'manager' };
    const turn = ++latestTurn;
    void import('twilio-token-lifecycle/doctor')
      .then(({ diagnoseAccessToken }) => diagnoseAccessToken(jwt, { products }))
      .then(({ findings }) => render(refusal, findings, turn), () => render(refusal, [], turn))
      .then(after);
  });
  return () => subscription.unsubscribe();
}
