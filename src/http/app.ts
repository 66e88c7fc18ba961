/**
 * The Express application: request context, JSON bodies, routes, problem+json errors.
 */
import express, { type Express } from 'express';
import type { Redis } from 'ioredis';
import type { Database } from '../store/database.js';
import { errorHandler, notFound } from './errors.js';
import type { Logger } from './logger.js';
import type { HttpMetrics } from './metrics.js';
import { auditUnrecordedRefusals, watchRequestAudit } from './refusalAudit.js';
import { requestContext } from './requestContext.js';
import { checkRequestBody, checkRequestTarget, refuseDeepJson } from './requestInput.js';
import { healthRoutes } from './routes/health.js';
import { commandRoutes } from './web/commandRouter.js';
import { webRoutes } from './web/router.js';

export interface AppDeps {
  db: Database;
  redis: Redis;
  logger: Logger;
  metrics: HttpMetrics;
  /** Largest JSON body accepted, in bytes. */
  bodyLimit?: number;
  /** Mounts further routes (the API) before the error handlers. */
  mount?: (app: Express) => void;
}

export const DEFAULT_BODY_LIMIT = 64 * 1024;

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // API answers are not cacheable documents; the page sets its own ETags.
  app.set('etag', false);
  app.set('trust proxy', false);
  app.use(requestContext(app, deps.logger, deps.metrics));
  // Input is decoded and checked once, here, before any route.
  app.use(checkRequestTarget());
  app.use(express.json({ limit: deps.bodyLimit ?? DEFAULT_BODY_LIMIT, type: ['application/json', 'application/*+json'], strict: true, verify: refuseDeepJson() }));
  app.use(checkRequestBody());
  app.use(watchRequestAudit());
  app.use(healthRoutes(deps.db, deps.redis, deps.metrics, deps.logger));
  app.use(webRoutes());
  app.use(commandRoutes());
  deps.mount?.(app);
  app.use(notFound);
  app.use(auditUnrecordedRefusals(deps.db));
  app.use(errorHandler);
  return app;
}
