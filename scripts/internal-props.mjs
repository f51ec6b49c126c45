// Internal property names that the browser build renames to one letter (scripts/mangle-props.mjs).
// An app's minifier never renames properties, so these long names would otherwise ship as they are.
//
// A name belongs here only if EVERY property of that name in the browser entries (index, testing, react
// and their chunks) is a field of an internal type, so it is:
// - in no public type (no `dist/**/*.d.ts` or `.d.cts`; test/package/internal-props.test.ts checks);
// - in no message between tabs (tabs may run different builds; the same test checks the message types);
// - no DOM, JavaScript, rxjs, ky or Twilio SDK name (`signal`, `state`, `current`, `origin`, ...);
// - never read by string (`'name' in x`, `x['name']`, `Object.keys`, JSON): the build fails on the
//   first two, the rest is on the reviewer.
// A name that saves nothing in `npm run size` stays out: fewer names, less risk.
// The order fixes each name's short name: add new names at the END.
export const INTERNAL_PROPS = [
  // LifecycleState (src/lifecycle/state.ts)
  'peerWaitUntil',
  'cannotRefresh',
  'phase',
  'nextRequestId',
  'clockOffset',
  'isOffline',
  'demands',
  'quietUntil',
  'isWaking',
  'hasHadToken',
  'failures',
  'halted',
  'lastSentAt',
  // HeldToken, InFlight, Demand, LifecycleConfig, events (src/lifecycle/state.ts)
  'requestId',
  'sentAt',
  'deadline',
  'fromRequest',
  'isShared',
  'hasSlept',
  'serverNow',
  // FetchTiming (src/lifecycle/placement.ts)
  'receivedAt',
  // Plan (src/lifecycle/plan.ts), Step (src/lifecycle/step.ts), Effect (src/lifecycle/effects.ts)
  'timedOut',
  'wakeInMs',
  'nextRequestAt',
  'effects',
  'snapshot',
  'inMs',
  // CrossTabHost, CrossTabSnapshot, LeaderElection (src/cross-tab/)
  'onRefreshable',
  'isFetching',
  'onPage',
  'isAlone',
];
