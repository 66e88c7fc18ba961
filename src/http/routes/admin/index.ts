/**
 * Enigm Command: every admin route, for admin keys of one organisation and one role.
 */
import { Router } from 'express';
import type { Config } from '../../../config.js';
import type { Database } from '../../../store/database.js';
import { createCursorCodec } from '../../../trust/admin/cursor.js';
import { auditRoutes } from './audit.js';
import { enrollmentRoutes } from './enrollments.js';
import type { AdminRouteDeps } from './guard.js';
import { inventoryRoutes } from './inventory.js';
import { keyRoutes } from './keys.js';
import { lifecycleRoutes } from './lifecycle.js';
import { organisationRoutes } from './organisation.js';
import { reportRoutes } from './reports.js';

/** The admin routes; cursors are keyed from the configured ID secret when there is one. */
export function adminRoutes(deps: { db: Database; config?: Config }): Router {
  const shared: AdminRouteDeps = {
    db: deps.db,
    cursors: createCursorCodec(deps.config?.idSecret),
    validateResponses: deps.config?.production !== true,
  };
  const router = Router();
  router.use(inventoryRoutes(shared), enrollmentRoutes(shared), reportRoutes(shared), auditRoutes(shared), lifecycleRoutes(shared), organisationRoutes(shared), keyRoutes(shared));
  return router;
}
