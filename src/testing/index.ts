export {
  FakeChatClient,
  FakeConversationsClient,
  FakeSyncClient,
  FakeTokenClient,
  FakeVideoRoom,
  FakeVoiceCall,
  FakeVoiceDevice,
  fakeVideoConnect,
} from './fake-clients';
export { FakeTaskRouterWorker } from './fake-taskrouter-worker';
export { flush, VirtualClock } from './virtual-clock';
export { FakeBroadcastHub, FakeLockManager, FakeNetworkSignals, FakePageSignals } from './browser-fakes';
export { mintTestToken, TEST_ACCOUNT_SID, TEST_API_KEY_SID } from './mint-test-token';
export { seededRandom } from './seeded-random';

export type { FakeVideoConnect, UpdateTokenBehaviour } from './fake-clients';
export type { MintTestTokenOptions } from './mint-test-token';
export type { MonotonicScheduler, VirtualClockOptions } from './virtual-clock';
