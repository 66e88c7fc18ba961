-- The enrollment sweep finds open enrollments past their time without reading the closed ones.
CREATE INDEX enrollments_open_expiry ON enrollments (expires_at, id) WHERE state IN ('started', 'registered');
