import { ObjectValue, SetValue } from '../value/index.js';
import { formatIP, netBuiltins, parseCIDR, parseIP } from './net.js';
import { familyCaller } from './testkit.js';

const { call, errorOf } = familyCaller(netBuiltins);

describe('address parsing', () => {
  it('accepts what Go accepts', () => {
    expect(parseIP('192.168.0.1')?.value).toBe(0xc0a80001n);
    expect(parseIP('::1')?.value).toBe(1n);
    expect(parseIP('2001:db8::')?.value).toBe(0x20010db8n << 96n);
    expect(parseIP('::ffff:1.2.3.4')?.value).toBe(0xffff01020304n);
    expect(parseIP('1:2:3:4:5:6:7:8')?.bits).toBe(128);
  });

  it('refuses what Go refuses', () => {
    for (const bad of ['01.2.3.4', '1.2.3', '256.1.1.1', '1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', 'fe80::1%eth0', '']) {
      expect(parseIP(bad)).toBeUndefined();
    }
    expect(parseCIDR('10.0.0.0/33')).toBeUndefined();
    expect(parseCIDR('10.0.0.0')).toBeUndefined();
  });

  it('clears host bits and prints addresses canonically', () => {
    expect(parseCIDR('10.1.2.3/8')?.base).toBe(0x0a000000n);
    expect(formatIP({ bits: 128, value: 0x20010db8000000000000000000000001n })).toBe('2001:db8::1');
    expect(formatIP({ bits: 128, value: 0x20010db8000000010000000000000001n })).toBe('2001:db8:0:1::1');
    expect(formatIP({ bits: 128, value: 0n })).toBe('::');
    expect(formatIP({ bits: 128, value: 0xffff0a000001n })).toBe('10.0.0.1');
  });
});

describe('net.cidr_contains', () => {
  it('checks addresses and whole subnets', () => {
    expect(call('net.cidr_contains', '10.0.0.0/8', '10.255.0.1')).toBe(true);
    expect(call('net.cidr_contains', '10.0.0.0/8', '11.0.0.1')).toBe(false);
    expect(call('net.cidr_contains', '10.0.0.0/8', '10.1.0.0/16')).toBe(true);
    expect(call('net.cidr_contains', '10.0.0.0/16', '10.0.0.0/8')).toBe(false);
    expect(call('net.cidr_contains', '2001:db8::/32', '2001:db8:1::1')).toBe(true);
    expect(call('net.cidr_contains', '2001:db8::/32', '10.0.0.1')).toBe(false);
    expect(call('net.cidr_contains', '10.0.0.0/8', '::ffff:10.0.0.1')).toBe(true);
  });

  it('refuses invalid CIDRs and non-strings', () => {
    expect(errorOf('net.cidr_contains', '10.0.0.0', '10.0.0.1').kind).toBe('builtin');
    expect(errorOf('net.cidr_contains', '10.0.0.0/8', 'nope').kind).toBe('builtin');
    expect(errorOf('net.cidr_contains', 1, '10.0.0.1').kind).toBe('type');
  });
});

describe('net.cidr_intersects and net.cidr_is_valid', () => {
  it('tells overlapping networks apart', () => {
    expect(call('net.cidr_intersects', '192.168.0.0/16', '192.168.1.0/24')).toBe(true);
    expect(call('net.cidr_intersects', '192.168.1.0/24', '192.168.0.0/16')).toBe(true);
    expect(call('net.cidr_intersects', '192.168.0.0/24', '192.168.1.0/24')).toBe(false);
    expect(call('net.cidr_intersects', 'fd1e:5bfe:8af3:9ddc::/64', 'fd1e:5bfe:8af3:9ddc:1111::/72')).toBe(true);
  });

  it('validates CIDR text', () => {
    expect(call('net.cidr_is_valid', '10.0.0.0/8')).toBe(true);
    expect(call('net.cidr_is_valid', '::/0')).toBe(true);
    expect(call('net.cidr_is_valid', '10.0.0.0/40')).toBe(false);
    expect(call('net.cidr_is_valid', 'x')).toBe(false);
    expect(call('net.cidr_is_valid', 1)).toBe(false);
  });
});

describe('net.cidr_expand', () => {
  it('lists every address of small networks', () => {
    expect(call('net.cidr_expand', '192.168.0.1/30')).toEqual(SetValue.from(['192.168.0.0', '192.168.0.1', '192.168.0.2', '192.168.0.3']));
    expect(call('net.cidr_expand', '2001:db8::/127')).toEqual(SetValue.from(['2001:db8::', '2001:db8::1']));
  });

  it('refuses networks too large to list', () => {
    expect(errorOf('net.cidr_expand', '10.0.0.0/8').kind).toBe('builtin');
  });
});

describe('net.cidr_contains_matches', () => {
  it('pairs the keys of containing and contained entries', () => {
    const cidrs = ObjectValue.from([['office', '10.0.0.0/8'], ['lab', ['192.168.0.0/16', 'extra']]]);
    const addresses = ['10.1.2.3', '192.168.1.1', '8.8.8.8'];
    expect(call('net.cidr_contains_matches', cidrs, addresses)).toEqual(SetValue.from([['office', 0], ['lab', 1]]));
    expect(call('net.cidr_contains_matches', '10.0.0.0/8', SetValue.from(['10.0.0.1', '11.0.0.1']))).toEqual(SetValue.from([['10.0.0.0/8', '10.0.0.1']]));
  });

  it('refuses entries that are neither strings nor non-empty arrays', () => {
    expect(errorOf('net.cidr_contains_matches', [1], '10.0.0.1').kind).toBe('builtin');
    expect(errorOf('net.cidr_contains_matches', [[]], '10.0.0.1').kind).toBe('builtin');
  });
});
