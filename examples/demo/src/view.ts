import type { TokenState } from 'twilio-token-lifecycle';
import { countdown, nextTryText, statusHint } from './retry-note';
import { type TimelineModel } from './timeline';

const byId = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

export const elements = {
  mode: byId('mode'),
  signin: byId('signin'),
  signinForm: byId<HTMLFormElement>('signin-form'),
  identityInput: byId<HTMLInputElement>('identity-input'),
  signinError: byId('signin-error'),
  session: byId('session'),
  identity: byId('identity'),
  status: byId('status'),
  statusHint: byId('status-hint'),
  tabRole: byId('tab-role'),
  network: byId('network'),
  lifetime: byId('lifetime'),
  expiresIn: byId('expires-in'),
  expiresBar: byId('expires-bar'),
  refreshIn: byId('refresh-in'),
  grants: byId('grants'),
  log: byId('log'),
  refreshNow: byId<HTMLButtonElement>('refresh-now'),
  outage: byId<HTMLButtonElement>('outage'),
  signOut: byId<HTMLButtonElement>('sign-out'),
  conflict: byId('identity-conflict'),
  conflictOther: byId('conflict-other'),
  conflictIdentity: byId('conflict-identity'),
  signInAgain: byId<HTMLButtonElement>('sign-in-again'),
  openTab: byId<HTMLButtonElement>('open-tab'),
  roleBadge: byId('role-badge'),
  timeline: document.getElementById('timeline') as unknown as SVGSVGElement,
  timelineBox: byId('timeline-box'),
  tabNote: byId('tab-note'),
  refreshLabel: byId('refresh-label'),
  failures: byId('failures'),
  failureHead: byId('failure-head'),
  failureDetail: byId('failure-detail'),
  failureRetry: byId('failure-retry'),
  timelinePaused: byId('timeline-paused'),
};

const clockTime = (at: number) => new Date(at).toLocaleTimeString();
/** Sets text only when it changed, so live regions announce changes and not every tick. */
const setText = (element: HTMLElement, text: string) => {
  if (element.textContent !== text) element.textContent = text;
};

/** The role badge, the follower's take-over time and the countdown's label. */
export function renderTabs(state: TokenState, now = Date.now()) {
  const role = state.status === 'stopped' ? undefined : state.role;
  elements.roleBadge.hidden = role === undefined;
  elements.roleBadge.dataset.role = role ?? 'none';
  setText(elements.roleBadge, role === 'refresher' ? 'Refresher: fetches for every tab' : role === 'follower' ? 'Follower: uses the refresher’s tokens' : '');
  setText(elements.refreshLabel, role === 'follower' ? 'Takes over in (if no token comes)' : 'Next refresh in');
  let note = '';
  if (role === 'refresher') {
    note = 'This tab is the refresher: its requests serve every tab of this user. Open another tab to watch it follow.';
  } else if (role === 'follower') {
    const at = state.nextRefreshAt;
    note =
      at === undefined
        ? 'This tab is a follower: it takes the refresher’s tokens and sends no requests.'
        : `This tab is a follower: it sends no requests, and fetches by itself at ${clockTime(at)} (in ${seconds(at - now)}) only if the refresher sends no token by then. Close the other tab to see it take over.`;
    // The countdown changes every tick: announce only the role, not the seconds.
  }
  elements.tabNote.dataset.role = role ?? 'none';
  setText(elements.tabNote, note);
}

/** The failure panel: attempt, server reason, when the next try is and why; then the recovery. */
export function renderFailures(model: TimelineModel, now = Date.now(), offline = false) {
  const outage = model.outage;
  const last = outage?.failures.at(-1);
  if (outage && last) {
    elements.failures.hidden = false;
    elements.failures.dataset.state = 'failing';
    const who = last.remote ? 'The refresher tab’s' : 'This tab’s';
    setText(
      elements.failureHead,
      `${who} token request failed: attempt ${last.attempt}${outage.failures.length > 1 ? ` (${outage.failures.length} failures in a row)` : ''}`,
    );
    const status = last.status === undefined ? last.code : `HTTP ${last.status}`;
    const server = last.serverCode ? ` ${last.serverCode}` : '';
    elements.failureDetail.textContent = `${status}${server}: “${last.message}” · no new token for ${seconds(now - outage.since)}`;
    elements.failureRetry.hidden = false;
    // Another tab's retries are planned by that tab: this one only knows what it was told.
    elements.failureRetry.textContent = nextTryText({ retryAt: last.retryAt, retryAfterMs: last.retryAfterMs, failures: outage.failures.length, offline }, now);
    return;
  }
  elements.failureRetry.hidden = true;
  const recovery = model.recoveries.at(-1);
  if (recovery) {
    elements.failures.hidden = false;
    elements.failures.dataset.state = 'recovered';
    setText(elements.failureHead, `Recovered at ${clockTime(recovery.at)}`);
    setText(
      elements.failureDetail,
      `A token came after ${recovery.failures} failed attempt${recovery.failures === 1 ? '' : 's'}, ${seconds(recovery.at - recovery.since)} after the first failing request.`,
    );
    return;
  }
  // Open while it shows the token doctor's explanation of a refusal (doctor-panel.ts).
  elements.failures.hidden = document.getElementById('doctor')?.hidden ?? true;
}

