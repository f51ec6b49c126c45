// @vitest-environment node
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { jwtVerify } from 'jose';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { parseAccessToken } from 'twilio-token-lifecycle';
import { isMintInputError, mintAccessToken as mintOnNode, MintInputError, type MintInput, type MintInputErrorCode, type TwilioGrants } from 'twilio-token-lifecycle/server';
import fc from 'fast-check';
// The WebCrypto build, which Node never resolves by the package name (the `node` condition wins).
import * as webCryptoBuild from '../../src/server/index';
import * as nodeBuild from '../../src/server/index.node';
import { mintAccessToken as mintInExamples } from '../../examples/server/mint-access-token';
import { mintWithHelper } from '../../bench/helper-signer.mjs';

const mintOnWebCrypto = webCryptoBuild.mintAccessToken;

const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
const API_KEY_SID = 'SK0123456789abcdef0123456789abcdef';
const SECRET = 'a-long-local-api-key-secret-for-tests-only';

const decodePart = (jwt: string, index: 0 | 1) => JSON.parse(Buffer.from(jwt.split('.')[index]!, 'base64url').toString('utf8'));


/** Both builds and Twilio's helper (which reads the clock, so it is set to `now`) sign the same bytes. */
async function expectSameAsHelper(input: MintInput, now: number) {
  const web = await mintOnWebCrypto(input);
  expect(web).toBe(await mintOnNode(input));
  vi.useFakeTimers({ now, toFake: ['Date'] });
  try {
    expect(web).toBe(mintWithHelper(input));
  } finally {
    vi.useRealTimers();
  }
}

const base: MintInput = { accountSid: ACCOUNT_SID, apiKeySid: API_KEY_SID, apiSecret: SECRET, identity: 'alice', ttlSeconds: 3600, grants: {} };
const CHAT = { service_sid: 'IS0123456789abcdef0123456789abcdef' };
const SYNC = { service_sid: 'IS00000000000000000000000000000abc' };
const VOICE = { incoming: { allow: true as const }, outgoing: { application_sid: 'AP0123456789abcdef0123456789abcdef' } };
const TASK_ROUTER = { workspace_sid: 'WS0123456789abcdef0123456789abcdef', worker_sid: 'WK0123456789abcdef0123456789abcdef', role: 'worker' };
const PLAYER = { playbackGrant: { requestCredentials: null, playbackUrl: 'https://example.live/abc.m3u8', playerStreamerSid: 'VJ0123456789abcdef0123456789abcdef' } };

