/**
 * A `redis-server` of the test's own on a free port, without persistence, that the test may
 * flush, kill and start again (never the machine's shared Redis).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './ownPostgres.js';

export interface OwnRedis {
  url: string;
  /** FLUSHALL: every key gone at once, the server still up. */
  flush(): Promise<void>;
  /** Kills the server (SIGKILL); what it held is lost. */
  kill(): Promise<void>;
  /** Starts an empty server on the same port. */
  start(): Promise<void>;
  destroy(): Promise<void>;
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const start = () => new Promise<void>((resolve, reject) => {
    const c = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    let out = '';
    c.stdout?.on('data', (d) => {
      out += d;
      if (out.includes('Ready to accept connections')) resolve();
    });
    c.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${out}`)));
  });
  const kill = () => new Promise<void>((resolve) => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return resolve();
    c.removeAllListeners('exit');
    c.once('exit', () => resolve());
    c.kill('SIGKILL');
  });
  await start();
  return {
    url,
    async flush() {
      const r = new Redis(url, { lazyConnect: true });
      await r.connect();
      await r.flushall();
      await r.quit();
    },
    kill,
    start,
    destroy: kill,
  };
}
