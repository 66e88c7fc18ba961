/**
 * Accounts, enrollment, approval, sessions, replacement and revocation (DESIGN §4), as one
 * route group. Without Redis or an ID secret the group is not mounted: it cannot issue
 * challenges or device identifiers.
 */
import { Router } from 'express';
import type { ApiDeps } from '../../api.js';
import type { EnrollmentSettings } from '../../../trust/enrollment/settings.js';
import { accountRoutes } from './accountRoutes.js';
import { enrollmentDeps } from './deps.js';
import { enrollmentRoutes } from './enrollmentRoutes.js';

/** The route group; `overrides` shorten TTLs and limits (tests). */
export function enrollmentApi(api: ApiDeps, overrides: Partial<EnrollmentSettings> = {}): Router {
  const router = Router();
  const deps = enrollmentDeps(api, overrides);
  if (!deps) return router;
  router.use(accountRoutes(deps));
  router.use(enrollmentRoutes(deps));
  return router;
}
