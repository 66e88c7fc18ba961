/**
 * A TCP proxy in front of a real service that a test can take down and bring back on the same
 * port, to show what clients do while the service is unreachable.
 */
import net from 'node:net';

export interface TcpProxy {
  url: string;
  /** Closes the listener and cuts every open connection. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number, scheme = 'redis'): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;
  const listen = () => new Promise<void>((resolve, reject) => {
    const s = net.createServer((client) => {
      const upstream = net.connect(targetPort, targetHost);
      for (const sock of [client, upstream]) {
        sockets.add(sock);
        sock.on('close', () => sockets.delete(sock));
        sock.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => {
      port = (s.address() as net.AddressInfo).port;
      server = s;
      resolve();
    });
  });
  const down = () => new Promise<void>((resolve) => {
    const s = server;
    server = undefined;
    for (const sock of sockets) sock.destroy();
    if (!s) return resolve();
    s.close(() => resolve());
  });
  await listen();
  return { url: `${scheme}://127.0.0.1:${port}`, down, up: listen, close: down };
}
