import type { Value } from '../value/index.js';
import { cryptoBuiltins, macsEqual } from './crypto.js';
import { familyCaller } from './testkit.js';
import { BuiltinError } from './types.js';

const { call } = familyCaller(cryptoBuiltins);

// Reference digests computed with coreutils and openssl (RFC 4231 / RFC 2202 test key "Jefe").
describe('digests', () => {
  it('hash the UTF-8 bytes of a string to lowercase hex', () => {
    expect(call('crypto.md5', 'abc')).toBe('900150983cd24fb0d6963f7d28e17f72');
    expect(call('crypto.sha1', 'abc')).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(call('crypto.sha256', 'abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(call('crypto.sha512', 'abc')).toBe(
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    );
    expect(call('crypto.sha256', 'é')).toBe('4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c');
  });
});

describe('HMACs', () => {
  const message = 'what do ya want for nothing?';
  it('authenticate a message with a key', () => {
    expect(call('crypto.hmac.md5', message, 'Jefe')).toBe('750c783e6ab0b503eaa86e310a5db738');
    expect(call('crypto.hmac.sha1', message, 'Jefe')).toBe('effcdf6ae5eb2fa2d27416d5f184df9c259a7c79');
    expect(call('crypto.hmac.sha256', message, 'Jefe')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
    expect(call('crypto.hmac.sha512', message, 'Jefe')).toBe(
      '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737',
    );
  });

  it('compares MACs, different lengths included', () => {
    expect(call('crypto.hmac.equal', 'abc', 'abc')).toBe(true);
    expect(call('crypto.hmac.equal', 'abc', 'abd')).toBe(false);
    expect(call('crypto.hmac.equal', 'abc', 'abcd')).toBe(false);
    expect(macsEqual('', '')).toBe(true);
  });

  it('refuse non-string arguments', () => {
    const cases: Array<[string, Value[]]> = [['crypto.sha256', [1]], ['crypto.hmac.sha256', ['m', null]], ['crypto.hmac.equal', [[], 'x']]];
    for (const [name, args] of cases) {
      let error: unknown;
      try {
        call(name, ...args);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(BuiltinError);
      expect((error as BuiltinError).kind).toBe('type');
    }
  });
});