const cases: Array<[string, Partial<MintInput>]> = [
  ['identity only', {}],
  ['a video grant', { grants: { video: {} } }],
  ['a video grant for one room', { grants: { video: { room: 'standup' } } }],
  ['a video grant with an empty room, which the helper leaves out', { grants: { video: { room: '' } } }],
  ['a chat grant with an empty endpoint, which the helper leaves out', { grants: { chat: { ...CHAT, endpoint_id: '' } } }],
  ['a chat grant', { grants: { chat: CHAT } }],
  ['a chat grant with every field', { grants: { chat: { ...CHAT, endpoint_id: 'app:alice:device', deployment_role_sid: 'RL0123456789abcdef0123456789abcdef', push_credential_sid: 'CR0123456789abcdef0123456789abcdef' } } }],
  ['a sync grant', { grants: { data_sync: SYNC } }],
  ['a voice grant', { grants: { voice: VOICE } }],
  ['a voice grant with params and push', { grants: { voice: { ...VOICE, outgoing: { ...VOICE.outgoing, params: { mode: 'demo' } }, push_credential_sid: 'CR0123456789abcdef0123456789abcdef' } } }],
  ['a TaskRouter grant', { grants: { task_router: TASK_ROUTER } }],
  ['a TaskRouter grant with the workspace only', { grants: { task_router: { workspace_sid: TASK_ROUTER.workspace_sid } } }],
  ['a playback grant, as Twilio Live returns it', { grants: { player: PLAYER } }],
  ["every grant at once, in the server's order", { grants: { chat: CHAT, data_sync: SYNC, voice: VOICE, video: {} } }],
  ['all six grants, in another order', { grants: { task_router: TASK_ROUTER, video: { room: 'r' }, player: PLAYER, data_sync: SYNC, chat: CHAT, voice: VOICE } }],
  ['a region', { region: 'us1', grants: { voice: { incoming: { allow: true } } } }],
  ['nbf', { notBefore: 1_899_731_400 }],
  ['a 24 h lifetime', { ttlSeconds: 86_400 }],
  ['a 1 s lifetime', { ttlSeconds: 1 }],
  ['a unicode identity', { identity: 'zoë_Ω' }],
  // The helper writes each grant's fields in its own order, whatever the caller's, and leaves out every falsy one.
  ['a chat grant with its fields in reverse order', { grants: { chat: { push_credential_sid: 'CR0123456789abcdef0123456789abcdef', deployment_role_sid: 'RL0123456789abcdef0123456789abcdef', endpoint_id: 'e1', ...CHAT } } }],
  ['a voice grant with outgoing before incoming', { grants: { voice: { outgoing: VOICE.outgoing, incoming: VOICE.incoming } } }],
  ['a voice grant with every field in reverse order', { grants: { voice: { endpoint_id: 'e1', push_credential_sid: 'CR0123456789abcdef0123456789abcdef', outgoing: { params: { mode: 'demo' }, application_sid: VOICE.outgoing.application_sid }, incoming: VOICE.incoming } } }],
  ['a sync grant with its fields in reverse order', { grants: { data_sync: { endpoint_id: 'e1', ...SYNC } } }],
  ['a TaskRouter grant with its fields in reverse order', { grants: { task_router: { role: 'worker', worker_sid: TASK_ROUTER.worker_sid, workspace_sid: TASK_ROUTER.workspace_sid } } }],
  ['a video room of null, which the helper leaves out', { grants: { video: { room: null } } as unknown as TwilioGrants }],
  ['incoming calls not allowed (allow: false), which the helper leaves out', { grants: { voice: { incoming: { allow: false } } } as unknown as TwilioGrants }],
  ['a null incoming and outgoing, which the helper leaves out', { grants: { voice: { incoming: null, outgoing: null } } as unknown as TwilioGrants }],
  ['outgoing params of null, which the helper leaves out', { grants: { voice: { outgoing: { ...VOICE.outgoing, params: null } } } as unknown as TwilioGrants }],
  ['null, false and 0 fields, which the helper leaves out', { grants: { chat: { service_sid: null, endpoint_id: false, deployment_role_sid: 0, push_credential_sid: 'CR0123456789abcdef0123456789abcdef' }, task_router: { workspace_sid: null, role: false } } as unknown as TwilioGrants }],
];

// Each build of the library's signer passes the same comparison with Twilio's helper; so does the
// signer the example server uses.
const signers: Array<[string, (input: MintInput) => Promise<string>]> = [
  ['twilio-token-lifecycle/server on Node (node:crypto)', mintOnNode],
  ['twilio-token-lifecycle/server, WebCrypto build', mintOnWebCrypto],
  ['examples/server', mintInExamples],
];

it('the Node and WebCrypto builds export the same names', () => {
  expect(Object.keys(nodeBuild).sort()).toEqual(Object.keys(webCryptoBuild).sort());
});

