// Timers the manager keeps pending, and heap growth over many subscribe/unsubscribe cycles.
import { BehaviorSubject } from 'rxjs';
import { createTokenManager } from '../dist/index.js';
import { mintTestToken } from '../dist/testing.js';
import { installClock } from './virtual-clock.mjs';

const fetchToken = async () => mintTestToken({ ttlSeconds: 3600, issuedAt: Date.now() });

export async function pendingTimers() {
  const clock = installClock();
  const manager = createTokenManager({ fetchToken });
  const unsubscribe = manager.subscribe(() => undefined);
  await clock.tickAsync(1000);
  const whileWaiting = clock.countTimers(); // holding a valid token, waiting to refresh
  unsubscribe();
  await clock.tickAsync(5000);
  const afterLastSubscriber = clock.countTimers();
  manager.subscribe(() => undefined);
  await clock.tickAsync(1000);
  manager.stop();
  const afterStop = clock.countTimers();
  clock.uninstall();
  return [
    { when: 'subscribed, holding a valid token', 'pending timers': whileWaiting, goal: '≤ 1' },
    { when: 'after the last subscriber left (+ grace)', 'pending timers': afterLastSubscriber, goal: '0' },
    { when: 'after stop()', 'pending timers': afterStop, goal: '0' },
  ];
}

function heapAfterGc() {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

async function heapGrowth(cycles, setup) {
  const { subscribe, teardown } = await setup();
  for (let i = 0; i < 1000; i++) subscribe()(); // warm up
  const before = heapAfterGc();
  for (let i = 0; i < cycles; i++) subscribe()();
  const after = heapAfterGc();
  teardown();
  return after - before;
}

export async function heap(cycles = 100_000) {
  if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
  const ours = await heapGrowth(cycles, async () => {
    const manager = createTokenManager({ fetchToken, idleGraceMs: 60_000 });
    await manager.getToken();
    return { subscribe: () => manager.subscribe(() => undefined), teardown: () => manager.stop() };
  });
  const baseline = await heapGrowth(cycles, async () => {
    const subject = new BehaviorSubject(0);
    return {
      subscribe: () => {
        const subscription = subject.subscribe(() => undefined);
        return () => subscription.unsubscribe();
      },
      teardown: () => subject.complete(),
    };
  });
  const kb = (bytes) => +(bytes / 1024).toFixed(1);
  return [
    { what: `TokenManager.subscribe/unsubscribe ×${cycles}`, 'heap growth (KB)': kb(ours), goal: '< 1024' },
    { what: `baseline: rxjs BehaviorSubject ×${cycles}`, 'heap growth (KB)': kb(baseline), goal: '—' },
  ];
}
