/**
 * Epoch acknowledgements: a dependent service states that it now enforces the account's
 * device list as of an epoch. Only the service key that registered the subscriber may speak
 * for it; an epoch the account has not reached yet is refused (it would claim enforcement of
 * a list that does not exist); an older epoch than the one on record never moves it back.
 * Each acknowledgement, and each refusal, is audited.
 */
import { appendAudit, type AuditActor } from '../store/audit.js';
import type { Database } from '../store/database.js';
import { ConflictError, ForbiddenError, NotFoundError, TrustError } from './errors.js';

export interface EpochAckRequest {
  accountId: string;
  subscriberId: string;
  epoch: number;
  /** The service key acknowledging. */
  keyId: string;
}

export interface EpochAck {
  accountId: string;
  subscriberId: string;
  /** The epoch on record after this acknowledgement (never lower than before). */
  epoch: number;
  currentEpoch: number;
  ackedAt: Date;
}

async function check(db: Database, req: EpochAckRequest): Promise<{ orgId: string; currentEpoch: number }> {
  const account = await db.query<{ org_id: string; device_epoch: number }>('SELECT org_id, device_epoch FROM accounts WHERE id = $1', [req.accountId]);
  if (account.rowCount === 0) throw new NotFoundError('account_not_found', `no account ${req.accountId}`);
  const sub = await db.query<{ owner_key_id: string | null }>('SELECT owner_key_id FROM subscribers WHERE id = $1 AND deleted_at IS NULL', [req.subscriberId]);
  if (sub.rowCount === 0) throw new NotFoundError('subscriber_not_found', `no subscriber ${req.subscriberId}`);
  if (sub.rows[0].owner_key_id !== req.keyId) throw new ForbiddenError('not_subscriber_owner', 'only the service key that registered this subscriber may acknowledge epochs for it');
  const { org_id: orgId, device_epoch: currentEpoch } = account.rows[0];
  if (req.epoch > currentEpoch) throw new ConflictError('epoch_in_future', `epoch ${req.epoch} is ahead of the account's device list (epoch ${currentEpoch})`, { currentEpoch });
  return { orgId, currentEpoch };
}

/** Records the acknowledgement; throws a TrustError (after auditing it) when refused. */
export async function acknowledgeEpoch(db: Database, req: EpochAckRequest, actor: AuditActor): Promise<EpochAck> {
  let checked: { orgId: string; currentEpoch: number };
  try {
    checked = await check(db, req);
  } catch (err) {
    if (err instanceof TrustError) {
      await db.transaction((tx) => appendAudit(tx, {
        type: 'fanout.epoch_acknowledged', outcome: 'refused', actor, accountId: err.code === 'account_not_found' ? null : req.accountId,
        details: { subscriberId: req.subscriberId, epoch: req.epoch, refusal: err.code },
      }));
    }
    throw err;
  }
  return db.transaction(async (tx) => {
    const r = await tx.query<{ epoch: number; acked_at: Date }>(
      `INSERT INTO epoch_acks (account_id, subscriber_id, epoch, acked_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (account_id, subscriber_id) DO UPDATE
         SET epoch = GREATEST(epoch_acks.epoch, EXCLUDED.epoch),
             acked_at = CASE WHEN EXCLUDED.epoch >= epoch_acks.epoch THEN EXCLUDED.acked_at ELSE epoch_acks.acked_at END
       RETURNING epoch, acked_at`,
      [req.accountId, req.subscriberId, req.epoch],
    );
    await appendAudit(tx, {
      type: 'fanout.epoch_acknowledged', outcome: 'success', actor, orgId: checked.orgId, accountId: req.accountId,
      details: { subscriberId: req.subscriberId, epoch: req.epoch, recorded: r.rows[0].epoch },
    });
    return { accountId: req.accountId, subscriberId: req.subscriberId, epoch: Number(r.rows[0].epoch), currentEpoch: checked.currentEpoch, ackedAt: new Date(r.rows[0].acked_at) };
  });
}
