// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { restUrl, twilioHost } from '../../src/cli/twilio-hosts';

describe('twilioHost', () => {
  it.each([
    ['api', undefined, undefined, 'api.twilio.com'],
    ['api', 'us1', undefined, 'api.twilio.com'],
    ['api', 'us1', 'ashburn', 'api.ashburn.us1.twilio.com'],
    ['api', 'ie1', undefined, 'api.dublin.ie1.twilio.com'],
    ['api', 'au1', undefined, 'api.sydney.au1.twilio.com'],
    ['conversations', 'ie1', undefined, 'conversations.dublin.ie1.twilio.com'],
    ['sync', 'au1', undefined, 'sync.sydney.au1.twilio.com'],
    ['taskrouter', 'ie1', 'frankfurt', 'taskrouter.frankfurt.ie1.twilio.com'],
    ['api', 'jp1', undefined, 'api.jp1.twilio.com'],
  ] as const)('%s in %s (edge %s) is %s', (product, region, edge, host) => {
    expect(twilioHost(product, region, edge)).toBe(host);
  });
});

describe('restUrl', () => {
  it.each([
    ['api.twilio.com', '/2010-04-01/x.json', undefined, 'https://api.twilio.com/2010-04-01/x.json'],
    ['api.twilio.com', '/v1/Services/IS1', 'http://127.0.0.1:8080', 'http://127.0.0.1:8080/v1/Services/IS1'],
    ['api.twilio.com', '/v1/Services/IS1', 'http://127.0.0.1:8080/', 'http://127.0.0.1:8080/v1/Services/IS1'],
    ['sync.dublin.ie1.twilio.com', '/v1/Services/IS1', 'http://127.0.0.1:8080/{host}', 'http://127.0.0.1:8080/sync.dublin.ie1.twilio.com/v1/Services/IS1'],
    ['api.twilio.com', '/x', 'https://proxy.example/twilio/{host}/', 'https://proxy.example/twilio/api.twilio.com/x'],
  ])('%s%s with base %s is %s', (host, path, base, url) => {
    expect(restUrl(host, path, base)).toBe(url);
  });
});
