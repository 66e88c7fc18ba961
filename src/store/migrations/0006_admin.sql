-- Enigm Command (admin views): indexes for the organisation-scoped lists and audit search.
-- Inventory and replacements page newest first on (created_at, id); the review queue oldest first.
CREATE INDEX devices_created ON devices (created_at DESC, id DESC);
CREATE INDEX devices_last_seen ON devices (last_seen_at);
CREATE INDEX devices_replaces ON devices (replaces_device_id) WHERE replaces_device_id IS NOT NULL;
CREATE INDEX enrollments_queue ON enrollments (state, created_at, id);
CREATE INDEX enrollments_replaces ON enrollments (replaces_device_id) WHERE replaces_device_id IS NOT NULL;
-- Audit search within an organisation, by event type, by actor and by time.
CREATE INDEX audit_events_org_type ON audit_events (org_id, type, seq);
CREATE INDEX audit_events_org_actor ON audit_events (org_id, (actor->>'id'), seq);
CREATE INDEX audit_events_org_time ON audit_events (org_id, occurred_at);
