// @vitest-environment node
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diagnoseAccessToken, type DiagnoseContext, type Product } from 'twilio-token-lifecycle/doctor';
import { decodeSegment, mintWithHelper, type HelperInput } from './fixtures';

const RUNS = 2_500;
const hex32 = fc.stringMatching(/^[0-9a-f]{32}$/);
const sid = (prefix: string) => hex32.map((hex) => `${prefix}${hex}`);
// An API key secret: 32 alphanumerics, at least one upper-case (an all-lowercase-hex one is an Auth Token).
const secret = fc.tuple(fc.stringMatching(/^[A-Za-z0-9]{31}$/), fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ')).map(([body, upper]) => body + upper);
const CONTROL_OR_FORMAT = /[\p{Cc}\p{Cf}]/u;
// Any Unicode, no control or format characters, 1–121 UTF-16 code units (as the signer counts).
const identity = fc
  .oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 121 }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }), fc.stringMatching(/^[A-Za-z0-9_]{1,121}$/), fc.stringMatching(/^[A-Za-z0-9_]{121}$/), fc.string({ unit: 'grapheme-composite', minLength: 115, maxLength: 121 }))
  .filter((value) => value.length >= 1 && value.length <= 121 && !CONTROL_OR_FORMAT.test(value));
const PRODUCTS: Product[] = ['conversations', 'chat', 'sync', 'voice', 'video', 'taskrouter'];

const sample = fc.record({
  accountSid: sid('AC'),
  apiKeySid: sid('SK'),
  secret,
  identity,
  ttl: fc.integer({ min: 1, max: 86_400 }),
  region: fc.option(fc.constantFrom('us1', 'ie1', 'au1', 'jp1', 'sg1', 'br1', 'de1', 'in1'), { nil: undefined }),
  products: fc.uniqueArray(fc.constantFrom(...PRODUCTS), { minLength: 1, maxLength: 6 }),
  chatService: sid('IS'),
  syncService: fc.option(sid('IS'), { nil: undefined }),
  twimlApp: fc.option(sid('AP'), { nil: undefined }),
  workspace: sid('WS'),
  worker: sid('WK'),
  room: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
  // Where in the token's validity the check happens, as a fraction of its lifetime.
  at: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  regionInContext: fc.boolean(),
});

describe('the doctor on valid tokens minted by Twilio\'s helper', () => {
  it(`finds no error in ${RUNS} tokens, each checked against its own context`, async () => {
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(sample, async (s) => {
        const has = (product: Product) => s.products.includes(product);
        const grants: HelperInput['grants'] = {};
        // Conversations may use its default service; Programmable Chat must name one.
        if (has('chat') || has('conversations')) grants.chat = has('chat') || s.at < 0.5 ? { serviceSid: s.chatService } : {};
        if (has('sync')) grants.sync = s.syncService ? { serviceSid: s.syncService } : {};
        if (has('voice')) grants.voice = s.twimlApp ? { incomingAllow: s.at < 0.5, outgoingApplicationSid: s.twimlApp } : { incomingAllow: true };
        if (has('video')) grants.video = s.room === undefined ? {} : { room: s.room };
        if (has('taskrouter')) grants.taskRouter = { workspaceSid: s.workspace, workerSid: s.worker, role: 'worker' };
        const jwt = mintWithHelper({ accountSid: s.accountSid, apiKeySid: s.apiKeySid, secret: s.secret, identity: s.identity, ttl: s.ttl, ...(s.region ? { region: s.region } : {}), grants });
        const { iat, exp } = decodeSegment(jwt, 1) as { iat: number; exp: number };
        expect(exp - iat).toBe(s.ttl);
        const context: DiagnoseContext = {
          apiSecret: s.secret,
          accountSid: s.accountSid,
          apiKeySid: s.apiKeySid,
          products: s.products,
          now: iat * 1000 + Math.min(Math.floor(s.at * s.ttl * 1000), s.ttl * 1000 - 1),
          ...(s.regionInContext || s.region ? { region: s.region ?? 'us1' } : {}),
        };
        const { ok, findings } = await diagnoseAccessToken(jwt, context);
        const errors = findings.filter((finding) => finding.severity === 'error');
        expect(errors, JSON.stringify({ identity: s.identity, context: { ...context, apiSecret: '…' } })).toEqual([]);
        expect(ok).toBe(true);
        checked++;
      }),
      { seed: 17_017, numRuns: RUNS },
    );
    expect(checked).toBeGreaterThanOrEqual(2_000);
  }, 120_000);
});
