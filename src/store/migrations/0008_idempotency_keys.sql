-- Idempotency-Key: the first answer to a mutating request, kept per caller so that a retry with
-- the same key and the same request gets that answer again instead of acting twice.
-- status is NULL while the first request is still being handled. A response that may not be
-- stored (Cache-Control: no-store, as every response carrying a one-time secret is) keeps no
-- headers or body: kept is false, and a retry learns only that the request already succeeded.
CREATE TABLE idempotency_keys (
  principal     text NOT NULL,
  key           text NOT NULL,
  fingerprint   text NOT NULL,
  created_at    timestamptz NOT NULL,
  completed_at  timestamptz,
  status        integer,
  kept          boolean NOT NULL DEFAULT false,
  headers       jsonb,
  body          text,
  PRIMARY KEY (principal, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
