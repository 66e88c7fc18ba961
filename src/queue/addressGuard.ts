/**
 * SSRF care for subscriber URLs. Subscribers are the service's own dependants (messaging,
 * calls, sync), often on private networks or a sidecar on loopback, so those stay reachable;
 * what no subscriber can legitimately be — cloud metadata and other link-local addresses, the
 * unspecified address, multicast and reserved ranges — is refused, both when the URL is
 * registered and on every connection (after DNS resolution, so a name that later resolves
 * elsewhere is caught too).
 */
import dns from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import net from 'node:net';

const FORBIDDEN = new net.BlockList();
FORBIDDEN.addSubnet('0.0.0.0', 8, 'ipv4'); // "this network", the unspecified address
FORBIDDEN.addSubnet('169.254.0.0', 16, 'ipv4'); // link-local, cloud metadata (169.254.169.254)
FORBIDDEN.addSubnet('224.0.0.0', 4, 'ipv4'); // multicast
FORBIDDEN.addSubnet('240.0.0.0', 4, 'ipv4'); // reserved, broadcast
FORBIDDEN.addAddress('::', 'ipv6');
FORBIDDEN.addSubnet('fe80::', 10, 'ipv6'); // link-local
FORBIDDEN.addSubnet('ff00::', 8, 'ipv6'); // multicast
FORBIDDEN.addAddress('fd00:ec2::254', 'ipv6'); // AWS instance metadata over IPv6

/** Why a subscriber URL is refused, or undefined when it is acceptable. */
export function subscriberUrlProblem(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not an absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `must use http or https, not ${url.protocol.replace(/:$/, '')}`;
  if (url.username !== '' || url.password !== '') return 'must not carry credentials (user:password@)';
  if (url.hash !== '') return 'must not have a fragment';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host) !== 0 && isForbiddenAddress(host)) return `points at ${host}, an address no subscriber may have (link-local, unspecified, multicast or reserved)`;
  return undefined;
}

/** True for an IP address fan-out must never connect to. */
export function isForbiddenAddress(address: string): boolean {
  // An IPv4 address written as IPv6 (::ffff:a.b.c.d) is checked as the IPv4 address it is.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return FORBIDDEN.check(mapped[1], 'ipv4');
  const family = net.isIP(address);
  if (family === 0) return true;
  return FORBIDDEN.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http(s).request that resolves as usual, then drops forbidden addresses,
 * failing with EADDRNOTALLOWED when none is left.
 */
export function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const allowed = addresses.filter((a) => !isForbiddenAddress(a.address));
    if (allowed.length === 0) {
      const refused = Object.assign(new Error(`${hostname} resolves only to addresses no subscriber may have`), { code: 'EADDRNOTALLOWED' });
      return callback(refused, []);
    }
    if (options.all) return callback(null, allowed);
    callback(null, allowed[0].address, allowed[0].family);
  });
}
