-- A subscriber's audience names one receiver: no second active subscriber may take it (a key
-- could otherwise register itself under another service's audience and receive its SETs).
CREATE UNIQUE INDEX subscribers_active_audience ON subscribers (audience) WHERE deleted_at IS NULL;
CREATE INDEX subscribers_owner ON subscribers (owner_key_id) WHERE deleted_at IS NULL;
-- Managed statements and attestations are accepted once: replay is looked up by the token's hash.
CREATE INDEX signals_token_sha256 ON signals ((payload->>'token_sha256')) WHERE payload ? 'token_sha256';