const seconds = countdown;

/** Sign-out that the server did not confirm: said in the log and under the sign-in form. */
export function showSignOutProblem(problem: string) {
  const message = `The server did not confirm the sign-out: ${problem}. This page stopped; a copy of its session cookie may still work until it expires.`;
  log('bad', message);
  elements.signinError.textContent = message;
}

export function showSignedIn(signedIn: boolean) {
  elements.signin.hidden = signedIn;
  elements.session.hidden = !signedIn;
}

/** Redraws what depends on the state itself. */
export function renderState(state: TokenState) {
  elements.status.textContent = state.status;
  elements.status.dataset.status = state.status;
  elements.tabRole.textContent =
    state.role === 'refresher'
      ? 'the refresher: fetches for every tab'
      : state.role === 'follower'
        ? 'a follower: takes the refresher’s tokens'
        : 'on its own';
  elements.tabRole.dataset.role = state.role ?? 'alone';
  elements.network.textContent = state.offline ? 'offline: requests paused' : 'online';
  const token = state.token;
  if (token) {
    elements.identity.textContent = token.identity ?? '—';
    elements.lifetime.textContent = seconds(token.expiresAt - token.issuedAt);
    const { identity: _identity, ...grants } = token.grants;
    elements.grants.textContent = JSON.stringify(grants, null, 2);
  }
  renderClock(state);
}

/** Redraws the countdowns; called a few times a second. */
export function renderClock(state: TokenState, now = Date.now()) {
  const { token, expiresAt, nextRefreshAt } = state;
  if (token && expiresAt !== undefined) {
    const left = expiresAt - now;
    const lifetime = token.expiresAt - token.issuedAt;
    elements.expiresIn.textContent = seconds(left);
    const share = Math.max(0, Math.min(1, left / lifetime));
    elements.expiresBar.style.width = `${(share * 100).toFixed(1)}%`;
    elements.expiresBar.classList.toggle('low', share < 0.25);
  } else {
    elements.expiresIn.textContent = '—';
    elements.expiresBar.style.width = '0';
  }
  elements.refreshIn.textContent = nextRefreshAt === undefined ? '—' : seconds(nextRefreshAt - now);
  // Never a bare "expired": say that a try is coming, and when.
  const hint = statusHint(state.status, nextRefreshAt, now, state.offline === true);
  elements.statusHint.hidden = hint === '';
  elements.statusHint.textContent = hint;
}

/** Shows or hides the cue that the timeline holds still under the pointer. */
export function showTimelinePaused(isPaused: boolean) {
  elements.timelinePaused.hidden = !isPaused;
}

/** Offers to sign in again after another tab signed in as someone else (`undefined` hides the offer). */
export function showIdentityConflict(conflict: { identity: string; other: string | undefined } | undefined) {
  elements.conflict.hidden = conflict === undefined;
  if (!conflict) return;
  elements.conflictIdentity.textContent = conflict.identity;
  elements.conflictOther.textContent = conflict.other ?? 'someone else';
}

/** Adds a line to the log, newest first; `at` (epoch ms) is when it happened. */
export function log(kind: 'ok' | 'bad' | 'info', message: string, at = Date.now()) {
  const item = document.createElement('li');
  const time = document.createElement('time');
  time.dateTime = new Date(at).toISOString();
  time.textContent = new Date(at).toLocaleTimeString();
  const text = document.createElement('span');
  text.className = kind;
  text.textContent = message;
  item.append(time, text);
  elements.log.prepend(item);
  while (elements.log.children.length > 200) elements.log.lastElementChild?.remove();
}
