// @vitest-environment node
/**
 * No whole token in a message or an event, even one split by invisible characters (issue 18, item 4):
 * property tests insert Unicode format characters (Cf) and other default-ignorables at random positions
 * into a JWT inside server text, and look for it in `state.error.message`, the `failure` event and the
 * thrown error, through the custom `fetchToken` transport (virtual time) and the default HTTP one (a
 * real local server).
 */
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTokenManager, TokenError, type TokenEvent, type TokenManager } from 'twilio-token-lifecycle';
import { mintTestToken } from 'twilio-token-lifecycle/testing';
import { json, startTokenServer } from './helpers/http-server';

// A fixed seed keeps CI repeatable; FC_SEED=<n> explores others.
const SEED = Number(process.env.FC_SEED ?? 20261207);

/** Invisible characters: format characters (Cf), some astral, and default-ignorables of other categories. */
const INVISIBLE = [
  '\u00ad', '\u061c', '\u180e', '\u200b', '\u200c', '\u200d', '\u200e', '\u200f', '\u202a', '\u202e', '\u2060', '\u2061',
  '\u2064', '\u2066', '\u206f', '\ufeff', '\ufff9', '\ufffb', '\u{110bd}', '\u{1d173}', '\u{e0001}', '\u{e0041}',
  // Default-ignorable but not Cf: combining grapheme joiner, variation selectors, Hangul filler.
  '\u034f', '\ufe0f', '\u{e0100}', '\u3164',
];

const A_JWT = /[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}/;

/** What a message must never hold: a JWT, once the invisible characters are gone, nor the token's signature. */
function expectNoToken(text: string | undefined, jwt: string): void {
  // Stripped until nothing changes, lone surrogates too: a surrogate pair split by a format character
  // joins again once that goes.
  let bare = text ?? '';
  for (let before = ''; before !== bare; ) [before, bare] = [bare, bare.replace(/[\p{Cf}\p{Cs}\p{DI}]/gu, '')];
  expect(bare).not.toMatch(A_JWT);
  expect(bare).not.toContain(jwt.split('.')[2]);
}

/** A JWT with invisible characters inserted at the given positions, inside some server text. */
const hiddenToken = fc
  .record({
    identity: fc.stringMatching(/^[a-z]{1,12}$/),
    inserts: fc.array(fc.record({ at: fc.nat(), char: fc.constantFrom(...INVISIBLE) }), { minLength: 1, maxLength: 6 }),
    before: fc.constantFrom('', 'Token ', 'invalid token: ', 'x', '{"token":"', 'bad=\u200b'),
    after: fc.constantFrom('', ' was revoked', '"}', '.', ' (code 20101)'),
  })
  .map(({ identity, inserts, before, after }) => {
    const jwt = mintTestToken({ identity });
    let hidden = jwt;
    for (const { at, char } of inserts) {
      const i = at % (hidden.length + 1);
      hidden = `${hidden.slice(0, i)}${char}${hidden.slice(i)}`;
    }
    return { jwt, text: `${before}${hidden}${after}` };
  });

describe('redaction with invisible characters', () => {
  it('a JWT split by a zero-width space three characters before the first dot (the issue’s case)', () => {
    const jwt = mintTestToken();
    const dot = jwt.indexOf('.');
    const text = `Token ${jwt.slice(0, dot - 3)}\u200b${jwt.slice(dot - 3)} was revoked`;
    const error = new TokenError('http', text);
    expect(error.message).toBe('Token [token] was revoked');
  });

  it('leaves text that hides no token as it is, joiners included', () => {
    const family = 'Refused a token for "👨\u200d👩\u200d👧": this manager is bound to "alice"';
    expect(new TokenError('identity-mismatch', family).message).toBe(family);
  });

  it('any TokenError message, wherever made (an SDK’s or a server’s text quoted) (property)', () => {
    fc.assert(
      fc.property(hiddenToken, fc.constantFrom('update-failed', 'token-rejected', 'http', 'network') as fc.Arbitrary<'http'>, ({ jwt, text }, code) => {
        expectNoToken(new TokenError(code, `The SDK client rejected the new token: ${text}`).message, jwt);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  describe('through the manager, with a custom fetchToken', () => {
    afterEach(() => vi.useRealTimers());

    it('state.error.message and the failure event never hold the token (property)', async () => {
      vi.useFakeTimers({ now: Date.UTC(2026, 11, 7, 9) });
      await fc.assert(
        fc.asyncProperty(hiddenToken, fc.boolean(), async ({ jwt, text }, asTokenError) => {
          const events: TokenEvent[] = [];
          const manager = createTokenManager({
            // A transport that quotes the server's text: as a plain Error, or as the app's own TokenError.
            fetchToken: () => Promise.reject(asTokenError ? new TokenError('http', text, { status: 500 }) : new Error(text)),
            onEvent: (event) => events.push(event),
            crossTab: false,
            random: () => 0.5,
          });
          const thrown = (await manager.getToken().then(() => undefined, (error: unknown) => error)) as TokenError;
          const failure = events.find((event) => event.type === 'failure');
          expect(failure).toBeDefined();
          expectNoToken(manager.getState().error?.message, jwt);
          expectNoToken(failure?.type === 'failure' ? failure.message : undefined, jwt);
          expectNoToken(thrown.message, jwt);
          manager.stop();
        }),
        { seed: SEED, numRuns: 300 },
      );
    });
  });

  describe('through the manager, with the default HTTP transport and a real server', () => {
    let server: Awaited<ReturnType<typeof startTokenServer>>;
    const managers: TokenManager[] = [];
    beforeAll(async () => {
      server = await startTokenServer(json(500, { error: 'unexpected' }));
    });
    afterEach(() => {
      for (const manager of managers.splice(0)) manager.stop();
    });
    afterAll(() => server.close());

    it('state.error.message, serverError and the failure event never hold the token (property)', async () => {
      await fc.assert(
        fc.asyncProperty(hiddenToken, fc.constantFrom(400, 401, 500, 503), fc.boolean(), async ({ jwt, text }, status, inCode) => {
          server.next(json(status, { error: inCode ? { code: text, message: 'refused' } : { code: 'E1', message: text } }));
          const events: TokenEvent[] = [];
          const manager = createTokenManager({ url: server.url, crossTab: false, onEvent: (event) => events.push(event), random: () => 0.5 });
          managers.push(manager);
          const thrown = (await manager.getToken().then(() => undefined, (error: unknown) => error)) as TokenError;
          const failure = events.find((event) => event.type === 'failure');
          const { error } = manager.getState();
          expect(error?.status).toBe(status);
          expectNoToken(error?.message, jwt);
          expectNoToken(JSON.stringify(error?.serverError), jwt);
          expectNoToken(failure?.type === 'failure' ? `${failure.message} ${JSON.stringify(failure.serverError)}` : undefined, jwt);
          expectNoToken(thrown.message, jwt);
          manager.stop();
        }),
        { seed: SEED, numRuns: 60 },
      );
    }, 60_000);
  });
});
