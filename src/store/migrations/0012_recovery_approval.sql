-- Separation of duties in recovery: why a recovery was started and by which key, and — when an
-- administrator started it and the organisation wants it — the second administrator (another
-- key, role approver or owner) who approved it. Until then its recovery code is not accepted.
ALTER TABLE account_codes ADD COLUMN reason text;
ALTER TABLE account_codes ADD COLUMN issued_by_key_id text;
ALTER TABLE account_codes ADD COLUMN approval_required boolean NOT NULL DEFAULT false;
ALTER TABLE account_codes ADD COLUMN approved_by_key_id text;
ALTER TABLE account_codes ADD COLUMN approved_by_role text;
ALTER TABLE account_codes ADD COLUMN approval_reason text;
ALTER TABLE account_codes ADD COLUMN approved_at timestamptz;
-- An approval is by another key than the one that started the recovery.
ALTER TABLE account_codes ADD CONSTRAINT account_codes_second_admin CHECK (approved_by_key_id IS NULL OR approved_by_key_id IS DISTINCT FROM issued_by_key_id);