describe.each(signers)('mintAccessToken: %s', (_signer, mintAccessToken) => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2030-03-14T15:09:26.535Z'), toFake: ['Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each(cases)("writes the same header and claims as twilio's AccessToken, field by field: %s", async (_name, extra) => {
    const input = { ...base, ...extra };
    const ours = await mintAccessToken(input);
    const theirs = mintWithHelper(input);
    const [ourHeader, theirHeader] = [decodePart(ours, 0), decodePart(theirs, 0)];
    const [ourClaims, theirClaims] = [decodePart(ours, 1), decodePart(theirs, 1)];
    expect(Object.keys(ourHeader)).toEqual(Object.keys(theirHeader));
    for (const field of Object.keys(theirHeader)) expect(ourHeader[field], `header.${field}`).toEqual(theirHeader[field]);
    expect(Object.keys(ourClaims)).toEqual(Object.keys(theirClaims));
    for (const field of Object.keys(theirClaims)) expect(ourClaims[field], `claims.${field}`).toEqual(theirClaims[field]);
    // Same bytes in, same HMAC out: the whole token is identical.
    expect(ours).toBe(theirs);
  });

  it('signs with HS256 and the API secret, as an independent JWT library verifies', async () => {
    const jwt = await mintAccessToken({ ...base, grants: { video: { room: 'r' }, task_router: TASK_ROUTER } });
    const { payload, protectedHeader } = await jwtVerify(jwt, new TextEncoder().encode(SECRET), {
      algorithms: ['HS256'],
      issuer: API_KEY_SID,
      subject: ACCOUNT_SID,
      currentDate: new Date('2030-03-14T15:10:00Z'),
    });
    expect(protectedHeader).toEqual({ alg: 'HS256', typ: 'JWT', cty: 'twilio-fpa;v=1' });
    expect(payload.grants).toEqual({ identity: 'alice', video: { room: 'r' }, task_router: TASK_ROUTER });
    expect(payload.exp! - payload.iat!).toBe(3600);
    await expect(jwtVerify(jwt, new TextEncoder().encode('another secret'))).rejects.toThrow(/signature/);
  });

  it('writes iat from the clock rounded down to seconds, and a jti of key SID and iat', async () => {
    const token = parseAccessToken(await mintAccessToken(base));
    expect(token.issuedAt).toBe(Date.parse('2030-03-14T15:09:26Z'));
    expect(token.claims.jti).toBe(`${API_KEY_SID}-${Date.parse('2030-03-14T15:09:26Z') / 1000}`);
    expect(token.expiresAt - token.issuedAt).toBe(3_600_000);
  });

  it('takes the signing time from `now` when given, not from the clock', async () => {
    const token = parseAccessToken(await mintAccessToken({ ...base, now: Date.parse('2031-01-01T00:00:00.999Z') }));
    expect(token.issuedAt).toBe(Date.parse('2031-01-01T00:00:00Z'));
  });

  it('mints tokens the browser library accepts, with the grants typed', async () => {
    const token = parseAccessToken(await mintAccessToken({ ...base, region: 'ie1', grants: { data_sync: SYNC, video: {}, task_router: TASK_ROUTER } }));
    expect(token.identity).toBe('alice');
    expect(token.region).toBe('ie1');
    expect(token.grants.sync).toEqual(SYNC);
    expect(token.grants.task_router).toEqual(TASK_ROUTER);
  });
});

function circular(): Record<string, unknown> {
  const params: Record<string, unknown> = { mode: 'demo' };
  params.self = params;
  return params;
}

