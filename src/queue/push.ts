/**
 * One HTTP push of a SET (RFC 8935): POST with `Content-Type: application/secevent+jwt`.
 * `202` acknowledges; `400` with an RFC 8935 error body (`{"err": …, "description": …}`) is a
 * permanent refusal; anything else — other statuses, a timeout, a refused or reset connection —
 * may succeed later. Redirects are not followed, the answer is read up to a small limit, and
 * every connection goes through the SSRF address guard.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { guardedLookup, isForbiddenAddress } from './addressGuard.js';

export type PushOutcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'permanent'; status: number; error: string }
  | { kind: 'retry'; status?: number; error: string };

export interface PushOptions {
  /** Milliseconds the whole exchange may take. */
  timeoutMs: number;
  /** Keep-alive agents, shared by pushes to the same subscribers. */
  agents?: { http: http.Agent; https: https.Agent };
}

const MAX_ANSWER_BYTES = 4096;
const MAX_ERROR_TEXT = 300;

/** Keep-alive agents sized for `sockets` concurrent pushes per subscriber. */
export function pushAgents(sockets: number): { http: http.Agent; https: https.Agent } {
  return {
    http: new http.Agent({ keepAlive: true, maxSockets: sockets }),
    https: new https.Agent({ keepAlive: true, maxSockets: sockets }),
  };
}

// Subscriber text reaches operators through the status API: keep it short and printable.
function clean(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, MAX_ERROR_TEXT);
}

const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'name resolution failed',
  EADDRNOTALLOWED: 'address not allowed',
  ETIMEDOUT: 'connection timed out',
};

/** A connection failure in words (never "ECONNREFUSED": BullMQ reads that as its own Redis failing). */
function networkError(err: NodeJS.ErrnoException): string {
  const words = err.code ? NETWORK_ERRORS[err.code] : undefined;
  const detail = err.message.replace(/^(connect |getaddrinfo |read |write )?[A-Z_]{5,}\s*/, '');
  return words ? `${words}${detail ? ` (${detail})` : ''}` : `connection failed: ${err.message.replace(/ECONNREFUSED/g, 'connection refused')}`;
}

/** The RFC 8935 §2.3 error, or undefined when the body is not one. */
export function rfc8935Error(body: string): { err: string; description?: string } | undefined {
  try {
    const parsed = JSON.parse(body) as { err?: unknown; description?: unknown };
    if (typeof parsed?.err !== 'string' || parsed.err === '') return undefined;
    return { err: parsed.err, description: typeof parsed.description === 'string' ? parsed.description : undefined };
  } catch {
    return undefined;
  }
}

function classify(status: number, body: string): PushOutcome {
  if (status === 202) return { kind: 'delivered', status };
  if (status === 400) {
    const e = rfc8935Error(body);
    if (e) return { kind: 'permanent', status, error: clean(`HTTP 400 ${e.err}${e.description ? `: ${e.description}` : ''}`) };
    return { kind: 'retry', status, error: 'HTTP 400 without an RFC 8935 error body' };
  }
  if (status >= 200 && status < 300) return { kind: 'retry', status, error: `HTTP ${status}, expected 202 (RFC 8935)` };
  if (status >= 300 && status < 400) return { kind: 'retry', status, error: `HTTP ${status}: redirects are not followed` };
  return { kind: 'retry', status, error: `HTTP ${status}` };
}

/** POSTs `token` to `url`; never throws, every failure is an outcome. */
export function pushSet(url: string, token: string, opts: PushOptions): Promise<PushOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    // The deadline covers the whole exchange; it starts before the request exists.
    const inFlight: { req?: http.ClientRequest } = {};
    const timer = setTimeout(() => {
      finish({ kind: 'retry', error: `no answer within ${opts.timeoutMs} ms` });
      inFlight.req?.destroy();
    }, opts.timeoutMs);
    const finish = (o: PushOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(o);
    };
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return finish({ kind: 'permanent', status: 0, error: 'the subscriber URL is not valid' });
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') return finish({ kind: 'permanent', status: 0, error: `protocol ${target.protocol} is not allowed` });
    const host = target.hostname.replace(/^\[|\]$/g, '');
    // A literal address is not resolved, so the lookup guard would not see it.
    if (net.isIP(host) !== 0 && isForbiddenAddress(host)) return finish({ kind: 'permanent', status: 0, error: `address ${host} is not allowed` });
    const secure = target.protocol === 'https:';
    const body = Buffer.from(token, 'utf8');
    const req = (secure ? https : http).request(target, {
      method: 'POST',
      agent: secure ? opts.agents?.https : opts.agents?.http,
      lookup: guardedLookup as unknown as net.LookupFunction,
      headers: { 'content-type': 'application/secevent+jwt', accept: 'application/json', 'content-length': body.length },
    }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size < MAX_ANSWER_BYTES) chunks.push(c);
        size += c.length;
      });
      res.on('end', () => finish(classify(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8').slice(0, MAX_ANSWER_BYTES))));
      res.on('error', (err) => finish({ kind: 'retry', status: res.statusCode, error: clean(`answer cut: ${err.message}`) }));
    });
    inFlight.req = req;
    req.on('error', (err: NodeJS.ErrnoException) => finish({ kind: 'retry', error: clean(networkError(err)) }));
    req.end(body);
  });
}
