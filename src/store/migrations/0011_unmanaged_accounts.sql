-- Unmanaged accounts: people using Enigm on their own belong to no organisation. No
-- administrator sees or steers them (every admin query matches the key's organisation, which
-- NULL never equals), and their policy is the service's defaults. Existing accounts keep the
-- organisation they have.
ALTER TABLE accounts ALTER COLUMN org_id DROP NOT NULL;
