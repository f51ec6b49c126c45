// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../examples/server/config';
import { DurableObjectTrouble, SESSION_SHARDS, sessionShardOf, splitWindowKey, storesFromBindings } from '../../examples/server/durable-stores';

// The pure parts of the Worker's Durable Object stores; the stores themselves run in workerd
// (workerd-durable-objects.test.ts).

describe('sessionShardOf', () => {
  it('always puts one id in the same shard, within range', () => {
    const id = '3f2b8c1e-9d4a-4e6b-8f00-123456789abc';
    expect(sessionShardOf(id)).toBe(sessionShardOf(id));
    expect(sessionShardOf(id)).toBeGreaterThanOrEqual(0);
    expect(sessionShardOf(id)).toBeLessThan(SESSION_SHARDS);
  });

  it('spreads random session ids over every shard, none with more than twice its share', () => {
    const counts = new Array<number>(SESSION_SHARDS).fill(0);
    for (let i = 0; i < 25_600; i++) counts[sessionShardOf(crypto.randomUUID())]!++;
    expect(Math.min(...counts)).toBeGreaterThan(0);
    expect(Math.max(...counts)).toBeLessThan(200); // a fair share is 100
  });

  it.each([1, 7, 256])('stays within %i shards', (shards) => {
    for (const id of ['', 'a', 'session', crypto.randomUUID()]) expect(sessionShardOf(id, shards)).toBeLessThan(shards);
  });
});

describe('splitWindowKey', () => {
  it.each([
    ['abc@1767268800000', { subject: 'abc', windowStart: 1767268800000 }],
    ['2001:db8::/64@60000', { subject: '2001:db8::/64', windowStart: 60000 }],
    ['user@example.com@60000', { subject: 'user@example.com', windowStart: 60000 }],
    ['no-window', { subject: 'no-window', windowStart: undefined }],
    ['user@example.com', { subject: 'user@example.com', windowStart: undefined }],
  ])('%s', (key, expected) => {
    expect(splitWindowKey(key)).toEqual(expected);
  });
});

describe('DurableObjectTrouble', () => {
  it('warns once per outage and kind, at most once a minute, and says when it is over', () => {
    let now = 0;
    const lines: string[] = [];
    const trouble = new DurableObjectTrouble((line) => lines.push(line), () => now);
    trouble.failed('sessions', new Error('boom\nforged line'));
    trouble.failed('sessions', new Error('again'));
    trouble.failed('rate-limits', new Error('down'));
    expect(lines).toEqual([
      'warning: the SESSIONS Durable Objects do not answer (boom\\x0aforged line): session checks answer 503 until they do',
      "warning: the RATE_LIMITS Durable Objects do not answer (down): rate limits count in this isolate's memory until they do",
    ]);
    trouble.succeeded('sessions');
    trouble.succeeded('sessions');
    expect(lines.slice(2)).toEqual(['the SESSIONS Durable Objects answer again']);
    // Flapping within the minute: no new warning, and so no "again" line either.
    now += 10_000;
    trouble.failed('sessions', new Error('flap'));
    trouble.succeeded('sessions');
    expect(lines).toHaveLength(3);
    now += 60_000;
    trouble.failed('sessions', new Error('later'));
    expect(lines[3]).toMatch(/^warning: the SESSIONS Durable Objects do not answer \(later\)/);
  });
});

describe('storesFromBindings', () => {
  it('without bindings keeps both in memory and says so; with one, names the other', () => {
    const none = storesFromBindings({}, () => {});
    expect(none.sessions).toBeUndefined();
    expect(none.rateLimitStore).toBeUndefined();
    expect(none.warning).toMatch(/^warning: sessions and rate limits live in this isolate's memory: a logout on another isolate ends nothing here, and each isolate counts its own limits; bind SESSIONS and RATE_LIMITS/);
    const namespace = { idFromName: () => ({}), get: () => ({}) as never };
    const sessionsOnly = storesFromBindings({ SESSIONS: namespace }, () => {});
    expect(sessionsOnly.sessions).toBeDefined();
    expect(sessionsOnly.warning).toMatch(/^warning: rate limits live in this isolate's memory: each isolate counts its own limits; bind RATE_LIMITS /);
    const both = storesFromBindings({ SESSIONS: namespace, RATE_LIMITS: namespace }, () => {});
    expect(both.warning).toBeUndefined();
  });

  it.each([
    ['SESSIONS', 'a var named SESSIONS', /SESSIONS is bound, but not to a Durable Object namespace/],
    ['RATE_LIMITS', { idFromName: () => ({}) }, /RATE_LIMITS is bound, but not to a Durable Object namespace/],
    ['EDGE_RATE_LIMIT', '300', /EDGE_RATE_LIMIT is bound, but not to a rate-limit binding/],
  ])('refuses %s bound to something else, naming it', (name, value, message) => {
    const attempt = () => storesFromBindings({ [name]: value } as never, () => {});
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
  });
});
