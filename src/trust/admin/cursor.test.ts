import { createCursorCodec } from './cursor.js';
import { TrustError } from '../errors.js';

const scope = { orgId: 'org_a', filter: { states: ['trusted'] } };

function refusal(fn: () => unknown): TrustError {
  try {
    fn();
  } catch (err) {
    if (err instanceof TrustError) return err;
    throw err;
  }
  throw new Error('expected the cursor to be refused');
}

describe('admin cursors', () => {
  const codec = createCursorCodec('a-secret-of-at-least-thirty-two-chars!!');

  it('gives back the sort key it was made from', () => {
    const c = codec.encode('devices', scope, ['2026-01-01T00:00:00.123456Z', 'dev_x']);
    expect(codec.decode('devices', scope, c)).toEqual(['2026-01-01T00:00:00.123456Z', 'dev_x']);
    expect(codec.decode('audit', { orgId: 'o' }, codec.encode('audit', { orgId: 'o' }, [42]))).toEqual([42]);
  });

  it('carries no filter value in clear', () => {
    const c = codec.encode('devices', { orgId: 'org_secretname', filter: { accountId: 'acc_someone' } }, ['t', 'dev_x']);
    const payload = Buffer.from(c.split('.')[0], 'base64url').toString();
    expect(payload).not.toContain('org_secretname');
    expect(payload).not.toContain('acc_someone');
  });

  it('refuses an edited sort key even when re-encoded', () => {
    const c = codec.encode('devices', scope, ['2026-01-01T00:00:00.123456Z', 'dev_x']);
    const [payload, mac] = c.split('.');
    const body = JSON.parse(Buffer.from(payload, 'base64url').toString());
    body.after = ['2099-01-01T00:00:00.000000Z', 'dev_x'];
    const forged = `${Buffer.from(JSON.stringify(body)).toString('base64url')}.${mac}`;
    expect(refusal(() => codec.decode('devices', scope, forged))).toMatchObject({ status: 400, code: 'invalid_cursor' });
  });

  it('refuses a cursor of another view, organisation, filter set or key', () => {
    const c = codec.encode('devices', scope, ['t', 'dev_x']);
    expect(refusal(() => codec.decode('enrollments', scope, c)).code).toBe('invalid_cursor');
    expect(refusal(() => codec.decode('devices', { ...scope, orgId: 'org_b' }, c)).code).toBe('invalid_cursor');
    expect(refusal(() => codec.decode('devices', { ...scope, filter: { states: ['revoked'] } }, c)).code).toBe('invalid_cursor');
    expect(refusal(() => createCursorCodec('another-secret-of-at-least-thirty-two!!').decode('devices', scope, c)).code).toBe('invalid_cursor');
    expect(refusal(() => createCursorCodec().decode('devices', scope, c)).code).toBe('invalid_cursor');
  });

  it.each([
    ['empty', ''],
    ['garbage', 'not a cursor'],
    ['no mac', 'eyJ2IjoxfQ'],
    ['a short mac', 'eyJ2IjoxfQ.AAAA'],
    ['too long', `${'A'.repeat(2000)}.${'A'.repeat(22)}`],
    ['base64 of non-JSON with a random mac', `${Buffer.from('{{{').toString('base64url')}.${'A'.repeat(22)}`],
  ])('refuses a malformed cursor (%s)', (_what, cursor) => {
    expect(refusal(() => codec.decode('devices', scope, cursor))).toMatchObject({ status: 400, code: 'invalid_cursor' });
  });
});
