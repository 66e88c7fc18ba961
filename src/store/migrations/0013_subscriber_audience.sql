-- A subscriber's audience names one receiver: no second active subscriber may take it (a key
-- could otherwise register itself under another service's audience and receive its SETs).
-- A database where two active subscribers already share one is stopped with the audiences named,
-- rather than a bare unique violation: which of them is the real receiver is the operator's call.
DO $$
DECLARE
  shared text;
BEGIN
  SELECT string_agg(quote_literal(audience), ', ' ORDER BY audience) INTO shared
    FROM (SELECT audience FROM subscribers WHERE deleted_at IS NULL GROUP BY audience HAVING count(*) > 1) d;
  IF shared IS NOT NULL THEN
    RAISE EXCEPTION 'active subscribers share an audience (%): delete all but the real receiver of each (DELETE /v1/subscribers/{id}, or set deleted_at) and start again', shared;
  END IF;
END
$$;
CREATE UNIQUE INDEX subscribers_active_audience ON subscribers (audience) WHERE deleted_at IS NULL;
CREATE INDEX subscribers_owner ON subscribers (owner_key_id) WHERE deleted_at IS NULL;
-- Managed statements and attestations are accepted once: replay is looked up by the token's hash.
CREATE INDEX signals_token_sha256 ON signals ((payload->>'token_sha256')) WHERE payload ? 'token_sha256';
