import express from 'express';
import request from 'supertest';
import type { Database } from '../../../store/database.js';
import { createCursorCodec } from '../../../trust/admin/cursor.js';
import { sendJson, type AdminRouteDeps } from './guard.js';

// sendJson never touches the database.
const deps = (validateResponses: boolean): AdminRouteDeps => ({ db: {} as Database, cursors: createCursorCodec(), validateResponses });

function appSending(body: unknown, validateResponses: boolean) {
  const app = express();
  app.get('/x', (_req, res) => sendJson(deps(validateResponses), res, 'admin-lifecycle-result', body));
  app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => { res.status(500).json({ error: err.message }); });
  return app;
}

const valid = { deviceId: 'dev_abc', state: 'restricted', previousState: 'trusted', epoch: 3 };

describe('admin responses', () => {
  it('are sent uncached when they match their schema', async () => {
    const res = await request(appSending(valid, true)).get('/x');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual(valid);
  });

  it('fail loudly, outside production, when a field is not allow-listed', async () => {
    const res = await request(appSending({ ...valid, credentialId: 'abc' }, true)).get('/x');
    expect(res.status).toBe(500);
    expect(res.body.error).toMatch(/admin-lifecycle-result.*unknown field "credentialId"/);
  });
});
