-- kairos schema 3: the accounts of the HTTP API (ports/accounts.h). Only hashes of secrets: a
-- password as its Argon2id string, session, CSRF and API tokens as SHA-256 hex. Instants INTEGER
-- ns since the epoch, UTC; 0 = never.

CREATE TABLE users (
  name TEXT PRIMARY KEY CHECK (name <> ''),
  role TEXT NOT NULL CHECK (role IN ('viewer', 'trader', 'admin')),
  password_hash TEXT NOT NULL CHECK (password_hash <> ''),
  created_ns INTEGER NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1))
) STRICT;

-- A signed-in browser, found by the hash of its cookie's token. Removed with its user.
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY CHECK (token_hash <> ''),
  user TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
  csrf_hash TEXT NOT NULL,
  created_ns INTEGER NOT NULL,
  last_seen_ns INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_by_user ON sessions (user);

-- API tokens for scripts. A revoked token keeps its row (and its name) for the record; `user`
-- outlives the account, which is why it is no foreign key.
CREATE TABLE api_tokens (
  name TEXT PRIMARY KEY CHECK (name <> ''),
  token_hash TEXT NOT NULL UNIQUE CHECK (token_hash <> ''),
  role TEXT NOT NULL CHECK (role IN ('viewer', 'trader', 'admin')),
  user TEXT NOT NULL,
  created_ns INTEGER NOT NULL,
  last_used_ns INTEGER NOT NULL DEFAULT 0,
  revoked_ns INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Consecutive failed sign-ins per key ("user:NAME", "addr:IP"); a key without failures or lock
-- has no row.
CREATE TABLE login_throttle (
  key TEXT PRIMARY KEY,
  failures INTEGER NOT NULL CHECK (failures >= 0),
  locked_until_ns INTEGER NOT NULL
) STRICT;
