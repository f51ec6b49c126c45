import { afterEach, describe, expect, it } from 'vitest';
import { browserNetworkSignals, browserPageSignals, type PageEvent } from '../src/page-signals';

const setVisibility = (state: 'visible' | 'hidden') =>
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });

describe('the browser page signals', () => {
  afterEach(() => setVisibility('visible'));

  it('turns page lifecycle events into wake, hidden and freeze, and stops listening when asked', () => {
    const signals = browserPageSignals()!;
    const heard: PageEvent[] = [];
    const unsubscribe = signals.subscribe((event) => heard.push(event));
    setVisibility('hidden');
    document.dispatchEvent(new Event('visibilitychange'));
    expect(signals.isVisible()).toBe(false);
    document.dispatchEvent(new Event('freeze'));
    document.dispatchEvent(new Event('resume')); // resumed while still hidden: its timers slept
    setVisibility('visible');
    document.dispatchEvent(new Event('visibilitychange'));
    window.dispatchEvent(new Event('pageshow'));
    window.dispatchEvent(new Event('focus'));
    window.dispatchEvent(new Event('pagehide'));
    expect(heard).toEqual(['hidden', 'freeze', 'wake', 'wake', 'wake', 'wake', 'freeze']);
    unsubscribe();
    window.dispatchEvent(new Event('focus'));
    expect(heard).toHaveLength(7);
  });

  it('reports online and offline', () => {
    const signals = browserNetworkSignals()!;
    const heard: boolean[] = [];
    const unsubscribe = signals.subscribe((isOnline) => heard.push(isOnline));
    window.dispatchEvent(new Event('offline'));
    window.dispatchEvent(new Event('online'));
    unsubscribe();
    window.dispatchEvent(new Event('offline'));
    expect(heard).toEqual([false, true]);
    expect(typeof signals.isOnline()).toBe('boolean');
  });
});
