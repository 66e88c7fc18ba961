-- A decision reads each device's newest live session. Ordered by creation within the device,
-- the index gives it without a sort (the decision read does this for every device it loads);
-- counting a device's live sessions uses the same index.
CREATE INDEX sessions_device_latest ON sessions (device_id, created_at DESC) WHERE revoked_at IS NULL;
DROP INDEX sessions_device;
