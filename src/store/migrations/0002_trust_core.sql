-- Accounts, devices and everything that establishes, changes or records their trust.
-- Identifiers are opaque prefixed strings (acc_, dev_, enr_, …); secrets are stored only as hashes.

CREATE TABLE accounts (
  id                  text PRIMARY KEY,
  org_id              text NOT NULL REFERENCES organisations(id),
  handle              text NOT NULL UNIQUE,
  state               text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'locked', 'disabled')),
  recovery_state      text NOT NULL DEFAULT 'none' CHECK (recovery_state IN ('none', 'recovering')),
  recovery_started_at timestamptz,
  -- Bumped whenever the set of content-eligible devices changes; receivers enforce a list by epoch.
  device_epoch        bigint NOT NULL DEFAULT 0,
  devices_enrolled    integer NOT NULL DEFAULT 0,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX accounts_org ON accounts (org_id);

-- Single-use codes: bootstrap (first device) and recovery (account in recovery).
CREATE TABLE account_codes (
  id          text PRIMARY KEY,
  account_id  text NOT NULL REFERENCES accounts(id),
  kind        text NOT NULL CHECK (kind IN ('bootstrap', 'recovery')),
  code_hash   text NOT NULL UNIQUE,
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX account_codes_account ON account_codes (account_id, kind);

CREATE TABLE devices (
  id                    text PRIMARY KEY,
  account_id            text NOT NULL REFERENCES accounts(id),
  state                 text NOT NULL CHECK (state IN ('pending', 'trusted', 'restricted', 'revoked', 'replaced', 'retired')),
  label                 text NOT NULL,
  platform              text NOT NULL,
  approval_method       text CHECK (approval_method IN ('device', 'admin', 'bootstrap', 'recovery')),
  approved_at           timestamptz,
  replaces_device_id    text REFERENCES devices(id),
  replaced_by_device_id text REFERENCES devices(id),
  state_reason          text,
  counter_anomaly       boolean NOT NULL DEFAULT false,
  last_unlock_at        timestamptz,
  last_unlock_method    text,
  last_seen_at          timestamptz,
  created_at            timestamptz NOT NULL DEFAULT now(),
  state_changed_at      timestamptz NOT NULL DEFAULT now(),
  version               integer NOT NULL DEFAULT 0
);
CREATE INDEX devices_account ON devices (account_id, state);
CREATE INDEX devices_state ON devices (state, platform);

-- WebAuthn credentials: public material only; the raw credential id never leaves the store.
CREATE TABLE credentials (
  id                  text PRIMARY KEY,
  device_id           text NOT NULL UNIQUE REFERENCES devices(id),
  credential_id       text NOT NULL UNIQUE,
  public_key          bytea NOT NULL,
  sign_count          bigint NOT NULL DEFAULT 0,
  transports          text[] NOT NULL DEFAULT '{}',
  backup_eligible     boolean NOT NULL DEFAULT false,
  backed_up           boolean NOT NULL DEFAULT false,
  aaguid              text,
  attestation_format  text NOT NULL DEFAULT 'none',
  user_verified       boolean NOT NULL DEFAULT false,
  created_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE enrollments (
  id                  text PRIMARY KEY,
  account_id          text NOT NULL REFERENCES accounts(id),
  device_id           text NOT NULL UNIQUE REFERENCES devices(id),
  replaces_device_id  text REFERENCES devices(id),
  state               text NOT NULL DEFAULT 'started' CHECK (state IN ('started', 'registered', 'trusted', 'restricted', 'denied', 'expired')),
  requirements        jsonb NOT NULL DEFAULT '[]'::jsonb,
  expires_at          timestamptz NOT NULL,
  created_at          timestamptz NOT NULL DEFAULT now(),
  decided_at          timestamptz,
  version             integer NOT NULL DEFAULT 0
);
CREATE INDEX enrollments_account ON enrollments (account_id, state);

CREATE TABLE approvals (
  id                  text PRIMARY KEY,
  enrollment_id       text NOT NULL REFERENCES enrollments(id),
  method              text NOT NULL CHECK (method IN ('device', 'admin', 'bootstrap', 'recovery')),
  decision            text NOT NULL CHECK (decision IN ('approve', 'deny')),
  approver_device_id  text REFERENCES devices(id),
  approver_key_id     text,
  user_verified       boolean NOT NULL DEFAULT false,
  reason              text,
  created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX approvals_enrollment ON approvals (enrollment_id);

CREATE TABLE sessions (
  id             text PRIMARY KEY,
  token_hash     text NOT NULL UNIQUE,
  device_id      text NOT NULL REFERENCES devices(id),
  account_id     text NOT NULL REFERENCES accounts(id),
  user_verified  boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now(),
  expires_at     timestamptz NOT NULL,
  revoked_at     timestamptz
);
CREATE INDEX sessions_device ON sessions (device_id) WHERE revoked_at IS NULL;

-- Service keys (esk_) and admin keys (eak_): stored as SHA-256 of the random token.
CREATE TABLE api_keys (
  id          text PRIMARY KEY,
  kind        text NOT NULL CHECK (kind IN ('service', 'admin')),
  name        text NOT NULL,
  token_hash  text NOT NULL UNIQUE,
  scopes      text[] NOT NULL DEFAULT '{}',
  org_id      text REFERENCES organisations(id),
  role        text CHECK (role IN ('viewer', 'operator', 'approver', 'auditor')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz,
  CHECK ((kind = 'admin') = (org_id IS NOT NULL AND role IS NOT NULL))
);

CREATE TABLE signals (
  id           text PRIMARY KEY,
  device_id    text NOT NULL REFERENCES devices(id),
  kind         text NOT NULL CHECK (kind IN ('posture', 'managed', 'os_integrity')),
  verified     boolean NOT NULL,
  status       text,
  issuer       text,
  payload      jsonb NOT NULL DEFAULT '{}'::jsonb,
  issued_at    timestamptz NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX signals_latest ON signals (device_id, kind, received_at DESC);

-- Append-only, hash-chained: each record carries the hash of the previous one.
CREATE TABLE audit_events (
  seq          bigint PRIMARY KEY,
  id           text NOT NULL UNIQUE,
  occurred_at  timestamptz NOT NULL,
  org_id       text,
  account_id   text,
  device_id    text,
  actor        jsonb NOT NULL,
  type         text NOT NULL,
  outcome      text NOT NULL CHECK (outcome IN ('success', 'refused')),
  details      jsonb NOT NULL DEFAULT '{}'::jsonb,
  prev_hash    text NOT NULL,
  hash         text NOT NULL
);
CREATE INDEX audit_events_device ON audit_events (device_id, seq);
CREATE INDEX audit_events_account ON audit_events (account_id, seq);
CREATE INDEX audit_events_org ON audit_events (org_id, seq);

CREATE TABLE decision_log (
  id               text PRIMARY KEY,
  decided_at       timestamptz NOT NULL DEFAULT now(),
  account_id       text NOT NULL,
  device_id        text NOT NULL,
  action           text NOT NULL,
  allow            boolean NOT NULL,
  reasons          jsonb NOT NULL,
  obligations      jsonb NOT NULL,
  device_state     text NOT NULL,
  policy_revision  text NOT NULL,
  caller           text NOT NULL
);
CREATE INDEX decision_log_device ON decision_log (device_id, decided_at);

-- Transactional outbox: written with the lifecycle change, relayed to the queue afterwards.
CREATE TABLE outbox (
  id           text PRIMARY KEY,
  seq          bigserial UNIQUE,
  topic        text NOT NULL,
  account_id   text NOT NULL,
  device_id    text NOT NULL,
  payload      jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  relayed_at   timestamptz
);
CREATE INDEX outbox_pending ON outbox (seq) WHERE relayed_at IS NULL;

CREATE TABLE subscribers (
  id          text PRIMARY KEY,
  name        text NOT NULL UNIQUE,
  url         text NOT NULL,
  events      text[] NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  deleted_at  timestamptz
);

CREATE TABLE deliveries (
  id             text PRIMARY KEY,
  outbox_id      text NOT NULL REFERENCES outbox(id),
  subscriber_id  text NOT NULL REFERENCES subscribers(id),
  jti            text NOT NULL UNIQUE,
  status         text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts       integer NOT NULL DEFAULT 0,
  last_error     text,
  last_attempt_at timestamptz,
  delivered_at   timestamptz,
  UNIQUE (outbox_id, subscriber_id)
);

CREATE TABLE epoch_acks (
  account_id     text NOT NULL REFERENCES accounts(id),
  subscriber_id  text NOT NULL REFERENCES subscribers(id),
  epoch          bigint NOT NULL,
  acked_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, subscriber_id)
);
