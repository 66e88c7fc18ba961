import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pushSet, rfc8935Error } from './push.js';

describe('RFC 8935 push', () => {
  let server: http.Server;
  let url: string;
  const seen: Array<{ type: string | undefined; accept: string | undefined; body: string }> = [];
  let answer: (res: http.ServerResponse) => void = (res) => res.writeHead(202).end();

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ type: req.headers['content-type'], accept: req.headers.accept, body });
        answer(res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('posts the token as application/secevent+jwt and takes 202 as delivered', async () => {
    answer = (res) => res.writeHead(202).end();
    expect(await pushSet(url, 'a.b.c', { timeoutMs: 1000 })).toEqual({ kind: 'delivered', status: 202 });
    expect(seen.at(-1)).toEqual({ type: 'application/secevent+jwt', accept: 'application/json', body: 'a.b.c' });
  });

  it.each([
    [200, 'HTTP 200, expected 202 (RFC 8935)'],
    [302, 'HTTP 302: redirects are not followed'],
    [503, 'HTTP 503'],
  ])('retries on %s', async (status, error) => {
    answer = (res) => res.writeHead(status, status === 302 ? { location: 'http://169.254.169.254/' } : {}).end();
    expect(await pushSet(url, 't', { timeoutMs: 1000 })).toEqual({ kind: 'retry', status, error });
  });

  it('keeps only a short, printable part of what a receiver says', async () => {
    answer = (res) => res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ err: 'invalid_request', description: `bad\n${'x'.repeat(1000)}` }));
    const outcome = await pushSet(url, 't', { timeoutMs: 1000 });
    expect(outcome.kind).toBe('permanent');
    expect((outcome as { error: string }).error).toMatch(/^HTTP 400 invalid_request: bad\?x+$/);
    expect((outcome as { error: string }).error.length).toBe(300);
  });

  it('gives up on a receiver that does not answer in time', async () => {
    answer = () => undefined;
    const started = Date.now();
    expect(await pushSet(url, 't', { timeoutMs: 150 })).toEqual({ kind: 'retry', error: 'no answer within 150 ms' });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('never connects to a forbidden address, literal or resolved', async () => {
    expect(await pushSet('http://169.254.169.254/latest', 't', { timeoutMs: 500 })).toMatchObject({ kind: 'permanent', error: 'address 169.254.169.254 is not allowed' });
    expect(await pushSet('http://[::ffff:169.254.169.254]/', 't', { timeoutMs: 500 })).toMatchObject({ kind: 'permanent' });
  });

  it('reports a refused connection as retryable', async () => {
    const refused = await pushSet('http://127.0.0.1:1/x', 't', { timeoutMs: 500 });
    expect(refused).toEqual({ kind: 'retry', error: 'connection refused (127.0.0.1:1)' });
  });

  it('recognises RFC 8935 error bodies only', () => {
    expect(rfc8935Error('{"err":"invalid_key","description":"d"}')).toEqual({ err: 'invalid_key', description: 'd' });
    expect(rfc8935Error('{"err":"authentication_failed"}')).toEqual({ err: 'authentication_failed', description: undefined });
    expect(rfc8935Error('{"error":"x"}')).toBeUndefined();
    expect(rfc8935Error('{"err":""}')).toBeUndefined();
    expect(rfc8935Error('<html>')).toBeUndefined();
    expect(rfc8935Error('null')).toBeUndefined();
  });
});
