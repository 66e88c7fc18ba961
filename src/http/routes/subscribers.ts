/**
 * POST/GET/DELETE /v1/subscribers: the fan-out receivers, managed by service keys with the
 * `subscribers:write` scope, each key its own (another key's subscriber is a 404).
 */
import { Router } from 'express';
import type { Database } from '../../store/database.js';
import { createSubscriber, deleteSubscriber, listSubscribers, type NewSubscriber, type Subscriber } from '../../trust/subscribers.js';
import { auditActorOf, requireServiceScope } from '../auth.js';
import { HttpError } from '../problem.js';
import { validateBody } from '../validateBody.js';

const SUBSCRIBER_ID = /^sub_[A-Za-z0-9_-]{1,64}$/;

function view(s: Subscriber): Record<string, unknown> {
  return { id: s.id, name: s.name, url: s.url, audience: s.audience, events: s.events, createdAt: s.createdAt.toISOString() };
}

export function subscriberRoutes(db: Database): Router {
  const router = Router();
  const write = requireServiceScope('subscribers:write');

  router.post('/v1/subscribers', write, validateBody('https://schemas.enigm.dev/trust/api/subscriber-create.schema.json'), async (req, res) => {
    const principal = req.principal as { keyId: string };
    const s = await createSubscriber(db, req.body as NewSubscriber, principal.keyId, auditActorOf(req));
    req.log.info({ subscriberId: s.id, name: s.name }, 'subscriber registered');
    res.status(201).location(`/v1/subscribers/${s.id}`).json(view(s));
  });

  router.get('/v1/subscribers', write, async (req, res) => {
    const principal = req.principal as { keyId: string };
    res.json({ subscribers: (await listSubscribers(db, principal.keyId)).map(view) });
  });

  router.delete('/v1/subscribers/:id', write, async (req, res) => {
    const id = String(req.params.id);
    if (!SUBSCRIBER_ID.test(id)) throw new HttpError(404, 'subscriber_not_found', `no subscriber ${id}`);
    await deleteSubscriber(db, id, (req.principal as { keyId: string }).keyId, auditActorOf(req));
    req.log.info({ subscriberId: id }, 'subscriber deleted');
    res.status(204).end();
  });

  return router;
}
