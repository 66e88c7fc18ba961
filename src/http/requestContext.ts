/**
 * Per-request id, access log and duration metric. The id comes from a well-formed
 * `X-Request-Id` header or is generated, and is echoed back. The access log names who asked
 * (key or device, never a token), so reads that leave no audit record — an administrator
 * browsing inventory or audit — are still on record.
 */
import { randomUUID } from 'node:crypto';
import type { Express, NextFunction, Request, Response } from 'express';
import { auditActorOf } from './auth.js';
import type { Logger } from './logger.js';
import type { HttpMetrics } from './metrics.js';

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
    log: Logger;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Gives every request of `app` a `log` bound to its request id. The child logger is made on
 * first use: most requests of a quiet log level never need one, and making one costs more
 * than answering a decision's policy.
 */
function installRequestLog(app: Express, logger: Logger): void {
  Object.defineProperty(app.request, 'log', {
    configurable: true,
    get(this: Request): Logger {
      // A silent logger writes nothing, so the binding would never show.
      if (!logger.isLevelEnabled('fatal')) return logger;
      const log = logger.child({ reqId: this.id });
      Object.defineProperty(this, 'log', { value: log, configurable: true });
      return log;
    },
  });
}

export function requestContext(app: Express, logger: Logger, metrics: HttpMetrics) {
  installRequestLog(app, logger);
  return (req: Request, res: Response, next: NextFunction): void => {
    const given = req.get('x-request-id');
    req.id = given && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', req.id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // The matched route pattern, never the raw path: ids in paths would explode label cardinality.
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      metrics.requestDuration.observe({ method: req.method, route, status: String(res.statusCode) }, seconds);
      if (logger.isLevelEnabled('info')) req.log.info({ method: req.method, route, status: res.statusCode, ms: Math.round(seconds * 1e4) / 10, actor: auditActorOf(req) }, 'request');
    });
    next();
  };
}