// Input Twilio would refuse, or that would sign a token naming someone else: each is refused, typed.
const refusals: Array<[string, Partial<MintInput> | Record<string, unknown>, string]> = [
  ['an empty identity', { identity: '' }, 'invalid-identity'],
  ['a missing identity', { identity: undefined }, 'invalid-identity'],
  ['a number for identity', { identity: 42 }, 'invalid-identity'],
  ['an identity of 122 characters', { identity: 'a'.repeat(122) }, 'invalid-identity'],
  ['alice with a zero-width space', { identity: 'alice\u200b' }, 'invalid-identity'],
  ['a bidi override', { identity: '\u202eecila' }, 'invalid-identity'],
  ['a newline', { identity: 'alice\nbob' }, 'invalid-identity'],
  ['a NUL', { identity: 'alice\u0000' }, 'invalid-identity'],
  ['a line separator', { identity: 'alice\u2028' }, 'invalid-identity'],
  ['a lone surrogate', { identity: 'alice\ud800' }, 'invalid-identity'],
  ['a space', { identity: 'alice smith' }, 'invalid-identity'],
  ['a URI-reserved character', { identity: 'alice@example.com' }, 'invalid-identity'],
  ['an identity not in NFC (e + combining diaeresis)', { identity: 'zoe\u0308' }, 'invalid-identity'],
  ['a hyphen with the voice grant', { identity: 'alice-1', grants: { voice: VOICE } }, 'invalid-identity'],
  ['a TTL of 0', { ttlSeconds: 0 }, 'invalid-ttl'],
  ['a TTL over 24 h', { ttlSeconds: 86_401 }, 'invalid-ttl'],
  ['a fractional TTL', { ttlSeconds: 1.5 }, 'invalid-ttl'],
  ['a TTL of NaN', { ttlSeconds: Number.NaN }, 'invalid-ttl'],
  ['a TTL given as a string', { ttlSeconds: '3600' }, 'invalid-ttl'],
  ['the API key SID given as the account SID', { accountSid: API_KEY_SID }, 'invalid-sid'],
  ['an API key SID too short', { apiKeySid: 'SK123' }, 'invalid-sid'],
  ['an empty secret', { apiSecret: '' }, 'invalid-secret'],
  ['`sync` for `data_sync`', { grants: { sync: SYNC } }, 'invalid-grants'],
  ['identity among the grants', { grants: { identity: 'mallory' } }, 'invalid-grants'],
  ['a grant that is not an object', { grants: { video: 'standup' } }, 'invalid-grants'],
  ['an outgoing voice grant without a TwiML app', { grants: { voice: { outgoing: { application_sid: '' } } } }, 'invalid-grants'],
  ['no grants object', { grants: undefined }, 'invalid-grants'],
  ['a fractional notBefore', { notBefore: 1.5 }, 'invalid-time'],
  ['now as NaN', { now: Number.NaN }, 'invalid-time'],
  ['a notBefore at the expiry, so never valid', { now: 1_900_000_000_000, ttlSeconds: 60, notBefore: 1_900_000_060 }, 'invalid-time'],
  ['a region with a header-bending value', { region: 'us1"}' }, 'invalid-region'],
  // Invisible (default-ignorable) characters: each makes a look-alike of `alice`.
  ['a combining grapheme joiner (U+034F)', { identity: 'alice\u034f' }, 'invalid-identity'],
  ['a variation selector (U+FE0F)', { identity: 'alice\ufe0f' }, 'invalid-identity'],
  ['a supplementary variation selector (U+E0100)', { identity: 'alice\u{e0100}' }, 'invalid-identity'],
  ['a Hangul filler (U+3164)', { identity: 'alice\u3164' }, 'invalid-identity'],
  ['a Hangul choseong filler (U+115F)', { identity: 'alice\u115f' }, 'invalid-identity'],
  ['a halfwidth Hangul filler (U+FFA0)', { identity: 'alice\uffa0' }, 'invalid-identity'],
  ['a Mongolian free variation selector (U+180B)', { identity: 'alice\u180b' }, 'invalid-identity'],
  ['a braille blank (U+2800), which renders as a space', { identity: 'alice\u2800' }, 'invalid-identity'],
  // Fields the helper would drop or mangle: most likely a typo, so refused rather than signed without them.
  ['an unknown field in a grant (video.foo)', { grants: { video: { foo: 'bar' } } }, 'invalid-grants'],
  ['a camelCase field (chat.serviceSid)', { grants: { chat: { serviceSid: CHAT.service_sid } } }, 'invalid-grants'],
  ['an unknown field in outgoing', { grants: { voice: { outgoing: { ...VOICE.outgoing, appSid: 'AP1' } } } }, 'invalid-grants'],
  ['an unknown field in incoming', { grants: { voice: { incoming: { allow: true, deny: true } } } }, 'invalid-grants'],
  ['a room that is not a string', { grants: { video: { room: 42 } } }, 'invalid-grants'],
  ['incoming.allow as the string "true", which the helper would drop', { grants: { voice: { incoming: { allow: 'true' } } } }, 'invalid-grants'],
  ['incoming.allow as a BigInt', { grants: { voice: { incoming: { allow: 1n } } } }, 'invalid-grants'],
  ['a TTL that cannot be turned into a string (a null-prototype object)', { ttlSeconds: Object.create(null) }, 'invalid-ttl'],
  ['incoming as true rather than { allow: true }', { grants: { voice: { incoming: true } } }, 'invalid-grants'],
  ['outgoing as a string', { grants: { voice: { outgoing: VOICE.outgoing.application_sid } } }, 'invalid-grants'],
  ['outgoing params that are not an object', { grants: { voice: { outgoing: { ...VOICE.outgoing, params: 'mode=demo' } } } }, 'invalid-grants'],
  // Values JSON cannot write: a typed refusal, not JSON.stringify's raw TypeError.
  ['a BigInt in the playback grant', { grants: { player: { count: 1n } } }, 'invalid-grants'],
  ['circular outgoing params', { grants: { voice: { outgoing: { ...VOICE.outgoing, params: circular() } } } }, 'invalid-grants'],
  ['a playback grant whose toJSON throws', { grants: { player: { toJSON: () => { throw new Error('nope'); } } } }, 'invalid-grants'],
];

