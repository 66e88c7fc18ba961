/**
 * The v1 API: authentication first, then each group of routes.
 */
import { Router } from 'express';
import type { PolicyStore } from '../policy/policyStore.js';
import { describeErrors, schemas } from '../policy/schemaRegistry.js';
import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { Database } from '../store/database.js';
import type { Logger } from './logger.js';
import type { HttpMetrics } from './metrics.js';
import type { InputValidator } from '../trust/decide.js';
import type { DecisionLog } from '../trust/decisionLog.js';
import { authenticate } from './auth.js';
import { idempotency } from './idempotency.js';
import { decisionRoute, recipientsRoute } from './routes/decisions.js';
import { adminRoutes } from './routes/admin/index.js';
import { consoleRoutes } from './routes/admin/console.js';
import type { ConsoleSettings } from '../trust/admin/console/consoleDeps.js';
import { signalRoutes } from './routes/signals.js';
import { signalSourceRoutes } from './routes/admin/signalSources.js';
import { fanoutRoutes } from './routes/fanout.js';
import { orgRoutes } from './routes/orgs.js';
import type { SigningKeyStore } from '../queue/signingKeys.js';
import { enrollmentApi } from './routes/enrollment/index.js';
import type { EnrollmentSettings } from '../trust/enrollment/settings.js';

export const POLICY_INPUT_SCHEMA = 'https://schemas.enigm.dev/trust/policy-input.schema.json';

export interface ApiDeps {
  db: Database;
  policies: PolicyStore;
  /** Present in the service; route groups that need Redis (challenges, rate limits, queues) require it. */
  redis?: Redis;
  config?: Config;
  metrics?: HttpMetrics;
  logger?: Logger;
  /** Batched decision log; without one each decision is inserted before it returns. */
  decisionLog?: DecisionLog;
  /** The SET signing key (JWKS); built from `config` when absent. */
  signingKeys?: SigningKeyStore;
  /** Enrollment TTLs and rate limits other than the defaults (tests). */
  enrollment?: Partial<EnrollmentSettings>;
  /** Command console lifetimes other than the defaults (tests). */
  console?: Partial<ConsoleSettings>;
}

/** Validates each policy input the service builds, before the policy sees it. */
export function policyInputValidator(schemaId: string = POLICY_INPUT_SCHEMA): InputValidator {
  const validate = schemas().validator(schemaId);
  return (input) => (validate(input) ? undefined : describeErrors(validate.errors).join('; '));
}

export function apiRoutes(deps: ApiDeps): Router {
  const router = Router();
  const decisions = { db: deps.db, policy: () => deps.policies.current(), validateInput: policyInputValidator(), log: deps.decisionLog };
  // The decision route authenticates on its own (see decisionRoute); everything after uses this.
  router.use(decisionRoute(decisions));
  router.use(authenticate(deps.db));
  router.use(idempotency(deps.db, deps.logger));
  // Route groups, one line each.
  router.use(recipientsRoute(decisions));
  router.use(signalRoutes({ db: deps.db, redis: deps.redis, audience: deps.config?.rpOrigin }));
  router.use(signalSourceRoutes({ db: deps.db }));
  router.use(orgRoutes(deps.db));
  router.use(adminRoutes({ db: deps.db, config: deps.config }));
  router.use(consoleRoutes({ db: deps.db, redis: deps.redis, config: deps.config, settings: deps.console }));
  router.use(enrollmentApi(deps, deps.enrollment));
  router.use(fanoutRoutes({ db: deps.db, signingKeys: deps.signingKeys, config: deps.config }));
  return router;
}
