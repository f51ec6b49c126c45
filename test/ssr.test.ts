// @vitest-environment node
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// The built package, as Node and SSR frameworks load it: no DOM, no window.
describe('the built package in plain Node', () => {
  it('imports as ESM and CJS without a DOM and creates a manager without touching window', async () => {
    expect(typeof (globalThis as { window?: unknown }).window).toBe('undefined');
    const esm = await import('../dist/index.js');
    const cjs = createRequire(import.meta.url)('../dist/index.cjs');
    for (const entry of [esm, cjs]) {
      const manager = entry.createTokenManager({ url: 'http://127.0.0.1:1/api/token' });
      expect(manager.getState()).toEqual({ status: 'idle' });
      manager.stop();
    }
    const testing = await import('../dist/testing.js');
    expect(esm.parseAccessToken(testing.mintTestToken({ identity: 'ssr' })).identity).toBe('ssr');
  });

  it('server-renders the React hooks from the built entry as idle, ESM and CJS', async () => {
    const { createElement } = await import('react');
    const { renderToString } = await import('react-dom/server');
    const { createTokenManager } = await import('../dist/index.js');
    const require = createRequire(import.meta.url);
    for (const react of [await import('../dist/react.js'), require('../dist/react.cjs')]) {
      const manager = createTokenManager({ url: 'http://127.0.0.1:1/api/token' });
      const Probe = () => createElement('p', null, react.useTokenState(manager).status, ' ', String(react.useAccessToken(manager)));
      expect(renderToString(createElement(Probe))).toBe('<p>idle<!-- --> <!-- -->undefined</p>');
      expect(manager.getState().status).toBe('idle');
      manager.stop();
    }
  });
});