describe.each([
  ['on Node', mintOnNode],
  ['on WebCrypto', mintOnWebCrypto],
] as const)('mintAccessToken refuses bad input %s', (_build, mintAccessToken) => {
  it.each(refusals)('refuses %s with a MintInputError, as a rejected promise', async (_name, extra, code) => {
    let pending: Promise<string> | undefined;
    expect(() => (pending = mintAccessToken({ ...base, ...extra } as MintInput))).not.toThrow();
    const error = await pending!.then(() => undefined, (reason: unknown) => reason);
    expect(error).toBeInstanceOf(MintInputError);
    expect(error).toMatchObject({ name: 'MintInputError', code });
    expect(isMintInputError(error)).toBe(true);
    expect(String((error as Error).message)).not.toContain(SECRET);
  });

  it('refuses a call without an input object with a TypeError that says what to pass', async () => {
    await expect(mintAccessToken(undefined as unknown as MintInput)).rejects.toThrow(TypeError);
    await expect(mintAccessToken('alice' as unknown as MintInput)).rejects.toThrow(/needs an object: \{ accountSid/);
  });

  it('signs a notBefore one second before the expiry', async () => {
    const jwt = await mintAccessToken({ ...base, now: 1_900_000_000_000, ttlSeconds: 60, notBefore: 1_900_000_059 });
    expect(decodePart(jwt, 1)).toMatchObject({ nbf: 1_900_000_059, exp: 1_900_000_060 });
  });

  // `region: env.TWILIO_REGION` with `TWILIO_REGION=` in a .env file: no region, as Twilio's helper
  // takes it (it writes twr only for a non-empty string), not a refusal of every token.
  it.each([
    ['region undefined', { region: undefined }],
    ['region empty', { region: '' }],
    ['region null', { region: null }],
    ['notBefore undefined', { notBefore: undefined }],
  ])('signs %s as without it, byte for byte as the helper', async (_, extra) => {
    const now = 1_900_000_000_000;
    const input = { ...base, now, ...extra } as MintInput;
    const jwt = await mintAccessToken(input);
    expect(jwt).toBe(await mintAccessToken({ ...base, now }));
    expect(decodePart(jwt, 0)).not.toHaveProperty('twr');
    await expectSameAsHelper(input, now);
  });

  it('signs an identity at the limits: 121 characters, voice-safe with the voice grant, an unset grant left out', async () => {
    const identity = 'a'.repeat(121);
    const jwt = await mintAccessToken({ ...base, identity, grants: { voice: VOICE, chat: undefined } });
    expect(decodePart(jwt, 1).grants).toEqual({ identity, voice: VOICE });
  });
});

describe('the WebCrypto build', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
  });

  it('writes the very bytes of the Node build and of the helper, for any valid identity, room, secret and lifetime', async () => {
    const identityChar = fc.constantFrom(...'abcXYZ019_-.~éÅΩ中😀'.match(/./gu)!);
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 121, unit: identityChar }).filter((identity) => identity.length <= 121),
        fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
        fc.string({ minLength: 1, maxLength: 80 }),
        fc.integer({ min: 1, max: 86_400 }),
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        async (identity, room, apiSecret, ttlSeconds, now) => {
          await expectSameAsHelper({ ...base, identity, apiSecret, ttlSeconds, now, grants: { video: room === undefined ? {} : { room } } }, now);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("writes every grant's fields in the helper's order, falsy ones left out, whatever the caller's order", async () => {
    // Every falsy value the helper's `if (field)` skips, or a non-empty string.
    const field = fc.oneof(fc.constantFrom(undefined, null, false, '', 0, Number.NaN), fc.string({ minLength: 1, maxLength: 12 }));
    const falsy = fc.constantFrom(undefined, null, false, '', 0);
    // Some of `fields`, each with its value, in a random key order.
    const shuffled = (fields: Record<string, fc.Arbitrary<unknown>>, requiredKeys: string[] = []) =>
      fc.record(fields, { requiredKeys }).chain((record) => {
        const entries = Object.entries(record);
        return fc.shuffledSubarray(entries, { minLength: entries.length, maxLength: entries.length }).map((order) => Object.fromEntries(order));
      });
    const voice = shuffled({
      incoming: fc.oneof(falsy, shuffled({ allow: fc.constantFrom(true, false, null, undefined) })),
      outgoing: fc.oneof(falsy, shuffled({ application_sid: fc.string({ minLength: 1, maxLength: 12 }), params: fc.oneof(falsy, fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }))) }, ['application_sid'])),
      push_credential_sid: field,
      endpoint_id: field,
    });
    const grants = shuffled({
      chat: shuffled({ service_sid: field, endpoint_id: field, deployment_role_sid: field, push_credential_sid: field }),
      voice,
      video: shuffled({ room: field }),
      data_sync: shuffled({ service_sid: field, endpoint_id: field }),
      task_router: shuffled({ workspace_sid: field, worker_sid: field, role: field }),
      player: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 })),
    });
    const now = Date.parse('2030-03-14T15:09:26.535Z');
    await fc.assert(
      fc.asyncProperty(grants, async (grants) => {
        await expectSameAsHelper({ ...base, now, grants: grants as TwilioGrants }, now);
      }),
      { numRuns: 300 },
    );
  });

  it('imports each secret once and keeps at most 16 keys', async () => {
    const importKey = vi.spyOn(globalThis.crypto.subtle, 'importKey');
    const secret = (n: number) => `cache-test-secret-${n}`;
    await mintOnWebCrypto({ ...base, apiSecret: secret(0) });
    await mintOnWebCrypto({ ...base, apiSecret: secret(0) });
    expect(importKey).toHaveBeenCalledTimes(1);
    for (let n = 1; n <= 16; n++) await mintOnWebCrypto({ ...base, apiSecret: secret(n) });
    expect(importKey).toHaveBeenCalledTimes(17);
    await mintOnWebCrypto({ ...base, apiSecret: secret(16) }); // still cached
    expect(importKey).toHaveBeenCalledTimes(17);
    await mintOnWebCrypto({ ...base, apiSecret: secret(0) }); // the oldest, evicted for the 17th
    expect(importKey).toHaveBeenCalledTimes(18);
  });

  it('drops the least recently used key, not the one in use', async () => {
    const importKey = vi.spyOn(globalThis.crypto.subtle, 'importKey');
    const inUse = 'lru-test-secret-in-use';
    await mintOnWebCrypto({ ...base, apiSecret: inUse });
    for (let n = 0; n < 40; n++) {
      await mintOnWebCrypto({ ...base, apiSecret: `lru-test-secret-${n}` });
      await mintOnWebCrypto({ ...base, apiSecret: inUse });
    }
    expect(importKey.mock.calls.filter(([, bytes]) => new TextDecoder().decode(bytes as Uint8Array) === inUse)).toHaveLength(1);
  });

  it.each([
    ['no crypto', undefined],
    ['crypto without subtle (an insecure context)', { getRandomValues: () => undefined }],
  ])('rejects with a TypeError naming crypto.subtle where there is %s', async (_name, crypto) => {
    vi.stubGlobal('crypto', crypto);
    const error = await mintOnWebCrypto(base).then(() => undefined, (reason: unknown) => reason);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/needs WebCrypto \(globalThis\.crypto\.subtle\)/);
    // The API secret must never reach a browser: the message must not suggest running there.
    expect((error as Error).message).not.toMatch(/browser/i);
  });

  it('needs neither node:crypto nor Buffer', () => {
    for (const file of ['index.ts', 'mint-access-token-webcrypto.ts', 'access-token-content.ts', 'check-mint-input.ts', 'check-grants.ts', 'grant-fields.ts', 'describe-value.ts', 'base64url.ts', 'mint-input.ts', 'mint-input-error.ts']) {
      const source = readFileSync(new URL(`../../src/server/${file}`, import.meta.url), 'utf8');
      expect(source, file).not.toMatch(/from ['"]node:|require\(|\bBuffer\.|\bprocess\./);
    }
  });
});

