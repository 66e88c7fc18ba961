import { isForbiddenAddress, subscriberUrlProblem } from './addressGuard.js';

describe('subscriber URLs', () => {
  it.each([
    'https://messaging.internal/secevents',
    'http://127.0.0.1:8443/set',
    'http://10.0.0.5/set',
    'https://[::1]:9000/set',
    'https://calls.example.com/events?stream=1',
  ])('accepts %s', (url) => {
    expect(subscriberUrlProblem(url)).toBeUndefined();
  });

  it.each([
    ['not a URL', 'messaging/secevents', /absolute URL/],
    ['another scheme', 'ftp://example.com/x', /http or https, not ftp/],
    ['a file URL', 'file:///etc/passwd', /http or https/],
    ['credentials', 'https://user:secret@example.com/x', /credentials/],
    ['a user name', 'https://user@example.com/x', /credentials/],
    ['a fragment', 'https://example.com/x#y', /fragment/],
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data', /169\.254\.169\.254/],
    ['the unspecified address', 'http://0.0.0.0:80/', /0\.0\.0\.0/],
    ['IPv6 link-local', 'http://[fe80::1]/', /fe80::1/],
    ['metadata as mapped IPv6', 'http://[::ffff:169.254.169.254]/', /address no subscriber/],
  ])('refuses %s', (_what, url, message) => {
    expect(subscriberUrlProblem(url)).toMatch(message);
  });
});

describe('isForbiddenAddress', () => {
  it('allows loopback and private addresses, where dependent services live', () => {
    expect(['127.0.0.1', '10.1.2.3', '192.168.0.9', '::1', 'fd12::1'].filter(isForbiddenAddress)).toEqual([]);
  });
  it('forbids link-local, multicast, reserved and malformed addresses', () => {
    expect(['169.254.1.1', '224.0.0.1', '255.255.255.255', 'ff02::1', '::', 'fd00:ec2::254', 'not-an-ip'].every(isForbiddenAddress)).toBe(true);
  });
});
