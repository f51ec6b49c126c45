import fc from 'fast-check';
import { jwtDecode } from 'jwt-decode';
import { describe, expect, it } from 'vitest';
import { decodeSegment } from '../src/access-token';

// jwt-decode 4 decoded tokens until this library read segments itself: the same input must give the
// same value, or fail in both.
const outcome = (read: () => unknown) => {
  try {
    return { value: read() };
  } catch {
    return { failed: true };
  }
};
const both = (segment: string) => ({
  ours: outcome(() => decodeSegment(segment)),
  theirs: outcome(() => jwtDecode(`${segment}.e30.sig`, { header: true })),
});
const base64url = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url');

describe('decodeSegment', () => {
  it.each([
    ['a JSON object', base64url('{"typ":"JWT"}'), { typ: 'JWT' }],
    ['UTF-8 text', base64url('{"identity":"zoë 😀"}'), { identity: 'zoë 😀' }],
    ['bytes that are not UTF-8, read as Latin-1', base64url(Uint8Array.from([0x22, 0xe9, 0x22])), 'é'],
  ])('reads %s as jwt-decode did', (_, segment, value) => {
    expect(both(segment)).toStrictEqual({ ours: { value }, theirs: { value } });
  });

  it.each([
    ['a length of 1 mod 4', 'eyJhb'],
    ['spaces that make the length 1 mod 4', 'e 3 0'],
    ['spaces that make the padding wrong', 'e 30  '],
    ['a character outside base64url', 'e30*'],
    ['padding inside', 'e3=0'],
    ['text that is not JSON', base64url('not json')],
    ['a byte order mark before the JSON', base64url('\uFEFF{}')],
  ])('refuses %s as jwt-decode did', (_, segment) => {
    expect(both(segment)).toStrictEqual({ ours: { failed: true }, theirs: { failed: true } });
  });

  it('agrees with jwt-decode on any bytes, any JSON and any string of base64 characters', () => {
    const segment = fc.oneof(
      fc.uint8Array({ maxLength: 64 }).map(base64url),
      fc.jsonValue().map((value) => base64url(JSON.stringify(value) ?? 'null')),
      fc.string({ unit: fc.constantFrom(...'AZaz09-_+/= \n%.é'.split('').filter((char) => char !== '.')), maxLength: 24 }),
    );
    fc.assert(
      fc.property(segment, (text) => {
        const { ours, theirs } = both(text);
        expect(ours).toStrictEqual(theirs);
      }),
      { numRuns: 2000 },
    );
  });
});
