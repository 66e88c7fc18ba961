-- Enrollment details the trust core's tables do not hold yet.

-- The device an anonymous enrollment says it replaces. Unchecked when written (checking would
-- reveal which devices exist); it takes effect only when a recovery code is accepted, and is
-- then copied to replaces_device_id.
ALTER TABLE enrollments ADD COLUMN claimed_replaces_device_id text;

-- The administrator's role when they decided, so later key changes do not rewrite history.
ALTER TABLE approvals ADD COLUMN approver_role text;

-- Which enrollments a device vouched for (a device under review, a cloned authenticator).
CREATE INDEX IF NOT EXISTS approvals_approver ON approvals (approver_device_id) WHERE approver_device_id IS NOT NULL;
