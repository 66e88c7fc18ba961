/**
 * Accounts and the first device: the bootstrap code (single-use, expiring, hashed), `none`
 * and `packed` registration, what is stored of the credential, and sessions.
 */
import { sha256Hex } from '../../src/trust/ids.js';
import {
  adminToken, audits, authenticator, enroll, enrollmentHarness, expectClosed, get, newAccount, post, requirementsOf, signIn, start, stateSnapshot, submit, UNDISCLOSED_REQUIREMENTS, type Harness,
} from '../helpers/enrollmentHarness.js';
import { seedOrg } from '../helpers/seed.js';

describe('accounts and the first device', () => {
  let h: Harness;
  beforeAll(async () => { h = await enrollmentHarness(); });
  afterAll(async () => { await h.close(); });

  it('creates an account with a bootstrap code that is stored only as a hash', async () => {
    const res = await post(h, '/v1/accounts', { handle: 'Alice.Example', org: h.org }, h.serviceToken);
    expect(res.status).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatchObject({ accountId: expect.stringMatching(/^acc_/), handle: 'alice.example', orgId: h.org, bootstrapCode: expect.stringMatching(/^ebc_[A-Za-z0-9_-]{43}$/) });
    const codes = await h.db.query<{ code_hash: string; kind: string }>('SELECT code_hash, kind FROM account_codes WHERE account_id = $1', [res.body.accountId]);
    expect(codes.rows).toEqual([{ code_hash: sha256Hex(res.body.bootstrapCode), kind: 'bootstrap' }]);
    const dump = JSON.stringify((await h.db.query('SELECT * FROM audit_events')).rows);
    expect(dump).not.toContain(res.body.bootstrapCode);
    expect((await audits(h, 'account.created', 'success')).some((a) => a.account_id === res.body.accountId)).toBe(true);
  });

  it('refuses a taken handle (case-insensitively), an unknown organisation, and bad bodies — and audits the refusals', async () => {
    const { handle } = await newAccount(h);
    const taken = await post(h, '/v1/accounts', { handle: handle.toUpperCase(), org: h.org }, h.serviceToken);
    expect([taken.status, taken.body.code]).toEqual([409, 'handle_taken']);
    expect(taken.headers['content-type']).toMatch(/^application\/problem\+json/);
    const noOrg = await post(h, '/v1/accounts', { handle: 'someone-new', org: 'org_missing' }, h.serviceToken);
    expect([noOrg.status, noOrg.body.code]).toEqual([404, 'org_not_found']);
    const refused = await audits(h, 'account.created', 'refused');
    expect(refused.map((a) => a.details.refusal)).toEqual(expect.arrayContaining(['handle_taken', 'org_not_found']));
    const bad = await post(h, '/v1/accounts', { handle: 'x y', org: h.org, admin: true }, h.serviceToken);
    expect([bad.status, bad.body.code]).toEqual([400, 'invalid_request']);
    expect((await h.db.query('SELECT 1 FROM accounts WHERE handle = $1', ['someone-new'])).rowCount).toBe(0);
  });

  it('lets an operator create accounts in their own organisation only; other roles and anonymous callers are refused', async () => {
    const operator = await adminToken(h, 'operator');
    const own = await post(h, '/v1/accounts', { handle: 'op-made' }, operator);
    expect([own.status, own.body.orgId]).toEqual([201, h.org]);
    const other = await seedOrg(h.db);
    const foreign = await post(h, '/v1/accounts', { handle: 'op-foreign', org: other }, operator);
    expect([foreign.status, foreign.body.code]).toEqual([404, 'org_not_found']);
    const viewer = await post(h, '/v1/accounts', { handle: 'viewer-made' }, await adminToken(h, 'viewer'));
    expect([viewer.status, viewer.body.code]).toEqual([403, 'insufficient_role']);
    expect((await post(h, '/v1/accounts', { handle: 'anon-made' })).status).toBe(401);
  });

  it('trusts the first device that presents the bootstrap code, storing only public credential material', async () => {
    const account = await newAccount(h);
    const auth = authenticator();
    const before = await h.db.query<{ device_epoch: string }>('SELECT device_epoch FROM accounts WHERE id = $1', [account.accountId]);
    const enrolled = await enroll(h, account.handle, auth, { bootstrapCode: account.bootstrapCode });
    expect(enrolled).toMatchObject({ state: 'trusted', requirements: [], deviceId: expect.stringMatching(/^dev_/) });
    expect(enrolled.deviceId).not.toContain(auth.id);
    const device = await h.db.query('SELECT state, approval_method, last_unlock_method FROM devices WHERE id = $1', [enrolled.deviceId]);
    expect(device.rows[0]).toEqual({ state: 'trusted', approval_method: 'bootstrap', last_unlock_method: 'webauthn_uv' });
    const cred = await h.db.query('SELECT credential_id, attestation_format, user_verified, backup_eligible, backed_up, sign_count FROM credentials WHERE device_id = $1', [enrolled.deviceId]);
    expect(cred.rows[0]).toEqual({ credential_id: auth.id, attestation_format: 'none', user_verified: true, backup_eligible: false, backed_up: false, sign_count: 0 });
    const after = await h.db.query<{ device_epoch: string; devices_enrolled: number }>('SELECT device_epoch, devices_enrolled FROM accounts WHERE id = $1', [account.accountId]);
    expect(Number(after.rows[0].device_epoch)).toBe(Number(before.rows[0].device_epoch) + 1);
    expect(after.rows[0].devices_enrolled).toBe(1);
    const used = await h.db.query('SELECT used_at FROM account_codes WHERE account_id = $1', [account.accountId]);
    expect(used.rows[0].used_at).toBeInstanceOf(Date);
  });

  it('accepts packed self-attestation and records the backup flags and missing user verification', async () => {
    const account = await newAccount(h);
    const auth = authenticator({ format: 'packed', uv: false, be: true, bs: true });
    const enrolled = await enroll(h, account.handle, auth, { bootstrapCode: account.bootstrapCode });
    expect(enrolled.state).toBe('trusted');
    const cred = await h.db.query('SELECT attestation_format, user_verified, backup_eligible, backed_up FROM credentials WHERE device_id = $1', [enrolled.deviceId]);
    expect(cred.rows[0]).toEqual({ attestation_format: 'packed', user_verified: false, backup_eligible: true, backed_up: true });
  });

  it('refuses a packed attestation whose signature does not verify, storing nothing and closing the enrollment', async () => {
    const account = await newAccount(h);
    const started = await start(h, account.handle);
    const auth = authenticator({ format: 'packed' });
    const snapshot = await stateSnapshot(h, started);
    const res = await post(h, `/v1/enrollments/${started.enrollmentId}/credential`, {
      registrationResponse: auth.register(started.registrationOptions, { corruptSignature: true }), bootstrapCode: account.bootstrapCode,
    });
    expect([res.status, res.body.code]).toEqual([400, 'registration_invalid']);
    expect(await stateSnapshot(h, started)).toBe(snapshot);
    await expectClosed(h, started, 'registration_invalid');
    expect((await audits(h, 'enrollment.credential', 'refused')).some((a) => a.device_id === started.deviceId && a.details.refusal === 'registration_invalid')).toBe(true);
  });

  it('leaves a device without a code pending, recording what it needs and telling every way forward', async () => {
    const account = await newAccount(h);
    const enrolled = await enroll(h, account.handle, authenticator());
    expect(enrolled).toMatchObject({ state: 'pending', requirements: UNDISCLOSED_REQUIREMENTS });
    expect(await requirementsOf(h, enrolled.enrollmentId)).toEqual(['admin_approval', 'bootstrap_code']);
  });

  it('refuses a reused bootstrap code: an audited refusal that closes only its own enrollment', async () => {
    const account = await newAccount(h);
    await enroll(h, account.handle, authenticator(), { bootstrapCode: account.bootstrapCode });
    const second = await start(h, account.handle);
    const snapshot = await stateSnapshot(h, second);
    const res = await submit(h, second, authenticator(), { bootstrapCode: account.bootstrapCode });
    expect([res.status, res.body.code]).toEqual([403, 'bootstrap_code_used']);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(await stateSnapshot(h, second)).toBe(snapshot);
    await expectClosed(h, second, 'bootstrap_code_used');
    const refusal = (await audits(h, 'enrollment.credential', 'refused')).find((a) => a.device_id === second.deviceId);
    expect(refusal?.details.refusal).toBe('bootstrap_code_used');
  });

  it('refuses an expired bootstrap code, and a code of another account, leaving the codes untouched', async () => {
    const account = await newAccount(h);
    await h.db.query(`UPDATE account_codes SET expires_at = now() - interval '1 second' WHERE account_id = $1`, [account.accountId]);
    const started = await start(h, account.handle);
    const other = await newAccount(h);
    const snapshot = await stateSnapshot(h);
    const expired = await submit(h, started, authenticator(), { bootstrapCode: account.bootstrapCode });
    expect([expired.status, expired.body.code]).toEqual([403, 'bootstrap_code_expired']);
    const foreignStart = await start(h, account.handle);
    const foreign = await submit(h, foreignStart, authenticator(), { bootstrapCode: other.bootstrapCode });
    expect([foreign.status, foreign.body.code]).toEqual([403, 'bootstrap_code_invalid']);
    const rows = JSON.parse(await stateSnapshot(h));
    expect(JSON.stringify(rows[1])).toBe(JSON.stringify(JSON.parse(snapshot)[1])); // account_codes untouched
    await expectClosed(h, started, 'bootstrap_code_expired');
    await expectClosed(h, foreignStart, 'bootstrap_code_invalid');
    expect((await audits(h, 'enrollment.credential', 'refused')).filter((a) => a.account_id === account.accountId).map((a) => a.details.refusal))
      .toEqual(expect.arrayContaining(['bootstrap_code_expired', 'bootstrap_code_invalid']));
  });

  it('opens a session for a trusted device and lists the account devices with it', async () => {
    const account = await newAccount(h);
    const auth = authenticator();
    const enrolled = await enroll(h, account.handle, auth, { bootstrapCode: account.bootstrapCode });
    const options = await post(h, '/v1/sessions/options', { accountHandle: account.handle.toUpperCase() });
    expect(options.body.authenticationOptions).toMatchObject({ rpId: 'localhost', userVerification: 'preferred' });
    expect(options.body.authenticationOptions.allowCredentials ?? []).toEqual([]);
    const res = await post(h, '/v1/sessions', { authenticationResponse: auth.assert(options.body.authenticationOptions) });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ sessionToken: expect.stringMatching(/^eds_/), deviceId: enrolled.deviceId, accountId: account.accountId });
    const stored = await h.db.query('SELECT token_hash FROM sessions WHERE device_id = $1', [enrolled.deviceId]);
    expect(stored.rows[0].token_hash).toBe(sha256Hex(res.body.sessionToken));
    expect((await h.db.query('SELECT sign_count FROM credentials WHERE device_id = $1', [enrolled.deviceId])).rows[0].sign_count).toBe(1);
    const list = await get(h, `/v1/accounts/${account.accountId}/devices`, res.body.sessionToken);
    expect(list.status).toBe(200);
    expect(list.body.devices).toEqual([expect.objectContaining({ deviceId: enrolled.deviceId, state: 'trusted', label: 'Phone', platform: 'android', current: true })]);
    expect(JSON.stringify(list.body)).not.toContain(auth.id);
    const other = await newAccount(h);
    const foreign = await get(h, `/v1/accounts/${other.accountId}/devices`, res.body.sessionToken);
    expect([foreign.status, foreign.body.code]).toEqual([404, 'account_not_found']);
  });

  it('refuses a session to a pending device, and to a credential it does not know', async () => {
    const account = await newAccount(h);
    const auth = authenticator();
    await enroll(h, account.handle, auth);
    await expect(signIn(h, account.handle, auth)).rejects.toThrow(/403.*device_not_eligible/);
    const stranger = authenticator();
    const options = await post(h, '/v1/sessions/options', { accountHandle: account.handle });
    const res = await post(h, '/v1/sessions', { authenticationResponse: stranger.assert(options.body.authenticationOptions) });
    expect([res.status, res.body.code]).toEqual([401, 'credential_unknown']);
    expect((await audits(h, 'session.created', 'refused')).map((a) => a.details.refusal)).toEqual(expect.arrayContaining(['device_not_eligible', 'credential_unknown']));
  });
});
