import { createTokenManager, type AccessToken, type TokenManager, type TokenState } from 'twilio-token-lifecycle';
import { currentSession, failBackend, signIn, signOut, type SessionInfo } from './api';
import { elements, log, renderClock, renderState, showSignedIn } from './view';

/** What the page exposes for the console and for the browser tests. */
interface DemoHandle {
  manager?: TokenManager;
  /** Every status the page has shown, in order. */
  statuses: string[];
  /** How many new tokens the page received. */
  tokensReceived: number;
  /** When each new token arrived (Date.now()). */
  tokenTimes: number[];
  /** A short fingerprint of the held token (its iat and the end of its signature), never the token. */
  fingerprint(): string | undefined;
}

const demo: DemoHandle = {
  statuses: [],
  tokensReceived: 0,
  tokenTimes: [],
  fingerprint: () => {
    const token = demo.manager?.getState().token;
    return token && `${token.issuedAt}:${token.jwt.slice(-8)}`;
  },
};
(window as unknown as { demo: DemoHandle }).demo = demo;

let stopSession: (() => void) | undefined;

function describeToken(token: AccessToken): string {
  const lifetime = Math.round((token.expiresAt - token.issuedAt) / 1000);
  return `New token for ${token.identity}, valid ${lifetime} s (…${token.jwt.slice(-6)})`;
}

function startSession(session: SessionInfo) {
  elements.mode.hidden = !session.isLocalOnly;
  elements.mode.textContent = 'Local tokens: they work here, not with Twilio';
  showSignedIn(true);
  const manager = createTokenManager({ url: '/api/token' });
  demo.manager = manager;
  let last: TokenState = manager.getState();
  demo.statuses.push(last.status);
  const unsubscribe = manager.subscribe((state) => {
    if (state.status !== last.status) demo.statuses.push(state.status);
    if (state.token && state.token !== last.token) {
      demo.tokensReceived += 1;
      demo.tokenTimes.push(Date.now());
      log('ok', describeToken(state.token));
    }
    if (state.error && state.error !== last.error) {
      const retry = state.nextRefreshAt === undefined ? 'not retrying until you refresh' : `retrying in ${((state.nextRefreshAt - Date.now()) / 1000).toFixed(1)} s`;
      log('bad', `Refresh failed (${state.error.code}): ${state.error.message}; ${retry}`);
    }
    if (state.status === 'expired' && last.status !== 'expired') log('bad', 'The token expired before a new one came');
    if (state.role !== last.role && state.role !== undefined) log('info', `This tab is now ${state.role === 'refresher' ? 'the refresher' : 'a follower'}`);
    if (state.offline !== last.offline) log(state.offline ? 'bad' : 'info', state.offline ? 'Offline: requests paused' : 'Back online');
    last = state;
    renderState(state);
  });
  renderState(manager.getState());
  const clock = setInterval(() => renderClock(manager.getState()), 200);
  log('info', `Signed in as ${session.identity}; tokens live ${session.ttlSeconds} s`);

  stopSession = () => {
    clearInterval(clock);
    unsubscribe();
    manager.stop();
    demo.manager = undefined;
  };
}

async function endSession() {
  stopSession?.();
  stopSession = undefined;
  await signOut();
  log('info', 'Signed out; no more token requests');
  showSignedIn(false);
}

async function signInAs(identity: string) {
  elements.signinError.textContent = '';
  try {
    startSession(await signIn(identity));
  } catch (error) {
    elements.signinError.textContent = (error as Error).message;
    showSignedIn(false);
  }
}

elements.signinForm.addEventListener('submit', (event) => {
  event.preventDefault();
  void signInAs(elements.identityInput.value.trim());
});
elements.refreshNow.addEventListener('click', () => {
  demo.manager?.refresh().catch(() => undefined); // the failure shows up in the state and the log
});
elements.outage.addEventListener('click', async () => {
  try {
    const seconds = Number(elements.outage.dataset.seconds ?? 15);
    await failBackend(seconds);
    log('info', `The backend now fails for ${seconds} s; watch the retries`);
  } catch (error) {
    log('bad', (error as Error).message);
  }
});
elements.signOut.addEventListener('click', () => void endSession());

async function boot() {
  const params = new URLSearchParams(location.search);
  const asked = params.get('identity');
  if (asked) {
    history.replaceState(null, '', location.pathname);
    await signInAs(asked);
    return;
  }
  const session = await currentSession();
  if (session) startSession(session);
  else showSignedIn(false);
}

void boot();
