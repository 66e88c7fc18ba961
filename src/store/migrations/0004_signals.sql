-- Where an organisation's signed device signals come from: its MDM connector (managed-device
-- statements) and its Enigm OS attestation keys. One source per organisation and kind; the key set
-- holds several public keys at once so a signer can rotate without downtime (publish old + new,
-- then drop the old). Public keys only: the service never holds a connector's signing key.
CREATE TABLE signal_sources (
  org_id           text NOT NULL REFERENCES organisations(id),
  kind             text NOT NULL CHECK (kind IN ('managed', 'os_integrity')),
  issuer           text NOT NULL,
  -- The `aud` a statement must carry; null means this service's own origin.
  audience         text,
  -- {"keys": [JWK, …]}: validated public verification keys (ES256 / EdDSA), each with a kid.
  jwks             jsonb NOT NULL,
  -- How old a statement may be, in seconds; null means the organisation's setting or the default.
  max_age_seconds  integer CHECK (max_age_seconds > 0),
  version          integer NOT NULL DEFAULT 1,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, kind)
);
