import type { TokenState } from 'twilio-token-lifecycle';

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
};

const seconds = (ms: number) => (ms <= 0 ? '0.0 s' : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.floor((ms % 60_000) / 1000)} s`);

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
