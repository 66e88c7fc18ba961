/**
 * Anonymous enrollment answers do not depend on whether the handle exists or what state its
 * account is in: an unknown handle (a decoy), an account without a device, one with devices,
 * one in recovery — each gets the same status and the same body but for its fresh ids.
 * (Timing: `node bench/anonymousEnrollment.mjs`, see the README.)
 */
import { authenticator, enrollmentHarness, newAccount, post, start, submit, trustedFirstDevice, UNDISCLOSED_REQUIREMENTS, type Harness } from '../helpers/enrollmentHarness.js';

describe('anonymous enrollment answers', () => {
  let h: Harness;
  beforeAll(async () => { h = await enrollmentHarness(); });
  afterAll(async () => { await h.close(); });

  /** Keys and value types, recursively: what a body looks like, not what it says. */
  const shape = (v: unknown): unknown => (Array.isArray(v) ? v.map(shape) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)])) : typeof v);

  async function handles(): Promise<Record<string, string>> {
    const empty = await newAccount(h);
    const withDevice = await trustedFirstDevice(h);
    const recovering = await trustedFirstDevice(h);
    const recovery = await post(h, `/v1/accounts/${recovering.accountId}/recovery`, { reason: 'phone lost' }, h.serviceToken);
    expect(recovery.status).toBe(200);
    const locked = await trustedFirstDevice(h);
    await h.db.query(`UPDATE accounts SET state = 'locked' WHERE id = $1`, [locked.accountId]);
    return { unknown: 'nobody-by-this-name', 'no device': empty.handle, 'with devices': withDevice.handle, 'in recovery': recovering.handle, locked: locked.handle };
  }

  it('registers a code-less device alike for every kind of account', async () => {
    const answers: Record<string, { status: number; body: Record<string, unknown> }> = {};
    const starts: Record<string, { status: number; body: Record<string, unknown> }> = {};
    for (const [kind, handle] of Object.entries(await handles())) {
      const started = await post(h, '/v1/enrollments', { accountHandle: handle, label: 'Phone', platform: 'android' });
      starts[kind] = { status: started.status, body: started.body };
      const res = await submit(h, started.body, authenticator());
      answers[kind] = { status: res.status, body: { ...res.body, deviceId: 'dev_x' } };
    }
    for (const kind of Object.keys(answers)) {
      expect([kind, starts[kind].status, shape(starts[kind].body)]).toEqual([kind, starts.unknown.status, shape(starts.unknown.body)]);
      expect([kind, answers[kind]]).toEqual([kind, answers.unknown]);
    }
    expect(answers.unknown).toEqual({ status: 200, body: { deviceId: 'dev_x', state: 'pending', requirements: UNDISCLOSED_REQUIREMENTS, reasons: ['awaiting_approval'] } });
  });

  it('refuses a wrong code alike for every kind of account', async () => {
    const codes = { bootstrapCode: `ebc_${'A'.repeat(43)}` };
    const refusals = new Set<string>();
    for (const handle of Object.values(await handles())) {
      const res = await submit(h, await start(h, handle), authenticator(), codes);
      refusals.add(JSON.stringify([res.status, res.body.code, res.body.detail]));
    }
    expect([...refusals]).toHaveLength(1);
  });
});
