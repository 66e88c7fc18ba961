/**
 * What the page says (public/words.js): every problem code the service can answer the page's
 * routes with has words of its own, which never repeat the service's `detail`; browser errors
 * and unknown codes get words too; the account's activity reads as sentences.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiError } from './public/apiClient.js';
import { describeActivity, describeProblem, PROBLEMS, type ActivityItemJSON } from './public/words.js';

const SRC = fileURLToPath(new URL('../../', import.meta.url));

/** Every literal error code thrown where the page's routes run: the enrollment domain, its routes, the HTTP layer. */
function codesInSource(): string[] {
  const files = ['trust/enrollment', 'http/routes/enrollment', 'http']
    .flatMap((dir) => readdirSync(path.join(SRC, dir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => path.join(dir, f)))
    .concat(['trust/transition.ts', 'trust/errors.ts']);
  const codes = new Set<string>();
  for (const file of files) {
    const text = readFileSync(path.join(SRC, file), 'utf8');
    for (const m of text.matchAll(/(?:TrustError|ForbiddenError|NotFoundError|ConflictError|HttpError)\((?:\d+, )?['`]([a-z_]+)['`]/g)) codes.add(m[1]);
    for (const m of text.matchAll(/problemOf\(\d+, '([a-z_]+)'/g)) codes.add(m[1]);
  }
  // Codes built from parts: `${kind}_code_${why}`, `${kind}_malformed`.
  for (const kind of ['bootstrap', 'recovery', 'replacement']) for (const why of ['invalid', 'used', 'expired']) codes.add(`${kind}_code_${why}`);
  codes.add('registration_malformed').add('assertion_malformed').add('network_error');
  return [...codes].sort();
}

const problem = (status: number, code: string, extra: object = {}) => new ApiError(status, { type: 'x', title: 'x', status, code, detail: `RAW-DETAIL ${code} enr_secret`, ...extra });

describe('the words of the device page', () => {
  const codes = codesInSource();

  it('finds the codes the service answers with', () => {
    expect(codes.length).toBeGreaterThan(50);
    expect(codes).toEqual(expect.arrayContaining(['bootstrap_code_invalid', 'device_not_eligible', 'challenge_invalid', 'replacement_code_used', 'rate_limited', 'invalid_request']));
  });

  it.each(codes)('words %s for the person, without the service\'s detail', (code) => {
    expect(Object.keys(PROBLEMS)).toContain(code);
    const words = describeProblem(problem(400, code));
    expect(words).toMatch(/^[A-Z].*[.!]$/);
    expect(words).not.toMatch(/RAW-DETAIL|enr_secret|_/);
  });

  it('tells a device that cannot sign in what to do, by its state', () => {
    expect(describeProblem(problem(403, 'device_not_eligible', { state: 'pending' }))).toMatch(/not approved yet.*compar.*verification code/);
    expect(describeProblem(problem(403, 'device_not_eligible', { state: 'revoked' }))).toMatch(/revoked or rejected.*Enroll this browser again/);
    expect(describeProblem(problem(403, 'device_not_eligible', { state: 'replaced' }))).toMatch(/replaced by a new one/);
    expect(describeProblem(problem(403, 'device_not_eligible', { state: 'revoked' }))).not.toMatch(/sign in again|approve it first/i);
  });

  it('tells a passkey of another handle apart from a stale step', () => {
    expect(describeProblem(problem(400, 'challenge_foreign', { reason: 'other_handle' }))).toMatch(/another account handle/);
    expect(describeProblem(problem(400, 'challenge_foreign'))).toMatch(/Start the enrollment again/);
  });

  it('words unknown codes by status, browser errors by name, and hides anything else', () => {
    expect(describeProblem(problem(503, 'something_new'))).toBe(PROBLEMS.internal_error);
    expect(describeProblem(problem(429, 'something_new'))).toMatch(/Wait a minute/);
    expect(describeProblem(new ApiError(0, { code: 'network_error' }))).toMatch(/could not be reached/);
    expect(describeProblem(Object.assign(new Error('x'), { name: 'NotAllowedError' }))).toMatch(/cancelled or timed out/);
    expect(describeProblem(Object.assign(new Error('x'), { name: 'SecurityError' }))).toMatch(/localhost, not 127\.0\.0\.1/);
    expect(describeProblem(new TypeError('undefined is not a function'))).toBe('Something went wrong in this page. Reload it and try again.');
  });

  const item = (over: Partial<ActivityItemJSON>): ActivityItemJSON => ({
    id: 'aud_1', at: '2026-01-01T00:00:00Z', event: 'state_changed', deviceId: 'dev_b', deviceLabel: 'Phone', from: 'pending', to: 'trusted',
    reason: null, approvalMethod: 'device', actor: { kind: 'device', deviceId: 'dev_a', label: 'Laptop' }, unseen: false, ...over,
  });

  it('reads the account activity as sentences', () => {
    expect(describeActivity(item({}), 'dev_a')).toBe('Phone joined, approved by this device.');
    expect(describeActivity(item({}), 'dev_c')).toBe('Phone joined, approved by Laptop.');
    expect(describeActivity(item({ approvalMethod: 'bootstrap', actor: { kind: 'anonymous' } }), 'dev_b')).toBe('This device joined, approved by the account’s bootstrap code.');
    expect(describeActivity(item({ event: 'enrollment_started', from: null, to: null, actor: { kind: 'anonymous' } }), 'dev_a')).toBe('Phone asked to join this account.');
    expect(describeActivity(item({ from: 'trusted', to: 'revoked', reason: 'left in a taxi' }), 'dev_c')).toBe('Phone left: revoked by Laptop: “left in a taxi”.');
    expect(describeActivity(item({ from: 'pending', to: 'revoked', reason: 'enrollment failed: bootstrap_code_invalid', actor: { kind: 'anonymous' } }), 'dev_a'))
      .toBe('Phone did not join: a step of its enrollment was refused (for example a wrong code).');
    expect(describeActivity(item({ from: 'trusted', to: 'replaced', actor: { kind: 'device', deviceId: 'dev_a', label: 'Laptop' } }), 'dev_a')).toBe('Phone left: replaced by a new device.');
    expect(describeActivity(item({ from: 'pending', to: 'retired', actor: { kind: 'system' } }), 'dev_a')).toBe('Phone did not join: its enrollment expired before anyone approved it.');
    expect(describeActivity(item({ from: 'trusted', to: 'restricted', actor: { kind: 'admin', role: 'operator' }, reason: 'review' }), 'dev_a')).toBe('Phone got reduced access, by an administrator of your organisation: “review”.');
  });
});
