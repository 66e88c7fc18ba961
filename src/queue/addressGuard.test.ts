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

describe('special-purpose ranges (IANA registries) and IPv6 forms embedding IPv4', () => {
  it.each([
    ['carrier-grade NAT', '100.64.0.1'],
    ['Alibaba Cloud metadata (shared address space)', '100.100.100.200'],
    ['IETF protocol assignments', '192.0.0.170'],
    ['documentation', '192.0.2.10'],
    ['documentation', '198.51.100.7'],
    ['documentation', '203.0.113.9'],
    ['benchmarking', '198.18.0.1'],
    ['6to4 relay anycast', '192.88.99.1'],
    ['AS112', '192.31.196.1'],
    ['AMT', '192.52.193.1'],
    ['mapped metadata', '::ffff:169.254.169.254'],
    ['mapped metadata, hex', '::ffff:a9fe:a9fe'],
    ['compatible metadata', '::169.254.169.254'],
    ['translated (SIIT) metadata', '::ffff:0:a9fe:a9fe'],
    ['NAT64 metadata', '64:ff9b::169.254.169.254'],
    ['NAT64 carrier-grade NAT', '64:ff9b::6464:64c8'],
    ['local-use NAT64', '64:ff9b:1::a9fe:a9fe'],
    ['6to4 metadata', '2002:a9fe:a9fe::1'],
    ['Teredo with a metadata client', '2001:0:4136:e378:8000:63bf:5601:5601'],
    ['Teredo with a link-local server', '2001:0:a9fe:a9fe:8000:63bf:f7f7:f7f7'],
    ['IPv6 documentation', '2001:db8::1'],
    ['IPv6 documentation (3fff::/20)', '3fff::1'],
    ['discard-only', '100::1'],
    ['benchmarking v6', '2001:2::1'],
    ['ORCHIDv2', '2001:20::1'],
    ['site-local', 'fec0::1'],
    ['SRv6', '5f00::1'],
    ['compatible this-network', '::2'],
    ['link-local with a zone', 'fe80::1%eth0'],
  ])('refuses %s (%s)', (_what, address) => {
    expect(isForbiddenAddress(address)).toBe(true);
    const host = address.includes(':') ? `[${address.replace(/%.*$/, '')}]` : address;
    expect(subscriberUrlProblem(`http://${host}/set`)).toMatch(/address no subscriber may have/);
  });

  it.each([
    ['a public IPv4 address', '8.8.8.8'],
    ['a public IPv6 address', '2606:4700:4700::1111'],
    ['a mapped private address', '::ffff:10.0.0.1'],
    ['NAT64 of a public address', '64:ff9b::808:808'],
    ['6to4 of a public address', '2002:808:808::1'],
    ['Teredo of public addresses', '2001:0:4136:e378:8000:63bf:f7f7:f7f7'],
    ['unique-local', 'fd12:3456::1'],
  ])('accepts %s (%s)', (_what, address) => {
    expect(isForbiddenAddress(address)).toBe(false);
  });

  it('reads the numeric host forms a URL parser normalises (0x7f.1, 2852039166) as the addresses they are', () => {
    expect(subscriberUrlProblem('http://2852039166/latest')).toMatch(/169\.254\.169\.254/);
    expect(subscriberUrlProblem('http://0x64.0x64.0x64.0xc8/')).toMatch(/100\.100\.100\.200/);
  });
});
