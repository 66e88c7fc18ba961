/**
 * A bare HTTP server with one route, GET /metrics, for processes that serve no API (the
 * standalone fan-out worker) but must still be watched.
 */
import http from 'node:http';
import type { Registry } from 'prom-client';
import { listening } from './httpServer.js';
import { problemOf } from './problem.js';

function sendProblem(res: http.ServerResponse, status: number, code: string, detail: string): void {
  res.writeHead(status, { 'content-type': 'application/problem+json' }).end(JSON.stringify(problemOf(status, code, detail)));
}

/** Serves `registry` on host:port; resolves once listening, rejects if the port cannot be bound. */
export function serveMetrics(registry: Registry, host: string, port: number): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') return sendProblem(res, 404, 'not_found', `no route for ${req.method} ${path}`);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return sendProblem(res, 405, 'method_not_allowed', 'GET /metrics only');
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(req.method === 'HEAD' ? undefined : text),
      () => sendProblem(res, 500, 'internal_error', 'metrics could not be collected'),
    );
  });
  return listening(server, host, port);
}
