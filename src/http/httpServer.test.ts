/**
 * The service's HTTP server: requests arrive already carrying the app's prototypes (so
 * Express has nothing to re-prototype), and Express behaves exactly as it does on its own.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { createHttpServer, listenHttp } from './httpServer.js';

function exampleApp(): Express {
  const app = express();
  app.use(express.json());
  app.post('/echo/:name', (req, res) => {
    res.set('x-seen', String(req.get('x-ask'))).status(201).json({ name: req.params.name, path: req.path, query: req.query, body: req.body as unknown, ip: req.ip, sameApp: req.app === app });
  });
  app.get('/fails', async () => {
    await Promise.resolve();
    throw new Error('broken on purpose');
  });
  app.use((err: Error, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).json({ error: err.message });
  });
  return app;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function serve(app: Express): Promise<{ server: Server; url: string }> {
  const server = await listenHttp(app, '127.0.0.1', 0);
  servers.push(server);
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('createHttpServer', () => {
  it('builds each request and response with the app\'s own prototypes before Express sees them', async () => {
    const app = exampleApp();
    const { server, url } = await serve(app);
    const seen: Array<[object | null, object | null]> = [];
    server.prependListener('request', (req: IncomingMessage, res) => { seen.push([Object.getPrototypeOf(req) as object, Object.getPrototypeOf(res) as object]); });
    await fetch(`${url}/echo/a`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    await fetch(`${url}/fails`);
    expect(seen).toEqual([[app.request, app.response], [app.request, app.response]]);
  });

  it('leaves Express\'s behaviour as it was: params, query, JSON bodies, headers, status, req.app and async errors', async () => {
    const app = exampleApp();
    const { url } = await serve(app);
    const res = await fetch(`${url}/echo/dev%201?x=1&y=two`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-ask': 'please' }, body: '{"n":3}' });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-seen')).toBe('please');
    expect(await res.json()).toEqual({ name: 'dev 1', path: '/echo/dev%201', query: { x: '1', y: 'two' }, body: { n: 3 }, ip: '127.0.0.1', sameApp: true });
    const failed = await fetch(`${url}/fails`);
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ error: 'broken on purpose' });
  });

  it('serves one app from two servers with the same prototypes', async () => {
    const app = exampleApp();
    const first = await serve(app);
    const request = app.request;
    const second = createHttpServer(app);
    servers.push(second);
    await new Promise<void>((resolve) => second.listen(0, '127.0.0.1', resolve));
    expect(app.request).toBe(request);
    for (const url of [first.url, `http://127.0.0.1:${(second.address() as AddressInfo).port}`]) {
      const res = await fetch(`${url}/echo/b`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"k":true}' });
      expect(await res.json()).toMatchObject({ name: 'b', body: { k: true } });
    }
  });
});

describe('listenHttp', () => {
  it('rejects with the socket error when the port is already taken', async () => {
    const { server } = await serve(exampleApp());
    const { port } = server.address() as AddressInfo;
    await expect(listenHttp(exampleApp(), '127.0.0.1', port)).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
