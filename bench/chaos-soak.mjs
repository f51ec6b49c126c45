// Chaos soak: one manager, held by an app for 7 days of virtual time, against a backend that fails in
// outage spells (minutes to hours, about a tenth of the time), on a laptop whose clock jumps, that sleeps
// at night and in between, and that goes offline now and then. Fixed seed: every run is the same.
//
// It measures what a user would feel: seconds without a usable token while the backend was healthy and
// the machine online and awake (broken down by what came just before), requests per healthy refresh
// cycle, total requests and the most requests in any one second.
//
// Run it alone with `node bench/chaos-soak.mjs` after `npx rollup -c`; `npm run bench` runs it too.
import { pathToFileURL } from 'node:url';
import { TokenError, createTokenManager } from '../dist/index.js';
import { FakeNetworkSignals, FakePageSignals, flush, mintTestToken, seededRandom, VirtualClock } from '../dist/testing.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const START = Date.UTC(2026, 0, 5, 8, 0, 0); // a Monday, 08:00
const SOAK_MS = 7 * DAY;
const SEED = 0x50a4;


// ---------------------------------------------------------------------------------------------
// The week: outage spells (server side) and the laptop's life (client side), drawn up front.
// ---------------------------------------------------------------------------------------------

const FAULTS = ['503', '429', '500', 'socket', 'hang', 'html', 'slow', 'expired', 'not-before', 'mixed'];

function planWeek(random) {
  const uniform = (min, max) => min + random() * (max - min);
  const logUniform = (min, max) => Math.exp(uniform(Math.log(min), Math.log(max)));
  const exponential = (mean) => -mean * Math.log(1 - random());
  const pick = (list) => list[Math.floor(random() * list.length)];

  // Outages: about 10 % of the time, each 2 min to 4 h (log-uniform, mean ≈ 50 min).
  const outages = [];
  for (let t = START + exponential(7 * HOUR); t < START + SOAK_MS; ) {
    const duration = logUniform(2 * MINUTE, 4 * HOUR);
    const fault = pick(FAULTS);
    outages.push({ start: t, end: Math.min(t + duration, START + SOAK_MS), fault, retryAfterMs: Math.round(uniform(1, 300)) * SECOND });
    t += duration + exponential(7 * HOUR);
  }

  // The laptop: a night's sleep most nights, short naps (lid closed), offline spells, all apart.
  const spells = [];
  const overlaps = (start, end) => spells.some((spell) => start < spell.end + MINUTE && spell.start < end + MINUTE);
  for (let day = 0; day < 7; day++) {
    const midnight = START - 8 * HOUR + day * DAY;
    if (random() < 0.85) {
      const start = midnight + 23 * HOUR + uniform(-HOUR, HOUR);
      spells.push({ kind: 'sleep', start, end: start + uniform(6.5 * HOUR, 9 * HOUR), wakeEvent: random() < 0.8 });
    }
    for (const kind of ['sleep', 'sleep', 'offline', 'offline', 'offline']) {
      if (random() < 0.5) continue;
      const start = midnight + uniform(8 * HOUR, 22 * HOUR);
      const end = start + (kind === 'sleep' ? logUniform(5 * MINUTE, 90 * MINUTE) : logUniform(MINUTE, 30 * MINUTE));
      if (!overlaps(start, end)) spells.push({ kind, start, end, wakeEvent: random() < 0.8 });
    }
  }

  // Clock changes: mostly NTP nudges of seconds, sometimes an hour (a hand-set clock), sometimes anything.
  const jumps = [];
  for (let t = START + exponential(16 * HOUR); t < START + SOAK_MS; t += exponential(16 * HOUR)) {
    const roll = random();
    const size = roll < 0.6 ? uniform(SECOND, 30 * SECOND) : roll < 0.9 ? HOUR : uniform(SECOND, 2 * HOUR);
    jumps.push({ at: t, deltaMs: Math.round(random() < 0.5 ? -size : size) });
  }

  // The app asks for a token now and then (an SDK connecting, a page view).
  const asks = [];
  for (let t = START + uniform(5, 20) * MINUTE; t < START + SOAK_MS; t += uniform(5, 20) * MINUTE) asks.push(t);

  const events = [
    ...outages.flatMap((outage) => [
      { at: outage.start, type: 'outage-start', outage },
      { at: outage.end, type: 'outage-end', outage },
    ]),
    ...spells.flatMap((spell) => [
      { at: spell.start, type: `${spell.kind}-start`, spell },
      { at: spell.end, type: `${spell.kind}-end`, spell },
    ]),
    ...jumps.map((jump) => ({ at: jump.at, type: 'jump', deltaMs: jump.deltaMs })),
    ...asks.map((at) => ({ at, type: 'ask' })),
    { at: START + SOAK_MS, type: 'end' },
  ].filter((event) => event.at <= START + SOAK_MS);
  events.sort((a, b) => a.at - b.at);
  return { events, outages, spells, jumps };
}

// ---------------------------------------------------------------------------------------------
// One soak run.
// ---------------------------------------------------------------------------------------------

