import dns from 'node:dns';
import { guardedLookup } from './addressGuard.js';
import { pushSet } from './push.js';

const realLookup = dns.lookup;

/** DNS answering `addresses` for every name, as a rebinding resolver would. */
function answering(addresses: Array<{ address: string; family: number }>): void {
  dns.lookup = ((_host: string, _opts: unknown, cb: (e: null, a: typeof addresses) => void) => cb(null, addresses)) as unknown as typeof dns.lookup;
}

const lookup = (host: string) => new Promise<{ err: NodeJS.ErrnoException | null; addresses: unknown }>((resolve) => {
  guardedLookup(host, { all: true }, (err, addresses) => resolve({ err, addresses }));
});

describe('the address guard at connection time', () => {
  afterEach(() => { dns.lookup = realLookup; });

  it('refuses a name whose DNS answers are only special-purpose or embed a forbidden IPv4 address', async () => {
    answering([{ address: '100.100.100.200', family: 4 }, { address: '64:ff9b::a9fe:a9fe', family: 6 }, { address: '2002:a9fe:a9fe::1', family: 6 }]);
    const r = await lookup('rebind.example');
    expect(r.err?.code).toBe('EADDRNOTALLOWED');
  });

  it('keeps only the allowed answers of a mixed one', async () => {
    answering([{ address: '::ffff:169.254.169.254', family: 6 }, { address: '10.0.0.7', family: 4 }]);
    expect(await lookup('mixed.example')).toEqual({ err: null, addresses: [{ address: '10.0.0.7', family: 4 }] });
  });

  it('never connects to a literal address that embeds a forbidden IPv4 one', async () => {
    for (const url of ['http://[64:ff9b::a9fe:a9fe]/set', 'http://[::ffff:100.100.100.200]/set', 'http://100.64.1.1/set']) {
      const outcome = await pushSet(url, 'token', { timeoutMs: 2000 });
      expect(outcome).toMatchObject({ kind: 'permanent', error: expect.stringMatching(/is not allowed/) });
    }
  });
});
