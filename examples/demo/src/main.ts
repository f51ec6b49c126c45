import { createTokenManager, type TokenManager } from 'twilio-token-lifecycle';
import { currentSession, failBackend, signIn, signOut, type SessionInfo } from './api';
import { wireBreakControl } from './break-control';
import { explainManagerRefusals, showTwilioAnswer } from './doctor-panel';
import { eventLog, type TokenEvent } from './event-log';
import { createTimeline, layoutTimeline, paintTimeline, record, type TimelineModel } from './timeline';
import { servedTokens } from './served-tokens';
import { handEachTokenToTwilio } from './twilio-stand-in';
import { startVoicePanel, type VoicePanelHandle } from './voice-panel';
import { elements, log, renderClock, renderFailures, renderState, renderTabs, showIdentityConflict, showSignedIn, showTimelinePaused } from './view';

/** What the page exposes for the console and for the browser tests. */
interface DemoHandle {
  manager?: TokenManager;
  /** The timeline's model (what the manager's events said), for the console. */
  timeline?: TimelineModel;
  /** Every status the page has shown, in order. */
  statuses: string[];
  /** How many new tokens the page received (its `token` events). */
  tokensReceived: number;
  /** When each new token arrived (Date.now()). */
  tokenTimes: number[];
  /** A short fingerprint of the held token (its iat and the end of its signature), never the token. */
  fingerprint(): string | undefined;
  /** The Voice panel: whether this tab is the registered one, and each call line it showed. */
  voice: VoicePanelHandle;
}

const demo: DemoHandle = {
  statuses: [],
  tokensReceived: 0,
  tokenTimes: [],
  voice: { registeredHere: false, calls: [] },
  fingerprint: () => {
    const token = demo.manager?.getState().token;
    return token && `${token.issuedAt}:${token.jwt.slice(-8)}`;
  },
};
(window as unknown as { demo: DemoHandle }).demo = demo;

let stopSession: (() => void) | undefined;
/** Redraws everything now (set while a session runs). */
let repaint: (() => void) | undefined;
// Under a mouse the timeline holds still, so a mark's tooltip stays up; a cue says so, and leaving resumes.
let isPointerOnTimeline = false;
elements.timelineBox.addEventListener('pointerenter', (event) => {
  isPointerOnTimeline = event.pointerType === 'mouse';
  showTimelinePaused(isPointerOnTimeline && repaint !== undefined);
});
elements.timelineBox.addEventListener('pointerleave', () => {
  isPointerOnTimeline = false;
  showTimelinePaused(false);
  repaint?.();
});
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

  // Local signer only: remembers the server's last token, for the doctor to explain one the manager turns down.
  const served = session.isLocalOnly ? servedTokens() : undefined;
  const manager = createTokenManager({
    url: '/api/token',
    ...(served ? { request: served.request } : {}),
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
  const timeline = createTimeline();
  demo.timeline = timeline;
  // This tab's requests serve every tab of this user: tell the others, so their timelines show them.
  const relay = typeof BroadcastChannel === 'function' ? new BroadcastChannel(`twilio-token-lifecycle-demo:${identity}`) : undefined;
  relay?.addEventListener('message', (message: MessageEvent<unknown>) => {
    const event = (message.data as { event?: TokenEvent } | null)?.event;
    if ((event?.type === 'request' || event?.type === 'failure') && typeof event.at === 'number') record(timeline, event, true);
  });
  const eventSubscription = manager.events$.subscribe((event) => {
    events.handle(event);
    record(timeline, event);
    if (event.type === 'request' || event.type === 'failure') relay?.postMessage({ event });
  });
  let hasPainted = false;
  const paint = () => {
    const now = Date.now();
    const state = manager.getState();
    renderClock(state, now);
    renderTabs(state, now);
    renderFailures(timeline, now, state.offline === true);
    // Held still under the pointer (with a cue), so a mark's tooltip stays up; the first picture always comes.
    if (isPointerOnTimeline && hasPainted) return;
    paintTimeline(elements.timeline, layoutTimeline(timeline, now, Math.max(280, elements.timelineBox.clientWidth), { role: state.role }));
    hasPainted = true;
  };

  let last = manager.getState();
  demo.statuses.push(last.status);
  const unsubscribe = manager.subscribe((state) => {
    if (state.status !== last.status) demo.statuses.push(state.status);
    last = state;
    renderState(state);
    paint();
  });
  renderState(manager.getState());
  paint();
  const clock = setInterval(paint, 200);
  repaint = paint;
  showTimelinePaused(isPointerOnTimeline);
  // The Voice panel's simulated Device is created with the first token, as a real one would be. It waits
  // for the page's own first request (a getToken() here would ask first, and the log would say so).
  let stopVoice: (() => void) | undefined;
  let isLive = true;
  const firstToken = manager.token$.subscribe((token) => {
    queueMicrotask(() => firstToken.unsubscribe());
    if (isLive && !stopVoice) stopVoice = startVoicePanel(manager, token.jwt, identity, demo.voice);
  });
  // Local signer only (no real Twilio): each new token goes to the server's Twilio stand-in, and a
  // refusal is explained by the token doctor in the failure panel.
  wireBreakControl(session.isLocalOnly, () => demo.manager, log);
  const stopStandIn = session.isLocalOnly
    ? handEachTokenToTwilio(
        manager,
        (jwt, refusal) => {
          if (refusal) log('bad', `Twilio (the demo's stand-in) refused the token: ${refusal.code} ${refusal.message}`);
          void showTwilioAnswer(jwt, refusal, ['video']).then(paint);
        },
        (error) => log('bad', error.message),
      )
    : undefined;
  const stopExplaining = served ? explainManagerRefusals(manager, served.last, ['video'], paint) : undefined;

  stopSession = () => {
    isLive = false;
    firstToken.unsubscribe();
    stopVoice?.();
    clearInterval(clock);
    repaint = undefined;
    showTimelinePaused(false);
    stopStandIn?.();
    stopExplaining?.();
    void showTwilioAnswer('', undefined, []);
    unsubscribe();
    manager.stop();
    eventSubscription.unsubscribe();
    relay?.close();
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
    const manager = demo.manager;
    if (!manager) {
      log('info', `The backend now fails for ${seconds} s`);
      return;
    }
    // Ask at once rather than at the next scheduled refresh, so the failure shows now. The manager's
    // gate still holds: at most one request a second, and none inside a server's Retry-After.
    log('info', `The backend now fails for ${seconds} s: asking for a token now to show it (Refresh now), then the manager retries by itself`);
    manager.refresh().catch(() => undefined); // the failure shows up in the state, the panel and the log
  } catch (error) {
    log('bad', (error as Error).message);
  }
});
elements.openTab.addEventListener('click', () => {
  // Same origin, same session cookie: the new tab signs in by itself and joins this one.
  window.open(location.pathname, '_blank');
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
