-- Revocation fan-out: the Security Event Token signing key shared by every instance, subscriber
-- audiences and ownership, delivery bookkeeping, and the indexes the status views need.

-- One active key per purpose. The private half is sealed (AES-256-GCM under a key derived from
-- ID_SECRET), so a copy of the database alone does not let anyone sign events.
CREATE TABLE signing_keys (
  purpose             text PRIMARY KEY CHECK (purpose IN ('set')),
  kid                 text NOT NULL UNIQUE,
  alg                 text NOT NULL CHECK (alg = 'ES256'),
  public_jwk          jsonb NOT NULL,
  sealed_private_jwk  text NOT NULL,
  created_at          timestamptz NOT NULL DEFAULT now()
);

-- A deleted subscriber's name may be registered again.
ALTER TABLE subscribers DROP CONSTRAINT subscribers_name_key;
CREATE UNIQUE INDEX subscribers_active_name ON subscribers (name) WHERE deleted_at IS NULL;
-- `aud` of every SET sent to the subscriber; the service key that registered it (only that key
-- may acknowledge epochs for it).
ALTER TABLE subscribers ADD COLUMN audience text;
ALTER TABLE subscribers ADD COLUMN owner_key_id text;
UPDATE subscribers SET audience = 'urn:enigm:trust:subscriber:' || id WHERE audience IS NULL;
ALTER TABLE subscribers ALTER COLUMN audience SET NOT NULL;

ALTER TABLE deliveries ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE deliveries ADD COLUMN redrives integer NOT NULL DEFAULT 0;
CREATE INDEX deliveries_subscriber_status ON deliveries (subscriber_id, status);

CREATE INDEX outbox_device ON outbox (device_id, seq);
