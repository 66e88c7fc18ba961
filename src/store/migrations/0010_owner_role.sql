-- The organisation's owner: keeps its policy settings and issues and revokes its admin keys.
ALTER TABLE api_keys DROP CONSTRAINT api_keys_role_check;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_role_check CHECK (role IN ('owner', 'operator', 'approver', 'viewer', 'auditor'));
