/**
 * Digest and HMAC builtins over the UTF-8 bytes of their string arguments, returning
 * lowercase hex as OPA does.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ensureString } from './args.js';
import type { Builtin } from './types.js';

function digest(name: string, algorithm: string): Builtin {
  return {
    name,
    arity: 1,
    fn: (args) => createHash(algorithm).update(ensureString(args, 0, name), 'utf8').digest('hex'),
  };
}

function hmac(name: string, algorithm: string): Builtin {
  return {
    name,
    arity: 2,
    fn: (args) => {
      const message = ensureString(args, 0, name), key = ensureString(args, 1, name);
      return createHmac(algorithm, Buffer.from(key, 'utf8')).update(message, 'utf8').digest('hex');
    },
  };
}

/** Compares two MACs in time independent of where they differ (lengths may leak, as in Go). */
export function macsEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8'), y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The crypto digest and HMAC builtins. */
export const cryptoBuiltins: Builtin[] = [
  digest('crypto.md5', 'md5'),
  digest('crypto.sha1', 'sha1'),
  digest('crypto.sha256', 'sha256'),
  digest('crypto.sha512', 'sha512'),
  hmac('crypto.hmac.md5', 'md5'),
  hmac('crypto.hmac.sha1', 'sha1'),
  hmac('crypto.hmac.sha256', 'sha256'),
  hmac('crypto.hmac.sha512', 'sha512'),
  {
    name: 'crypto.hmac.equal',
    arity: 2,
    fn: (args) => macsEqual(ensureString(args, 0, 'crypto.hmac.equal'), ensureString(args, 1, 'crypto.hmac.equal')),
  },
];
