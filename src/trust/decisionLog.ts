/**
 * The decision log, written in batches: a decision returns as soon as it is made and its
 * row joins the next multi-row insert (at most `maxDelayMs` later). A crash can lose that
 * last window of rows — the structured log line of each decision still has them — but
 * the service never waits a database round trip per decision. When the database falls
 * behind, writers wait for room instead of dropping rows.
 */
import type { Queryable } from '../store/database.js';

export interface DecisionLogRow {
  id: string;
  decidedAt: Date;
  accountId: string;
  deviceId: string;
  action: string;
  allow: boolean;
  reasons: string[];
  obligations: string[];
  deviceState: string;
  policyRevision: string;
  caller: string;
}

export interface DecisionLog {
  /** Queues a row; resolves at once, or once there is room when the buffer is full. */
  write(row: DecisionLogRow): Promise<void>;
  /** Writes everything queued so far. */
  flush(): Promise<void>;
  /** Flushes and stops the timer. */
  close(): Promise<void>;
}

export interface DecisionLogOptions {
  maxDelayMs?: number;
  maxBatch?: number;
  /** Rows that may wait at most; beyond it `write` waits for a flush. */
  maxPending?: number;
  onError?: (err: unknown, rows: number) => void;
}

// The batch travels as one JSON parameter: far cheaper to build than eleven typed arrays.
const INSERT = `
INSERT INTO decision_log (id, decided_at, account_id, device_id, action, allow, reasons, obligations, device_state, policy_revision, caller)
SELECT id, decided_at, account_id, device_id, action, allow, reasons, obligations, device_state, policy_revision, caller
  FROM json_to_recordset($1::json) AS r(id text, decided_at timestamptz, account_id text, device_id text, action text, allow boolean,
                                         reasons jsonb, obligations jsonb, device_state text, policy_revision text, caller text)`;

/** Inserts decision rows in one statement. */
export async function insertDecisionRows(q: Queryable, rows: DecisionLogRow[]): Promise<void> {
  await q.query(INSERT, [JSON.stringify(rows.map((r) => ({
    id: r.id, decided_at: r.decidedAt, account_id: r.accountId, device_id: r.deviceId, action: r.action, allow: r.allow,
    reasons: r.reasons, obligations: r.obligations, device_state: r.deviceState, policy_revision: r.policyRevision, caller: r.caller,
  })))]);
}

export function createDecisionLog(q: Queryable, opts: DecisionLogOptions = {}): DecisionLog {
  const maxDelayMs = opts.maxDelayMs ?? 20;
  const maxBatch = opts.maxBatch ?? 500;
  const maxPending = opts.maxPending ?? 5000;
  let pending: DecisionLogRow[] = [];
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const drain = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    // One insert at a time, in order; each takes what is queued when its turn comes.
    inFlight = inFlight.then(async () => {
      while (pending.length > 0) {
        const batch = pending.slice(0, maxBatch);
        pending = pending.slice(batch.length);
        try {
          await insertDecisionRows(q, batch);
        } catch (err) {
          opts.onError?.(err, batch.length);
        }
      }
    });
    return inFlight;
  };

  return {
    async write(row) {
      while (pending.length >= maxPending) await drain();
      pending.push(row);
      if (pending.length >= maxBatch) void drain();
      else timer ??= setTimeout(() => void drain(), maxDelayMs);
    },
    flush: drain,
    close: drain,
  };
}
