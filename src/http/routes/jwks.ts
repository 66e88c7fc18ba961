/**
 * GET /.well-known/jwks.json: the public key receivers verify SETs with. Public; never the
 * private half.
 */
import { Router } from 'express';
import type { SigningKeyStore } from '../../queue/signingKeys.js';

export function jwksRoutes(keys: SigningKeyStore): Router {
  const router = Router();
  router.get('/.well-known/jwks.json', async (_req, res) => {
    const key = await keys.current();
    res.set('cache-control', 'public, max-age=300').type('application/jwk-set+json').send(JSON.stringify({ keys: [key.publicJwk] }));
  });
  return router;
}
