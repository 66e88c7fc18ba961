-- The database accounts for every delivery's job, so a job Redis lost can be found and replaced:
-- job_generation names the job that carries the delivery now (a re-drive or a reconciliation
-- starts a new one; an older job that still runs finds itself superseded and does nothing),
-- enqueued_at when it was handed over, next_attempt_at when a retry is due. outbox.expanded_at
-- marks the events already turned into deliveries.
ALTER TABLE deliveries ADD COLUMN job_generation integer NOT NULL DEFAULT 0;
ALTER TABLE deliveries ADD COLUMN enqueued_at timestamptz;
ALTER TABLE deliveries ADD COLUMN next_attempt_at timestamptz;
UPDATE deliveries SET job_generation = redrives, enqueued_at = created_at;
ALTER TABLE deliveries ALTER COLUMN enqueued_at SET DEFAULT now();
ALTER TABLE deliveries ALTER COLUMN enqueued_at SET NOT NULL;
-- The few deliveries still pending: by age per subscriber (metrics), and all of them (the reconciler).
CREATE INDEX deliveries_pending_age ON deliveries (subscriber_id, created_at) WHERE status = 'pending';
CREATE INDEX deliveries_pending ON deliveries (id) WHERE status = 'pending';

ALTER TABLE outbox ADD COLUMN expanded_at timestamptz;
-- Rows relayed before this migration were expanded by the workers of their time.
UPDATE outbox SET expanded_at = relayed_at WHERE relayed_at IS NOT NULL;
CREATE INDEX outbox_unexpanded ON outbox (id) WHERE relayed_at IS NOT NULL AND expanded_at IS NULL;
