-- Device linking people can check: the verification code both screens show, whether the
-- approving person confirmed it, short single-use replacement codes, and how far each device
-- has read its account's activity.

-- Six digits derived from the registration challenge and the new credential id (set at /credential).
ALTER TABLE enrollments ADD COLUMN verification_code text;

-- A device approval counts (policy decides) only when the person confirmed the codes matched.
ALTER TABLE approvals ADD COLUMN code_confirmed boolean NOT NULL DEFAULT false;

-- What the old device hands to its replacement: stored as SHA-256 only, single-use, expiring.
CREATE TABLE replacement_codes (
  id             text PRIMARY KEY,
  enrollment_id  text NOT NULL REFERENCES enrollments(id),
  code_hash      text NOT NULL UNIQUE,
  expires_at     timestamptz NOT NULL,
  used_at        timestamptz,
  created_at     timestamptz NOT NULL
);
CREATE INDEX replacement_codes_enrollment ON replacement_codes (enrollment_id);

-- The newest account activity this device's person has seen (the page's "since you last looked").
ALTER TABLE devices ADD COLUMN activity_seen_at timestamptz;
