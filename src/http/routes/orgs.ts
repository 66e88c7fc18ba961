/**
 * Provisioning organisations, for the platform: POST /v1/orgs, GET /v1/orgs,
 * GET /v1/orgs/{id}, PATCH /v1/orgs/{id} — service keys with `orgs:write` only. Bodies are
 * checked by the domain (which names what is wrong and audits every refusal).
 */
import { Router } from 'express';
import type { Database } from '../../store/database.js';
import { createOrganisation, listOrganisations, readOrganisation, updateOrganisation } from '../../trust/organisations/organisations.js';
import { auditActorOf, requireServiceScope } from '../auth.js';

export function orgRoutes(db: Database): Router {
  const router = Router();
  const provisioner = requireServiceScope('orgs:write');

  router.post('/v1/orgs', provisioner, async (req, res) => {
    res.status(201).json(await createOrganisation(db, req.body, auditActorOf(req)));
  });

  router.get('/v1/orgs', provisioner, async (_req, res) => {
    res.json({ items: await listOrganisations(db) });
  });

  router.get('/v1/orgs/:orgId', provisioner, async (req, res) => {
    res.json(await readOrganisation(db, req.params.orgId, auditActorOf(req)));
  });

  router.patch('/v1/orgs/:orgId', provisioner, async (req, res) => {
    res.json(await updateOrganisation(db, req.params.orgId, req.body, auditActorOf(req)));
  });

  return router;
}
