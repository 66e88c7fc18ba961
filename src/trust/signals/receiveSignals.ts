/**
 * POST /v1/devices/{id}/signals, as a domain operation: who may report what, body checks,
 * verification of signed statements, then one transaction that locks the device, stores the
 * signals and appends the audit record. Every refusal — a body too large or malformed, the
 * wrong reporter, a token that does not verify — is audited as refused and stores nothing.
 */
import type { Redis } from 'ioredis';
import { describeErrors, schemas } from '../../policy/schemaRegistry.js';
import { appendAudit, type AuditActor } from '../../store/audit.js';
import type { Database } from '../../store/database.js';
import { auditDeviceRefusal } from '../auditDeviceRefusal.js';
import { ForbiddenError, TrustError } from '../errors.js';
import { verifyManagedStatement } from './managedStatement.js';
import { verifyOsIntegrity } from './osIntegrity.js';
import { postureSignal, type NewSignal, type PostureReport } from './posture.js';
import { loadSignalSource } from './signalSources.js';
import { insertSignals, loadSignalTarget, type SignalTarget, type StoredSignal } from './signalStore.js';

export const SIGNAL_REPORT_SCHEMA = 'https://schemas.enigm.dev/trust/api/signal-report.schema.json';

/** Largest signal body, in bytes: two tokens of at most 8 KiB and a posture report fit. */
export const SIGNAL_BODY_LIMIT = 20 * 1024;

/** Who sends the signals. Posture comes from the device itself; signed statements from a relaying service. */
export type SignalReporter =
  | { kind: 'device'; deviceId: string }
  | { kind: 'service'; scopes: readonly string[] }
  | { kind: 'admin' };

export interface SignalDeps {
  db: Database;
  /** Holds attestation nonces; without it OS integrity attestations are refused. */
  redis?: Redis;
  /** The `aud` statements must carry when their source names none (the service's origin). */
  audience?: string;
}

export interface SignalReport {
  deviceId: string;
  reporter: SignalReporter;
  actor: AuditActor;
  /** The parsed JSON body, not yet validated. */
  body: unknown;
  /** Its size in bytes. */
  bodyBytes: number;
}

interface ReportBody {
  posture?: PostureReport;
  managedStatement?: string;
  osIntegrity?: string;
}

export const AUDIT_TYPE = 'device.signals_reported';

function checkBody(r: SignalReport): ReportBody {
  if (r.bodyBytes > SIGNAL_BODY_LIMIT) {
    throw new TrustError(413, 'body_too_large', `a signal report may be at most ${SIGNAL_BODY_LIMIT} bytes, got ${r.bodyBytes}`);
  }
  const validate = schemas().validator(SIGNAL_REPORT_SCHEMA);
  if (!validate(r.body ?? null)) {
    const errors = describeErrors(validate.errors);
    throw new TrustError(400, 'invalid_request', errors.join('; '), { errors });
  }
  return r.body as ReportBody;
}

/** Posture only from the device's own session; signed statements only from a service key with signals:write. */
function checkReporter(r: SignalReport, body: ReportBody): void {
  const signed = body.managedStatement !== undefined || body.osIntegrity !== undefined;
  const p = r.reporter;
  if (p.kind === 'device') {
    if (p.deviceId !== r.deviceId) throw new ForbiddenError('not_own_device', 'a device session reports the posture of its own device only');
    if (signed) throw new ForbiddenError('wrong_principal', 'managed statements and OS integrity attestations are relayed by a service key with signals:write');
    return;
  }
  if (p.kind !== 'service') throw new ForbiddenError('wrong_principal', 'signals come from the device session (posture) or a service key with signals:write');
  if (!p.scopes.includes('signals:write')) throw new TrustError(403, 'insufficient_scope', 'this route needs the signals:write scope');
  if (body.posture !== undefined) throw new ForbiddenError('wrong_principal', "posture is reported by the device's own session");
}

/** Verifies each signed statement; managed first, so a bad statement never burns an attestation nonce. */
async function verifyAll(deps: SignalDeps, target: SignalTarget, body: ReportBody, now: Date): Promise<NewSignal[]> {
  const signals: NewSignal[] = [];
  if (body.posture !== undefined) signals.push(postureSignal(body.posture, now));
  const common = { defaultAudience: deps.audience, deviceId: target.deviceId, settings: target.settings, now };
  if (body.managedStatement !== undefined) {
    const source = await loadSignalSource(deps.db, target.orgId, 'managed');
    signals.push(await verifyManagedStatement({ ...common, token: body.managedStatement, source }));
  }
  if (body.osIntegrity !== undefined) {
    const source = await loadSignalSource(deps.db, target.orgId, 'os_integrity');
    signals.push(await verifyOsIntegrity({ ...common, token: body.osIntegrity, source, redis: deps.redis }));
  }
  return signals;
}

async function store(deps: SignalDeps, r: SignalReport, signals: NewSignal[], now: Date): Promise<StoredSignal[]> {
  return deps.db.transaction(async (tx) => {
    // Lock the device first (then the audit lock): its state may have changed since it was read.
    const target = await loadSignalTarget(tx, r.deviceId, true);
    const stored = await insertSignals(tx, target.deviceId, signals, now);
    await appendAudit(tx, {
      type: AUDIT_TYPE, outcome: 'success', actor: r.actor, orgId: target.orgId, accountId: target.accountId, deviceId: target.deviceId,
      details: { signals: signals.map((s) => ({ kind: s.kind, verified: s.verified, status: s.status, issuer: s.issuer, kid: s.payload.kid ?? null })) },
    }, now);
    return stored;
  });
}

/** Records a refused report in its own transaction; nothing else was written. */
function auditRefusal(db: Database, r: SignalReport, err: TrustError): Promise<void> {
  return auditDeviceRefusal(db, {
    type: AUDIT_TYPE, actor: r.actor, deviceId: r.deviceId,
    details: (known) => ({ refusal: err.code, ...(typeof err.extensions.signal === 'string' ? { signal: err.extensions.signal } : {}), ...(known ? {} : { requestedDevice: r.deviceId }) }),
  });
}

/** Checks, verifies and stores one signal report; refusals are audited and re-thrown. */
export async function receiveSignals(deps: SignalDeps, r: SignalReport, now: Date = new Date()): Promise<{ deviceId: string; signals: StoredSignal[] }> {
  try {
    const body = checkBody(r);
    checkReporter(r, body);
    const target = await loadSignalTarget(deps.db, r.deviceId);
    const signals = await verifyAll(deps, target, body, now);
    return { deviceId: target.deviceId, signals: await store(deps, r, signals, now) };
  } catch (err) {
    if (err instanceof TrustError) await auditRefusal(deps.db, r, err);
    throw err;
  }
}
