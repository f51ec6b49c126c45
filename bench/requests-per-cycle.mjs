// Requests per refresh cycle over 24 h of virtual time: one manager feeding every SDK and N subscribers,
// against the naive pattern where each SDK client refreshes its own token when its own warning fires.
import {
  attachChat,
  attachConversations,
  attachSync,
  attachVoice,
  connectVideo,
  createTokenManager,
  parseAccessToken,
} from '../dist/index.js';
import { FakeChatClient, FakeConversationsClient, FakeSyncClient, FakeVoiceDevice, mintTestToken } from '../dist/testing.js';
import { HOUR, MINUTE, installClock } from './virtual-clock.mjs';

const TTL_S = 3600;
const DAY = 24 * HOUR;
// When each SDK warns, before expiry (see shared facts): Conversations/Chat/Sync 3 min (server push), Voice 10 s.
const WARNINGS = [
  ['Conversations', FakeConversationsClient, 3 * MINUTE, 'tokenAboutToExpire'],
  ['Chat', FakeChatClient, 3 * MINUTE, 'tokenAboutToExpire'],
  ['Sync', FakeSyncClient, 3 * MINUTE, 'tokenAboutToExpire'],
  ['Voice', FakeVoiceDevice, 10_000, 'tokenWillExpire'],
];

/** Makes a fake client warn as its SDK would: a timer per token it is given. */
function warnLikeTheSdk(client, warnBeforeMs, event) {
  let timer;
  const arm = (jwt) => {
    clearTimeout(timer);
    const delay = parseAccessToken(jwt).expiresAt - warnBeforeMs - Date.now();
    timer = setTimeout(() => (event === 'tokenWillExpire' ? client.warnTokenWillExpire() : client.emit(event)), Math.max(0, delay));
  };
  const update = client.updateToken.bind(client);
  client.updateToken = (jwt) => {
    arm(jwt);
    return update(jwt);
  };
  return { arm, stop: () => clearTimeout(timer) };
}

async function ours(subscribers) {
  const clock = installClock();
  let requests = 0;
  const manager = createTokenManager({
    fetchToken: async () => (requests++, mintTestToken({ ttlSeconds: TTL_S, issuedAt: Date.now() })),
  });
  const unsubscribers = Array.from({ length: subscribers }, () => manager.subscribe(() => undefined));
  const first = await manager.getToken();
  const attach = [attachConversations, attachChat, attachSync, attachVoice];
  const detachers = WARNINGS.map(([, Client, warnBefore, event], index) => {
    const client = new Client(first.jwt);
    warnLikeTheSdk(client, warnBefore, event).arm(first.jwt);
    return attach[index](manager, client, { onError: () => undefined });
  });
  await connectVideo(manager, async () => 'room');
  await clock.tickAsync(DAY);
  for (const detach of detachers) detach();
  for (const unsubscribe of unsubscribers) unsubscribe();
  manager.stop();
  clock.uninstall();
  return requests;
}

async function naive() {
  const clock = installClock();
  let requests = 0;
  const fetchToken = async () => (requests++, mintTestToken({ ttlSeconds: TTL_S, issuedAt: Date.now() }));
  const stops = [];
  for (const [, Client, warnBefore, event] of WARNINGS) {
    const jwt = await fetchToken();
    const client = new Client(jwt);
    const warner = warnLikeTheSdk(client, warnBefore, event);
    warner.arm(jwt);
    // What apps write by hand: on the SDK's warning, fetch a token of one's own and hand it over.
    const onWarn = async () => client.updateToken(await fetchToken());
    client.on(event, onWarn);
    stops.push(warner.stop);
  }
  await fetchToken(); // Video: one token at connect
  await clock.tickAsync(DAY);
  for (const stop of stops) stop();
  clock.uninstall();
  return requests;
}

export async function requestsPerCycle() {
  // A 1 h token refreshed 5 min early: a cycle is 55 min, so 24 h hold 26 whole cycles after the first fetch.
  const cycles = Math.floor(DAY / (TTL_S * 1000 - 5 * MINUTE));
  const naiveRequests = await naive();
  const rows = [];
  for (const subscribers of [1, 100, 10_000]) {
    const requests = await ours(subscribers);
    rows.push({
      subscribers,
      'ours: requests / 24 h': requests,
      'ours: refreshes per cycle': +((requests - 1) / cycles).toFixed(2),
      'naive: requests / 24 h': naiveRequests,
      'naive: refreshes per cycle': +((naiveRequests - 5) / cycles).toFixed(2),
      'naive ÷ ours': +(naiveRequests / requests).toFixed(1),
    });
  }
  return rows;
}
