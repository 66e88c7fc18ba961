/**
 * SSRF care for subscriber URLs. Subscribers are the service's own dependants (messaging,
 * calls, sync), often on private networks or a sidecar on loopback, so loopback, the private
 * IPv4 ranges and IPv6 unique-local addresses stay reachable. Every other special-purpose range
 * of IANA's IPv4 and IPv6 registries — cloud metadata and other link-local addresses, the
 * carrier-grade NAT range (where one cloud serves its metadata), documentation, benchmarking,
 * protocol assignments, multicast, reserved — is refused. An IPv6 address that embeds an IPv4
 * one (mapped, compatible, translated, NAT64, 6to4, Teredo) is judged by that IPv4 address.
 * Checked when the URL is registered and on every connection, after DNS resolution, so a name
 * that later resolves elsewhere is caught too.
 */
import dns from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import net from 'node:net';
import ipaddr from 'ipaddr.js';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];
const ranges = (cidrs: readonly string[]): Range[] => cidrs.map((c) => ipaddr.parseCIDR(c));

/** Special-purpose IPv4 ranges a subscriber may be in: loopback and private use (RFC 1918). */
const IPV4_ALLOWED = ranges(['127.0.0.0/8', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']);

/** IANA IPv4 Special-Purpose Address Registry (and the multicast and reserved space), less the allowed ones. */
const IPV4_FORBIDDEN = ranges([
  '0.0.0.0/8', // "this network"
  '100.64.0.0/10', // shared address space (carrier-grade NAT); Alibaba Cloud metadata at 100.100.100.200
  '169.254.0.0/16', // link-local; cloud metadata at 169.254.169.254
  '192.0.0.0/24', // IETF protocol assignments (DS-Lite, NAT64 discovery, …)
  '192.0.2.0/24', // documentation (TEST-NET-1)
  '192.31.196.0/24', // AS112
  '192.52.193.0/24', // AMT
  '192.88.99.0/24', // deprecated 6to4 relay anycast
  '192.175.48.0/24', // AS112 direct delegation
  '198.18.0.0/15', // benchmarking
  '198.51.100.0/24', // documentation (TEST-NET-2)
  '203.0.113.0/24', // documentation (TEST-NET-3)
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, and the limited broadcast address
]);

/** Special-purpose IPv6 ranges a subscriber may be in: loopback and unique-local (but see IPV6_METADATA). */
const IPV6_ALLOWED = ranges(['::1/128', 'fc00::/7']);
/** Instance metadata served inside an allowed range. */
const IPV6_METADATA = ranges(['fd00:ec2::254/128']); // AWS, over IPv6

/** IANA IPv6 Special-Purpose Address Registry (and multicast, site-local), less the allowed ones and the embedding forms. */
const IPV6_FORBIDDEN = ranges([
  '::/128', // unspecified
  '64:ff9b:1::/48', // local-use IPv4/IPv6 translation
  '100::/64', // discard-only
  '100:0:0:1::/64', // dummy prefix
  '2001::/23', // IETF protocol assignments (Teredo is judged by its client address first)
  '2001:db8::/32', // documentation
  '2620:4f:8000::/48', // AS112 direct delegation
  '3fff::/20', // documentation
  '5f00::/16', // segment routing SIDs
  'fe80::/10', // link-local
  'fec0::/10', // site-local (deprecated)
  'ff00::/8', // multicast
]);

const inAny = (address: ipaddr.IPv4 | ipaddr.IPv6, list: Range[]): boolean =>
  list.some(([net, bits]) => net.kind() === address.kind() && address.match(net, bits));

function ipv4At(bytes: number[], offset: number, invert = false): ipaddr.IPv4 {
  const b = bytes.slice(offset, offset + 4).map((x) => (invert ? x ^ 0xff : x));
  return new ipaddr.IPv4(b);
}

/** The IPv4 addresses an IPv6 address carries and would reach, or undefined when it embeds none. */
export function embeddedIpv4(address: ipaddr.IPv6): ipaddr.IPv4[] | undefined {
  const bytes = address.toByteArray();
  const zero = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);
  if (zero(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return [ipv4At(bytes, 12)]; // ::ffff:a.b.c.d, mapped
  if (zero(0, 8) && bytes[8] === 0xff && bytes[9] === 0xff && zero(10, 12)) return [ipv4At(bytes, 12)]; // ::ffff:0:a.b.c.d, translated (SIIT)
  if (zero(0, 12) && !(zero(12, 15) && bytes[15] <= 1)) return [ipv4At(bytes, 12)]; // ::a.b.c.d, compatible (not :: or ::1)
  if (address.match(ipaddr.parseCIDR('64:ff9b::/96') as [ipaddr.IPv6, number])) return [ipv4At(bytes, 12)]; // NAT64 well-known prefix
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return [ipv4At(bytes, 2)]; // 6to4
  if (address.match(ipaddr.parseCIDR('2001::/32') as [ipaddr.IPv6, number])) return [ipv4At(bytes, 12, true), ipv4At(bytes, 4)]; // Teredo: client (inverted), server
  return undefined;
}

function forbiddenIpv4(address: ipaddr.IPv4): boolean {
  if (inAny(address, IPV4_ALLOWED)) return false;
  return inAny(address, IPV4_FORBIDDEN);
}

function forbiddenIpv6(address: ipaddr.IPv6): boolean {
  const embedded = embeddedIpv4(address);
  if (embedded) return embedded.some(forbiddenIpv4);
  if (inAny(address, IPV6_METADATA)) return true;
  if (inAny(address, IPV6_ALLOWED)) return false;
  return inAny(address, IPV6_FORBIDDEN);
}

/** True for an IP address fan-out must never connect to (anything that is not an IP address included). */
export function isForbiddenAddress(address: string): boolean {
  // Only the forms a URL host or a DNS answer take: dotted-quad IPv4 or IPv6 (with a zone, maybe).
  if (net.isIP(address.replace(/%[^%]*$/, '')) === 0) return true;
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return true;
  }
  return parsed.kind() === 'ipv4' ? forbiddenIpv4(parsed as ipaddr.IPv4) : forbiddenIpv6(parsed as ipaddr.IPv6);
}

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
  // The URL parser has already normalised hosts such as 0x7f.1 or 2852039166 to dotted quads.
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host) !== 0 && isForbiddenAddress(host)) return `points at ${host}, an address no subscriber may have (a special-purpose range: link-local, shared, documentation, reserved, multicast, …)`;
  return undefined;
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
