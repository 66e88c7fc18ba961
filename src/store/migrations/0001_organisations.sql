-- Organisations own accounts and administrators; every admin query is scoped by one.
CREATE TABLE organisations (
  id          text PRIMARY KEY,
  name        text NOT NULL UNIQUE,
  -- A managed organisation's devices are also governed by its MDM statements and settings.
  managed     boolean NOT NULL DEFAULT false,
  settings    jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at  timestamptz NOT NULL DEFAULT now()
);