async function soak(ttlSeconds) {
  const random = seededRandom(SEED);
  const plan = planWeek(seededRandom(SEED + 1));
  const clock = new VirtualClock({ trueNow: START });
  const page = new FakePageSignals();
  const network = new FakeNetworkSignals();
  const uniform = (min, max) => min + random() * (max - min);
  const ttlMs = ttlSeconds * SECOND;
  const cycleMs = ttlMs - Math.min(5 * MINUTE, ttlMs / 4); // the documented default refresh lead

  let outage; // the spell in progress, if any
  let asleep = false;
  const calls = [];
  let retryAfterUntil = -Infinity;
  let retryAfterIgnored = 0;

  const mint = (options = {}) => mintTestToken({ identity: 'alice', ttlSeconds, issuedAt: clock.trueNow, ...options });
  const answer = (fault) => {
    switch (fault) {
      case '503':
      case '429':
        return { latency: uniform(50, 500), error: new TokenError('http', `Token request failed with status ${fault}`, { status: Number(fault), retryAfterMs: fault === '429' ? Math.min(outage.retryAfterMs, 60 * SECOND) : outage.retryAfterMs }) };
      case '500':
        return { latency: uniform(50, 2000), error: new TokenError('http', 'Token request failed with status 500', { status: 500 }) };
      case 'socket':
        return { latency: uniform(10, 3000), error: new TypeError('fetch failed') };
      case 'hang':
        return { hang: true };
      case 'html':
        return { latency: uniform(50, 500), jwt: '<html>oops</html>' };
      case 'slow':
        return { latency: uniform(5, 30) * SECOND, jwt: mint() };
      case 'expired':
        return { latency: uniform(50, 500), jwt: mint({ issuedAt: clock.trueNow - 2 * HOUR, ttlSeconds: 3600 }) };
      case 'not-before':
        return { latency: uniform(50, 500), jwt: mint({ notBefore: clock.trueNow + DAY }) };
      case 'mixed':
        return answer(FAULTS[Math.floor(random() * (FAULTS.length - 1))]);
      default:
        return { latency: uniform(50, 300), jwt: mint() };
    }
  };

  const fetchToken = ({ signal }) => {
    const healthy = outage === undefined;
    if (clock.trueNow < retryAfterUntil - 1) retryAfterIgnored++;
    calls.push({ at: clock.trueNow, counted: healthy && network.online && !asleep });
    const planned = answer(healthy ? 'ok' : outage.fault);
    if (planned.hang) return new Promise(() => undefined);
    return new Promise((resolve, reject) => {
      const timer = clock.setTimer(() => {
        signal.removeEventListener('abort', onAbort);
        if (planned.error) {
          if (planned.error.retryAfterMs !== undefined) retryAfterUntil = Math.max(retryAfterUntil, clock.trueNow + planned.error.retryAfterMs);
          reject(planned.error);
        } else resolve(planned.jwt);
      }, planned.latency);
      const onAbort = () => {
        clock.clearTimer(timer);
        reject(new DOMException('The operation was aborted.', 'AbortError'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  };

  let unhandled = 0;
  const onUnhandled = () => unhandled++;
  process.on('unhandledRejection', onUnhandled);

  const manager = createTokenManager({
    fetchToken,
    identity: 'alice',
    scheduler: clock.scheduler,
    random,
    page,
    network,
    crossTab: false,
  });

  // The meter: integrates, between observations, the time without a usable token (none held, or the
  // held one past its true expiry) while the backend was healthy and the machine online and awake.
  let lastDisturbance = { cause: 'start', at: START };
  const disturb = (cause) => (lastDisturbance = { cause, at: clock.trueNow });
  const gapsByCause = new Map();
  let episode;
  let healthyMs = 0;
  let withoutTokenMs = 0;
  let staleShownMs = 0;
  let last;
  const snapshot = () => ({
    t: clock.trueNow,
    counted: outage === undefined && network.online && !asleep,
    awake: !asleep,
    token: manager.getState().token,
  });
  const observe = () => {
    const now = clock.trueNow;
    if (last !== undefined && now > last.t && last.awake) {
      const { token } = last;
      // Shown as valid past its true expiry (+1 s), whatever the backend was doing.
      if (token !== undefined && now > token.expiresAt + SECOND) staleShownMs += now - Math.max(last.t, token.expiresAt + SECOND);
      if (last.counted) {
        healthyMs += now - last.t;
        const usableUntil = token === undefined ? last.t : Math.min(now, Math.max(last.t, token.expiresAt));
        const gap = now - usableUntil;
        if (gap > 0) {
          withoutTokenMs += gap;
          const held = token === undefined ? 'none' : 'an expired one';
          if (episode === undefined || episode.end !== usableUntil || episode.held !== held) {
            // What came just before the gap (if within a token lifetime): the reason to be without one.
            const cause = usableUntil - lastDisturbance.at <= ttlMs ? lastDisturbance.cause : 'steady state';
            episode = { key: `${cause}|${held}`, held, end: usableUntil, length: 0 };
            const entry = gapsByCause.get(episode.key) ?? { episodes: 0, ms: 0, maxMs: 0 };
            entry.episodes++;
            gapsByCause.set(episode.key, entry);
          }
          episode.end = now;
          episode.length += gap;
          const entry = gapsByCause.get(episode.key);
          entry.ms += gap;
          entry.maxMs = Math.max(entry.maxMs, episode.length);
        }
      }
    }
    last = snapshot();
  };
  clock.afterFire = observe;

  const started = performance.now();
  manager.subscribe(() => undefined);
  await flush();
  observe();
  let getTokenFailuresWhileHealthy = 0;

  for (const event of plan.events) {
    if (asleep) {
      clock.sleepTo(event.at);
      observe();
    } else await clock.advanceTo(event.at);
    switch (event.type) {
      case 'outage-start':
        outage = event.outage;
        break;
      case 'outage-end':
        outage = undefined;
        disturb('outage ended');
        break;
      case 'sleep-start':
        asleep = true;
        break;
      case 'sleep-end':
        asleep = false;
        disturb('woke');
        observe();
        if (event.spell.wakeEvent) page.emit('wake');
        await clock.wake();
        break;
      case 'offline-start':
        network.set(false);
        break;
      case 'offline-end':
        network.set(true);
        disturb('back online');
        break;
      case 'jump':
        clock.jumpWall(event.deltaMs);
        if (Math.abs(event.deltaMs) >= MINUTE) disturb('clock jump');
        break;
      case 'ask':
        if (!asleep) {
          const healthy = outage === undefined && network.online;
          manager.getToken({ minValidityMs: 30 * SECOND }).catch(() => {
            if (healthy) getTokenFailuresWhileHealthy++;
          });
        }
        break;
      default:
        break;
    }
    await flush();
    observe();
  }
  manager.stop();
  await flush();
  const timersAfterStop = clock.pendingSchedulerTimers;
  process.off('unhandledRejection', onUnhandled);
  const wallSeconds = (performance.now() - started) / 1000;

  // Most requests in any 1 s window (true time).
  let maxPerSecond = 0;
  for (let i = 0, j = 0; j < calls.length; j++) {
    while (calls[j].at - calls[i].at >= SECOND) i++;
    maxPerSecond = Math.max(maxPerSecond, j - i + 1);
  }
  const healthyRequests = calls.filter((call) => call.counted).length;
  const outageMs = plan.outages.reduce((sum, spell) => sum + (spell.end - spell.start), 0);
  return {
    summary: {
      'token TTL': ttlSeconds >= 3600 ? `${ttlSeconds / 3600} h` : `${ttlSeconds / 60} min`,
      'outage time': `${((outageMs / SOAK_MS) * 100).toFixed(1)} % (${plan.outages.length} spells)`,
      'healthy, online, awake (h)': +(healthyMs / HOUR).toFixed(1),
      's without a usable token (healthy)': +(withoutTokenMs / SECOND).toFixed(1),
      'requests / healthy cycle': +(healthyRequests / (healthyMs / cycleMs)).toFixed(3),
      'total requests': calls.length,
      'max requests in 1 s': maxPerSecond,
      's stale token shown': +(staleShownMs / SECOND).toFixed(1),
      'Retry-After ignored': retryAfterIgnored,
      'getToken failed (healthy)': getTokenFailuresWhileHealthy,
      'unhandled rejections': unhandled,
      'timers after stop': timersAfterStop,
    },
    wallSeconds,
    breakdown: [...gapsByCause].map(([key, { episodes, ms, maxMs }]) => ({
      'token TTL': ttlSeconds >= 3600 ? `${ttlSeconds / 3600} h` : `${ttlSeconds / 60} min`,
      'gap after': key.split('|')[0],
      'token held': key.split('|')[1],
      episodes,
      'total s': +(ms / SECOND).toFixed(1),
      'longest s': +(maxMs / SECOND).toFixed(1),
    })),
    plan: { sleeps: plan.spells.filter((s) => s.kind === 'sleep').length, offline: plan.spells.filter((s) => s.kind === 'offline').length, jumps: plan.jumps.length },
  };
}

/** The soak with 1 h and 5 min tokens: a summary row per TTL and the no-token gaps by cause. */
export async function chaosSoak() {
  const runs = [await soak(3600), await soak(300)];
  return {
    rows: runs.map((run) => run.summary),
    breakdown: runs.flatMap((run) => run.breakdown),
    plan: runs[0].plan,
    wallSeconds: runs.map((run) => +run.wallSeconds.toFixed(1)),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = Date.now();
  const { rows, breakdown, plan, wallSeconds } = await chaosSoak();
  console.log(`Chaos soak: 7 days of virtual time, seed ${SEED}; ${plan.sleeps} sleeps, ${plan.offline} offline spells, ${plan.jumps} clock changes`);
  console.table(rows);
  console.log('Seconds without a usable token while healthy, online and awake, by what came just before and what was held:');
  console.table(breakdown.length > 0 ? breakdown : [{ 'gap after': 'none' }]);
  console.log(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s (${wallSeconds.join(' s and ')} s per run).`);
}
