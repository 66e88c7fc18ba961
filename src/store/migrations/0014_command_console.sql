-- The Command console's administrators: people, not keys. An owner invites one (a name and a
-- role of the organisation); the invitation is a one-time code, stored only as its hash, that
-- lets the invitee register a passkey; that passkey then opens short admin sessions, stored
-- only as token hashes, ended at sign-out, on expiry, and at once when the administrator is removed.
CREATE TABLE administrators (
  id               text PRIMARY KEY,
  org_id           text NOT NULL REFERENCES organisations(id),
  name             text NOT NULL,
  role             text NOT NULL CHECK (role IN ('owner', 'operator', 'approver', 'viewer', 'auditor')),
  -- The WebAuthn user handle of this administrator's passkeys: random, never an id or a name.
  webauthn_user_id bytea NOT NULL UNIQUE,
  invited_by       jsonb NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  activated_at     timestamptz,
  removed_at       timestamptz
);
CREATE INDEX administrators_org ON administrators (org_id, created_at);

CREATE TABLE admin_invitations (
  id               text PRIMARY KEY,
  administrator_id text NOT NULL REFERENCES administrators(id),
  code_hash        text NOT NULL UNIQUE,
  created_at       timestamptz NOT NULL DEFAULT now(),
  expires_at       timestamptz NOT NULL,
  used_at          timestamptz
);
CREATE INDEX admin_invitations_administrator ON admin_invitations (administrator_id);

CREATE TABLE admin_credentials (
  id               text PRIMARY KEY,
  administrator_id text NOT NULL REFERENCES administrators(id),
  credential_id    text NOT NULL UNIQUE,
  public_key       bytea NOT NULL,
  sign_count       bigint NOT NULL DEFAULT 0,
  transports       text[] NOT NULL DEFAULT '{}',
  created_at       timestamptz NOT NULL DEFAULT now(),
  last_used_at     timestamptz
);

CREATE TABLE admin_sessions (
  id               text PRIMARY KEY,
  token_hash       text NOT NULL UNIQUE,
  administrator_id text NOT NULL REFERENCES administrators(id),
  created_at       timestamptz NOT NULL,
  expires_at       timestamptz NOT NULL,
  ended_at         timestamptz
);
CREATE INDEX admin_sessions_administrator ON admin_sessions (administrator_id) WHERE ended_at IS NULL;
