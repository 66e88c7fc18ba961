/**
 * Fan-out test plumbing: tiny RFC 8935 receivers on 127.0.0.1, fan-out settings with short
 * delays, polling, removal of a test's BullMQ keys, and the worker as a process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { Redis } from 'ioredis';
import type { FanoutSettings } from '../../src/queue/fanout.js';
import { POSTGRES_URL, REDIS_URL } from './env.js';
import { TEST_ID_SECRET } from './seed.js';

/** One push a receiver got. */
export interface ReceivedSet {
  token: string;
  contentType: string | undefined;
  header: Record<string, unknown>;
  claims: Record<string, unknown> & { jti: string; txn: string; sub_id: { format: string; id: string }; events: Record<string, Record<string, unknown>> };
  at: number;
}

/**
 * What a receiver answers to its n-th push (0-based): a status, a status and body (optionally
 * after `delayMs`, as a slow subscriber would), or `hang` (never answer).
 */
export type ReceiverAnswer = number | { status: number; body?: string; delayMs?: number } | 'hang';

export interface Receiver {
  url: string;
  received: ReceivedSet[];
  /** Distinct jtis received. */
  jtis(): Set<string>;
  close(): Promise<void>;
}

/** A receiver on 127.0.0.1; `answer` may take its time (return a promise) before the answer is sent. */
export async function startReceiver(answer: (n: number, set: ReceivedSet) => ReceiverAnswer | Promise<ReceiverAnswer> = () => 202): Promise<Receiver> {
  const received: ReceivedSet[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const set: ReceivedSet = {
        token: body,
        contentType: req.headers['content-type'],
        header: decodeProtectedHeader(body) as Record<string, unknown>,
        claims: decodeJwt(body) as ReceivedSet['claims'],
        at: Date.now(),
      };
      const answered = answer(received.length, set);
      received.push(set);
      void Promise.resolve(answered).then(async (a) => {
        if (a === 'hang') return; // the connection stays open until the sender gives up
        const { status, body: text, delayMs } = typeof a === 'number' ? { status: a, body: '', delayMs: 0 } : a;
        if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
        if (!res.destroyed) res.writeHead(status, text ? { 'content-type': 'application/json' } : {}).end(text);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/secevents`,
    received,
    jtis: () => new Set(received.map((r) => r.claims.jti)),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Fan-out settings with delays short enough for tests. */
export function testSettings(prefix: string, overrides: Partial<FanoutSettings> = {}): FanoutSettings {
  return {
    prefix,
    attempts: 4,
    backoffMs: 20,
    backoffMaxMs: 100,
    timeoutMs: 500,
    concurrency: 4,
    lockMs: 5000, // long enough that a loaded machine never makes a live job look stalled
    pollMs: 20,
    reconcileMs: 1000,
    issuer: 'https://trust.test.enigm.dev',
    ...overrides,
  };
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Deletes every Redis key under a test's BullMQ prefix. */
export async function removeQueues(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true });
  await redis.connect();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
  await redis.quit();
}

/** The built command line (`make test` builds it before the tests run). */
export const CLI = path.resolve('dist/cli/main.js');

/**
 * `enigm-trust worker` on `schema` and queue `prefix`, with `env` added; resolves with the process,
 * the first line of its output that `ready` accepts, and all its output so far (read at any time),
 * and rejects if it exits first.
 */
export function startWorkerProcess(opts: { schema: string; prefix: string; dataDir: string; env?: Record<string, string> }, ready: (line: string) => boolean): Promise<{ child: ChildProcess; line: string; output: () => string }> {
  if (!existsSync(CLI)) throw new Error('dist/ is missing: run `npm run build` (make test does) before these tests');
  const databaseUrl = new URL(POSTGRES_URL);
  databaseUrl.searchParams.set('options', `-c search_path="${opts.schema}",public`);
  const child = spawn('node', [CLI, 'worker'], {
    env: {
      ...process.env, DATABASE_URL: databaseUrl.toString(), REDIS_URL, DATA_DIR: opts.dataDir, ID_SECRET: TEST_ID_SECRET, LOG_LEVEL: 'info',
      FANOUT_PREFIX: opts.prefix, SET_ISSUER: 'https://trust.test.enigm.dev', ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (c) => {
      out += c;
      const line = out.split('\n').find(ready);
      if (line !== undefined) resolve({ child, line, output: () => out });
    });
    child.stderr?.on('data', (c) => (out += c));
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${out}`)));
  });
}
