import { describe, expect, it } from 'vitest';
import { MAX_RECOVERY_DELAY_MS, nextRecoveryDelay } from '../src/adapters/recovery';

describe('nextRecoveryDelay', () => {
  it.each([
    // previous wait (ms), next wait (ms)
    [0, 1_000], // first attempt failed: wait one second (the manager's gate, the helper's same-second bytes)
    [1_000, 2_000],
    [2_000, 4_000],
    [8_000, 16_000],
    [16_000, 30_000], // capped
    [30_000, 30_000],
    [MAX_RECOVERY_DELAY_MS * 4, 30_000], // never above the cap, whatever came before
  ])('after a wait of %i ms, waits %i ms', (previous, next) => {
    expect(nextRecoveryDelay(previous)).toBe(next);
  });

  it('reaches the cap within five doublings and stays there', () => {
    const waits: number[] = [];
    let delay = 0;
    for (let i = 0; i < 8; i++) waits.push((delay = nextRecoveryDelay(delay)));
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });
});
