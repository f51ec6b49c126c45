// @vitest-environment happy-dom
import { readFileSync } from 'node:fs';
import { URL as NodeURL } from 'node:url';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

// The demo page's sign-out, against a server whose session store is down (503, cookie cleared).
const page = readFileSync(new NodeURL('../../examples/demo/index.html', import.meta.url), 'utf8') // Node's URL: happy-dom's is no file URL;
let signOut: typeof import('../../examples/demo/src/api').signOut;

beforeAll(async () => {
  document.body.innerHTML = /<body[^>]*>([\s\S]*)<\/body>/.exec(page)![1]!.replace(/<script[\s\S]*?<\/script>/g, '');
  ({ signOut } = await import('../../examples/demo/src/api'));
});
afterEach(() => {
  vi.unstubAllGlobals();
  document.getElementById('signin-error')!.textContent = '';
  document.getElementById('log')!.textContent = '';
});

const answer = (status: number, body: unknown) => vi.fn(async () => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }));

describe("the demo's sign-out", () => {
  it('says so when the server could not end the session, instead of a plain "Signed out"', async () => {
    vi.stubGlobal('fetch', answer(503, { error: { code: 'sessions-unavailable', message: 'Sessions cannot be checked right now; try again shortly' } }));
    const problem = await signOut();
    expect(problem).toBe('Sessions cannot be checked right now; try again shortly');
    const shown = document.getElementById('signin-error')!.textContent!;
    expect(shown).toContain('The server did not confirm the sign-out: Sessions cannot be checked right now');
    expect(shown).toMatch(/copy of its session cookie may still work/);
    expect(document.getElementById('log')!.textContent).toContain('did not confirm the sign-out');
  });

  it('says so, and does not reject, when the server cannot be reached', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    expect(await signOut()).toBe('the server could not be reached (Failed to fetch)');
    expect(document.getElementById('signin-error')!.textContent).toContain('could not be reached');
  });

  it('says nothing more when the server ended the session', async () => {
    vi.stubGlobal('fetch', answer(200, { identity: null }));
    expect(await signOut()).toBeUndefined();
    expect(document.getElementById('signin-error')!.textContent).toBe('');
  });
});
