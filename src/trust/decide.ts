/**
 * "May this device, of this account, do this now?" The input is built from the service's
 * records only, validated against the input schema, evaluated by the current policy
 * bundle, and logged with a decision id and the policy revision. Nothing is cached: a
 * revocation that committed is seen by the next decision on every instance.
 */
import type { DecisionResult, PolicyBundle } from '../policy/bundle.js';
import type { Database, Queryable } from '../store/database.js';
import { insertDecisionRows, type DecisionLog } from './decisionLog.js';
import { CallerRevokedError, NotFoundError, TrustError } from './errors.js';
import { newTimeOrderedId } from './ids.js';
import { loadAccountDeviceContexts, loadDeviceContext, type DecisionRead } from './deviceContext.js';
import type { DeviceState } from './lifecycle.js';
import { buildDecisionInput, type DeviceContext } from './policyInput.js';

export const ACTIONS = [
  'message.receive', 'message.send', 'call.join', 'sync.live', 'sync.history',
  'keys.access', 'account.resources', 'device.approve_enrollment', 'device.revoke',
] as const;
export type Action = (typeof ACTIONS)[number];

export function isAction(a: unknown): a is Action {
  return typeof a === 'string' && (ACTIONS as readonly string[]).includes(a);
}

/** Checks a built input against the input schema; returns error text, or undefined when valid. */
export type InputValidator = (input: unknown) => string | undefined;

export interface DecisionDeps {
  db: Database;
  policy: () => PolicyBundle;
  validateInput: InputValidator;
  /** Where decisions are recorded; without one each decision is inserted before it returns. */
  log?: DecisionLog;
  /**
   * Reads a device's context and confirms the asking key is live, in one snapshot (a batching
   * reader in the service). Without one, the context is read alone and the caller is taken as
   * authenticated by the request that asked.
   */
  read?: (deviceId: string, callerKeyId: string) => Promise<DecisionRead>;
}

export interface DecisionRequest {
  accountId: string;
  deviceId: string;
  action: string;
  /** Who asked (an API key id): confirmed live by `read`, and kept in the decision log. */
  caller: string;
}

export interface Decision extends DecisionResult {
  decisionId: string;
  deviceState: DeviceState;
  policyRevision: string;
}

/** Evaluates one device; an input that fails its schema is a service fault, never an allow. */
function evaluate(deps: DecisionDeps, bundle: PolicyBundle, ctx: DeviceContext, action: string, now: Date): DecisionResult {
  const input = buildDecisionInput(ctx, action, now);
  const problem = deps.validateInput(input);
  if (problem !== undefined) throw new Error(`built policy input does not match its schema: ${problem}`);
  return bundle.decide(input);
}

async function logDecision(deps: DecisionDeps, d: Decision, req: DecisionRequest, now: Date): Promise<void> {
  const row = {
    id: d.decisionId, decidedAt: now, accountId: req.accountId, deviceId: req.deviceId, action: req.action, allow: d.allow,
    reasons: d.reasons, obligations: d.obligations, deviceState: d.deviceState, policyRevision: d.policyRevision, caller: req.caller,
  };
  if (deps.log) return deps.log.write(row);
  await insertDecisionRows(deps.db, [row]);
}

async function accountExists(q: Queryable, accountId: string): Promise<boolean> {
  return (await q.query('SELECT 1 FROM accounts WHERE id = $1', [accountId])).rowCount > 0;
}

export async function decide(deps: DecisionDeps, req: DecisionRequest, now: Date = new Date()): Promise<Decision> {
  if (!isAction(req.action)) throw new TrustError(400, 'unknown_action', `unknown action "${req.action}"; expected one of ${ACTIONS.join(', ')}`);
  const { context: ctx, callerLive } = deps.read
    ? await deps.read(req.deviceId, req.caller)
    : { context: await loadDeviceContext(deps.db, req.deviceId), callerLive: true };
  // Guard: a key revoked since the request was authenticated decides nothing.
  if (!callerLive) throw new CallerRevokedError(req.caller);
  if (!ctx || ctx.account.id !== req.accountId) {
    if (!(await accountExists(deps.db, req.accountId))) throw new NotFoundError('account_not_found', `no account ${req.accountId}`);
    throw new NotFoundError('device_not_found', `no device ${req.deviceId} in account ${req.accountId}`);
  }
  const bundle = deps.policy();
  const result = evaluate(deps, bundle, ctx, req.action, now);
  const decision: Decision = { decisionId: newTimeOrderedId('dec', now), ...result, deviceState: ctx.device.state, policyRevision: bundle.revision };
  await logDecision(deps, decision, req, now);
  return decision;
}

export interface Recipients {
  accountId: string;
  epoch: number;
  action: Action;
  policyRevision: string;
  devices: Array<{ deviceId: string; state: DeviceState; obligations: string[] }>;
}

/**
 * The devices of an account allowed `action` now, with the account's device-list epoch.
 * The epoch is read before the devices: a list can then only be newer than its epoch,
 * never older, so a receiver that trusts the epoch never keeps a revoked device.
 */
export async function listRecipients(deps: DecisionDeps, accountId: string, action: string, now: Date = new Date()): Promise<Recipients> {
  if (!isAction(action)) throw new TrustError(400, 'unknown_action', `unknown action "${action}"; expected one of ${ACTIONS.join(', ')}`);
  const account = await deps.db.query<{ device_epoch: number }>('SELECT device_epoch FROM accounts WHERE id = $1', [accountId]);
  if (account.rowCount === 0) throw new NotFoundError('account_not_found', `no account ${accountId}`);
  const contexts = await loadAccountDeviceContexts(deps.db, accountId, ['trusted', 'restricted']);
  const bundle = deps.policy();
  const devices: Recipients['devices'] = [];
  for (const ctx of contexts) {
    const r = evaluate(deps, bundle, ctx, action, now);
    if (r.allow) devices.push({ deviceId: ctx.device.id, state: ctx.device.state, obligations: r.obligations });
  }
  return { accountId, epoch: account.rows[0].device_epoch, action, policyRevision: bundle.revision, devices };
}
