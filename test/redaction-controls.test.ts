// @vitest-environment node
// Found by an adversarial review: control characters (which consoles do not show either) could split a
// JWT past redaction, and a host name of three long labels was taken for a JWT.
import { describe, expect, it } from 'vitest';
import { TokenError } from 'twilio-token-lifecycle';
import { mintTestToken } from 'twilio-token-lifecycle/testing';

const jwt = mintTestToken({ identity: 'alice' });
const [header, payload, signature] = jwt.split('.') as [string, string, string];

describe('TokenError message redaction', () => {
  it.each([
    ['NUL', '\u0000'],
    ['ESC', '\u001b'],
    ['DEL', '\u007f'],
    ['NEL (C1)', '\u0085'],
  ])('redacts a JWT split by an invisible control character (%s)', (_name, char) => {
    const message = new TokenError('http', `upstream said: ${header}${char}.${payload}.${signature}`).message;
    const visible = message.replace(/\p{Cc}/gu, '');
    expect(visible).not.toContain(signature);
    expect(visible).not.toContain(jwt);
  });
});

describe('TokenError message redaction: no false positives', () => {
  it.each([
    'https://tokenserver.acmecorp.internal/twilio/token',
    'https://twilio-tokens.customer-portal.azurewebsites.net/token',
  ])('keeps a host name of three long labels: %s', (url) => {
    const message = new TokenError('http', `Token request failed with status 404: POST ${url}`).message;
    expect(message).toContain(new URL(url).host);
  });
});