describe('the public types', () => {
  it('take every Twilio grant key with its fields, and answer a promise of the JWT', () => {
    expectTypeOf(mintOnNode).toEqualTypeOf<(input: MintInput) => Promise<string>>();
    expectTypeOf(mintOnWebCrypto).toEqualTypeOf<(input: MintInput) => Promise<string>>();
    expectTypeOf<keyof TwilioGrants>().toEqualTypeOf<'chat' | 'voice' | 'video' | 'data_sync' | 'task_router' | 'player'>();
    expectTypeOf<NonNullable<TwilioGrants['task_router']>>().toEqualTypeOf<{ workspace_sid?: string; worker_sid?: string; role?: string }>();
    expectTypeOf<MintInputError['code']>().toEqualTypeOf<MintInputErrorCode>();
    expectTypeOf<MintInput>().toHaveProperty('now').toEqualTypeOf<number | undefined>();
    // @ts-expect-error `sync` is this library's friendly name when reading a token, not a key Twilio signs.
    const misspelt: TwilioGrants = { sync: {} };
    expect(misspelt).toBeDefined();
  });
});

describe('the build', () => {
  it('compiles src without Node globals: no @types/node, and the node:crypto build still type-checks', () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const config = ts.getParsedCommandLineOfConfigFile(`${root}tsconfig.build.json`, undefined, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
    const program = ts.createProgram({ rootNames: config.fileNames, options: { ...config.options, noEmit: true } });
    const fromNodeTypes = program.getSourceFiles().filter((file) => file.fileName.includes('/@types/node/'));
    expect(fromNodeTypes.map((file) => file.fileName)).toEqual([]);
    const nodeBuild = program.getSourceFile(`${root}src/server/mint-access-token-node.ts`)!;
    const diagnostics = [...program.getSyntacticDiagnostics(nodeBuild), ...program.getSemanticDiagnostics(nodeBuild)];
    expect(diagnostics.map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'))).toEqual([]);
  });
});

describe('both builds', () => {
  it('export the same names', async () => {
    const nodeBuild = await import('../../src/server/index.node');
    expect(Object.keys(nodeBuild).sort()).toEqual(Object.keys(webCryptoBuild).sort());
  });
});
