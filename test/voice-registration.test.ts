import { describe, expect, it } from 'vitest';
import { mintTestToken, TEST_ACCOUNT_SID } from 'twilio-token-lifecycle/testing';
import { describeCall, isVoiceRelayMessage, registrationName, relayMessage, relayStep, type TrackedCall, type VoiceRelayMessage } from '../src/adapters/voice-registration';

const call = (sid: string, status: 'ringing' | 'accepted' | 'ended', owner = 'A'): TrackedCall => ({ sid, from: '+1555', to: 'client:alice', status, owner });
const plain = ({ owner: _owner, ...rest }: TrackedCall) => rest;

describe('registrationName', () => {
  it.each<[string, string | null | undefined, string | undefined]>([
    ['alice of the test account', mintTestToken({ identity: 'alice' }), `twilio-token-lifecycle:voice-registration|${TEST_ACCOUNT_SID}|alice`],
    ['no identity', mintTestToken({ identity: null }), undefined],
    ['not a JWT', 'nope', undefined],
    ['null', null, undefined],
    ['undefined', undefined, undefined],
  ])('%s', (_, jwt, expected) => {
    expect(registrationName(jwt)).toBe(expected);
  });

  it('differs by identity and by account', () => {
    const alice = registrationName(mintTestToken({ identity: 'alice' }));
    expect(registrationName(mintTestToken({ identity: 'bob' }))).not.toBe(alice);
    expect(registrationName(mintTestToken({ identity: 'alice', accountSid: `AC${'1'.repeat(32)}` }))).not.toBe(alice);
    expect(registrationName(mintTestToken({ identity: 'alice', ttlSeconds: 99 }))).toBe(alice);
  });
});

describe('isVoiceRelayMessage', () => {
  const good = relayMessage('tab-1', { type: 'voice-call', call: plain(call('CA1', 'ringing')) }) as Extract<VoiceRelayMessage, { type: 'voice-call' }>;
  it.each<[string, unknown, boolean]>([
    ['a call', good, true],
    ['an owner', relayMessage('tab-1', { type: 'voice-owner' }), true],
    ['a hello', relayMessage('tab-1', { type: 'voice-hello' }), true],
    ['a release', relayMessage('tab-1', { type: 'voice-released' }), true],
    ['another namespace', { ...good, ns: 'other' }, false],
    ['another version', { ...good, v: 2 }, false],
    ['no sender', { ...good, from: '' }, false],
    ['a sender too long', { ...good, from: 'x'.repeat(101) }, false],
    ['an unknown type', { ...good, type: 'voice-ring' }, false],
    ['a token message', { ...good, type: 'token' }, false],
    ['no call', { ...good, call: undefined }, false],
    ['an empty SID', { ...good, call: { ...good.call, sid: '' } }, false],
    ['a SID too long', { ...good, call: { ...good.call, sid: 'C'.repeat(65) } }, false],
    ['a numeric from', { ...good, call: { ...good.call, from: 5 } }, false],
    ['an unknown status', { ...good, call: { ...good.call, status: 'busy' } }, false],
    ['null', null, false],
    ['a string', 'voice-call', false],
  ])('%s → %s', (_, message, expected) => {
    expect(isVoiceRelayMessage(message)).toBe(expected);
  });
});

describe('describeCall', () => {
  it.each<[string, Record<string, string | undefined> | undefined, ReturnType<typeof describeCall>]>([
    ['full parameters', { CallSid: 'CA1', From: '+1555', To: 'client:alice' }, { sid: 'CA1', from: '+1555', to: 'client:alice', status: 'ringing' }],
    ['no From or To', { CallSid: 'CA1' }, { sid: 'CA1', from: '', to: '', status: 'ringing' }],
    ['no SID', { From: '+1555' }, undefined],
    ['no parameters', undefined, undefined],
  ])('%s', (_, parameters, expected) => {
    expect(describeCall({ parameters }, 'ringing')).toEqual(expected);
  });
});

describe('relayStep', () => {
  const from = (tab: string, status: 'ringing' | 'accepted' | 'ended', sid = 'CA1') =>
    relayMessage(tab, { type: 'voice-call', call: plain(call(sid, status, tab)) });
  it.each<[string, TrackedCall[], ReturnType<typeof from>, TrackedCall[], string[]]>([
    ['a new ringing call is told', [], from('A', 'ringing'), [call('CA1', 'ringing')], ['CA1 ringing']],
    ['the same status again is not', [call('CA1', 'ringing')], from('A', 'ringing'), [call('CA1', 'ringing')], []],
    ['accepted is told and kept', [call('CA1', 'ringing')], from('A', 'accepted'), [call('CA1', 'accepted')], ['CA1 accepted']],
    ['ended is told and forgotten', [call('CA1', 'ringing')], from('A', 'ended'), [], ['CA1 ended']],
    ['ended after accepted too', [call('CA1', 'accepted')], from('A', 'ended'), [], ['CA1 ended']],
    ['ended of an unknown call is nothing', [], from('A', 'ended'), [], []],
    ['another call is kept apart', [call('CA1', 'ringing')], from('A', 'ringing', 'CA2'), [call('CA1', 'ringing'), call('CA2', 'ringing')], ['CA2 ringing']],
  ])('%s', (_, before, message, after, told) => {
    const step = relayStep(before, message);
    expect(step.calls).toEqual(after);
    expect(step.changes.map((change) => `${change.sid} ${change.status}`)).toEqual(told);
  });

  it('a new holder ends every call of an earlier holder, and keeps its own', () => {
    const step = relayStep([call('CA1', 'ringing', 'A'), call('CA2', 'accepted', 'B')], relayMessage('B', { type: 'voice-owner' }));
    expect(step.calls).toEqual([call('CA2', 'accepted', 'B')]);
    expect(step.changes).toEqual([{ sid: 'CA1', from: '+1555', to: 'client:alice', status: 'ended' }]);
  });

  it.each(['voice-hello', 'voice-released'] as const)('a %s changes nothing', (type) => {
    const calls = [call('CA1', 'ringing')];
    expect(relayStep(calls, relayMessage('C', { type }))).toEqual({ calls, changes: [] });
  });
});
