/**
 * The service process: open the database, migrate, connect Redis, serve HTTP, and shut
 * down gracefully — stop accepting, let in-flight requests finish, close the pools.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Redis } from 'ioredis';
import { openRedis, whenRedisReady } from '../queue/redis.js';
import { startFanout, type FanoutRuntime } from '../queue/fanout.js';
import { createSigningKeyStore, type SigningKeyStore } from '../queue/signingKeys.js';
import type { Database } from '../store/database.js';
import { DatabaseUnavailableError } from '../store/databaseUnavailable.js';
import { migrate } from '../store/migrate.js';
import { openWatchedDatabase } from '../store/openWatchedDatabase.js';
import { ConfigError, type Config } from '../config.js';
import { PolicyBundleError } from '../policy/bundleError.js';
import { openPolicyStore, type PolicyStore } from '../policy/policyStore.js';
import { readVerificationKey, type VerificationKey } from '../policy/verifyBundleSignature.js';
import { apiRoutes } from './api.js';
import { createDecisionLog, type DecisionLog } from '../trust/decisionLog.js';
import { startEnrollmentExpiry, type EnrollmentExpiry } from '../trust/enrollment/expireEnrollments.js';
import { createApp } from './app.js';
import { listenHttp } from './httpServer.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics } from './metrics.js';

export interface ServiceOptions {
  logger?: Logger;
  /** Extra routes (tests use this to hold a request open). */
  mount?: (app: Express) => void;
  /** Milliseconds in-flight requests get after a shutdown starts before they are cut. */
  shutdownGraceMs?: number;
  /** Milliseconds between sweeps that close enrollments past their time (default a minute). */
  enrollmentSweepMs?: number;
}

export interface RunningService {
  url: string;
  server: Server;
  db: Database;
  redis: Redis;
  logger: Logger;
  policies: PolicyStore;
  /** Stops accepting, waits for in-flight requests (up to the grace period), closes pools. Idempotent. */
  shutdown(reason?: string): Promise<void>;
}

function verificationKey(config: Config): VerificationKey | undefined {
  try {
    return readVerificationKey(config.policyBundlePublicKey);
  } catch (e) {
    if (e instanceof PolicyBundleError) throw new ConfigError('POLICY_BUNDLE_PUBLIC_KEY', e.message);
    throw e;
  }
}

export async function startService(config: Config, opts: ServiceOptions = {}): Promise<RunningService> {
  const logger = opts.logger ?? createLogger(config.logLevel);
  // Load the policy bundle before anything else: a bad one must not start serving.
  const policies = await openPolicyStore(config.policyBundle, { verificationKey: verificationKey(config) });
  const bundle = policies.current();
  logger.info({ revision: bundle.revision, bundle: bundle.file, verified: bundle.verified, abi: bundle.abi }, 'policy bundle loaded');
  if (!bundle.verified) logger.warn('the policy bundle\'s signature is not checked: set POLICY_BUNDLE_PUBLIC_KEY (production requires it)');
  const db = await openWatchedDatabase(config, logger);
  let redis: Redis | undefined;
  let fanout: FanoutRuntime | undefined;
  let expiry: EnrollmentExpiry | undefined;
  try {
    const applied = await migrate(db);
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    redis = openRedis(config.redisUrl);
    // Serve even without Redis (decisions and revocations do not need it), but say so.
    await whenRedisReady(redis, 2000).catch((err: Error) => logger.warn({ redis: err.message }, 'Redis is not reachable yet; still trying'));
    const metrics = createMetrics();
    // The SET key is loaded (or generated) before serving: a bad SET_SIGNING_KEY stops start-up.
    let signingKeys: SigningKeyStore | undefined;
    if (config.idSecret !== undefined) {
      signingKeys = createSigningKeyStore({ db, idSecret: config.idSecret, configuredJwk: config.fanout.signingKey });
      await signingKeys.current();
      if (config.fanout.inProcess) fanout = await startFanout({ db, redisUrl: config.redisUrl, settings: config.fanout, signingKeys, logger, registry: metrics.registry });
    }
    // While the database is away its outage is logged once; these say only what it cost.
    const decisionLog = createDecisionLog(db, {
      onError: (err, rows) => (err instanceof DatabaseUnavailableError ? logger.warn({ rows, database: err.message }, 'decision log rows not written') : logger.error({ err, rows }, 'decision log rows not written')),
    });
    expiry = startEnrollmentExpiry(db, {
      intervalMs: opts.enrollmentSweepMs ?? 60_000,
      onError: (err) => { if (!(err instanceof DatabaseUnavailableError)) logger.warn({ err }, 'expired enrollments not swept'); },
    });
    const app = createApp({
      db, redis, logger, metrics,
      mount: (a) => {
        opts.mount?.(a);
        a.use(apiRoutes({ db, policies, redis: redis as Redis, config, metrics, logger, decisionLog, signingKeys }));
      },
    });
    const server = await listenHttp(app, config.host, config.port);
    const { port } = server.address() as AddressInfo;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    // Passkeys work only on a page whose host is RP_ID: say where to open it, not just where the socket listens.
    const page = new URL(config.rpOrigin);
    if (page.port === '0') page.port = String(port);
    const pageUrl = page.origin;
    logger.info({ url, page: pageUrl, rpId: config.rpId, database: db.kind },
      `serving: open the device page at ${pageUrl} (passkeys work only where the page's host is RP_ID "${config.rpId}"${pageUrl === url ? '' : `, so not at ${url}`})`);
    let stopping: Promise<void> | undefined;
    const shutdown = (reason = 'shutdown'): Promise<void> => (stopping ??= stop(server, db, redis as Redis, logger, reason, opts.shutdownGraceMs ?? 10_000, { decisionLog, expiry, fanout }));
    return { url, server, db, redis, logger, policies, shutdown };
  } catch (err) {
    await expiry?.stop();
    await fanout?.close();
    redis?.disconnect();
    await db.close();
    throw err;
  }
}

/** What runs beside the HTTP server and must stop before the pools close. */
interface Background {
  decisionLog: DecisionLog;
  expiry?: EnrollmentExpiry;
  fanout?: FanoutRuntime;
}

async function stop(server: Server, db: Database, redis: Redis, logger: Logger, reason: string, graceMs: number, background: Background): Promise<void> {
  logger.info({ reason }, 'shutting down: no new connections, finishing in-flight requests');
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const cut = setTimeout(() => {
    logger.warn({ graceMs }, 'grace period over: closing remaining connections');
    server.closeAllConnections();
  }, graceMs);
  // Keep-alive connections that go idle after their last response must close too.
  const idle = setInterval(() => server.closeIdleConnections(), 100);
  await closed;
  clearTimeout(cut);
  clearInterval(idle);
  await background.decisionLog.close();
  await background.expiry?.stop();
  // In-progress deliveries finish (each is bounded by its timeout); the rest stay queued.
  await background.fanout?.close();
  await redis.quit().catch(() => redis.disconnect());
  await db.close();
  logger.info('stopped');
}
