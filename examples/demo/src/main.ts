import { createTokenManager, type TokenManager } from 'twilio-token-lifecycle';
import { currentSession, failBackend, signIn, signOut, type SessionInfo } from './api';
import { eventLog } from './event-log';
import { elements, log, renderClock, renderState, showIdentityConflict, showSignedIn } from './view';

/** What the page exposes for the console and for the browser tests. */
interface DemoHandle {
  manager?: TokenManager;
  /** Every status the page has shown, in order. */
  statuses: string[];
  /** How many new tokens the page received (its `token` events). */
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
/** Who this tab is signed in as, while it is. */
let signedInAs: string | undefined;

function startSession(session: SessionInfo) {
  stopSession?.();
  const { identity } = session;
  signedInAs = identity;
  elements.mode.hidden = !session.isLocalOnly;
  elements.mode.textContent = 'Local tokens: they work here, not with Twilio';
  showIdentityConflict(undefined);
  showSignedIn(true);
  log('info', `Signed in as ${identity}; tokens live ${session.ttlSeconds} s`);

  const manager = createTokenManager({
    url: '/api/token',
    // Tabs share one session cookie: when another tab signs in as someone else, the server signs
    // tokens for them. Bound to this tab's user, the manager refuses those (`identity-mismatch`).
    identity,
    // Share tokens only among this user's tabs.
    crossTab: { key: identity },
  });
  demo.manager = manager;
  const events = eventLog({
    identity,
    startedAt: Date.now(),
    log,
    onToken: () => {
      demo.tokensReceived += 1;
      demo.tokenTimes.push(Date.now());
    },
    onIdentityConflict: (other) => showIdentityConflict({ identity, other }),
  });
  // Before anything starts the manager: events$ does not replay.
  const eventSubscription = manager.events$.subscribe(events.handle);

  let last = manager.getState();
  demo.statuses.push(last.status);
  const unsubscribe = manager.subscribe((state) => {
    if (state.status !== last.status) demo.statuses.push(state.status);
    last = state;
    renderState(state);
  });
  renderState(manager.getState());
  const clock = setInterval(() => renderClock(manager.getState()), 200);

  stopSession = () => {
    clearInterval(clock);
    unsubscribe();
    manager.stop();
    eventSubscription.unsubscribe();
    events.dispose();
    demo.manager = undefined;
    signedInAs = undefined;
    showIdentityConflict(undefined);
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
// After another tab signed in as someone else. Not a sign-out: that would end the other tab's session too.
elements.signInAgain.addEventListener('click', () => {
  const identity = signedInAs;
  stopSession?.();
  stopSession = undefined;
  log('info', `Stopped ${identity ?? 'this tab'}’s token manager; sign in again to get new tokens`);
  showSignedIn(false);
  elements.identityInput.value = identity ?? '';
  elements.identityInput.focus();
});

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
