-- kairos schema 2: the scheduler's run claims and history, and the notification outbox
-- (ports/job_runs.h, ports/outbox.h). Instants INTEGER ns since the epoch, UTC; 0 = not yet.

-- One row per (job, scheduled instant): inserting it is the claim, so a run happens at most once
-- across processes and restarts. Status by name (ports::JobRunStatusName).
CREATE TABLE job_runs (
  id INTEGER PRIMARY KEY,
  job TEXT NOT NULL CHECK (job <> ''),
  scheduled_ns INTEGER NOT NULL,
  started_ns INTEGER NOT NULL DEFAULT 0,
  finished_ns INTEGER NOT NULL DEFAULT 0,
  retry_at_ns INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL CHECK (status IN ('running', 'retrying', 'succeeded', 'failed', 'skipped')),
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  message TEXT NOT NULL DEFAULT '',
  UNIQUE (job, scheduled_ns)
) STRICT;
-- History over every job: newest scheduled instant first (History of one job and Last use the
-- UNIQUE index). Unfinished: a partial index of the runs a restart must resolve.
CREATE INDEX job_runs_by_scheduled ON job_runs (scheduled_ns, id);
CREATE INDEX job_runs_unfinished ON job_runs (scheduled_ns, id)
  WHERE status IN ('running', 'retrying');

-- Messages written in the transaction of the change they report, delivered at least once later.
-- `key` makes an enqueue idempotent: one message per key, ever.
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind <> ''),
  text TEXT NOT NULL,
  silent INTEGER NOT NULL CHECK (silent IN (0, 1)),
  key TEXT NOT NULL CHECK (key <> ''),
  payload TEXT NOT NULL,
  created_ns INTEGER NOT NULL,
  sent_ns INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  last_error TEXT NOT NULL DEFAULT '',
  external_id TEXT NOT NULL DEFAULT '',
  UNIQUE (key)
) STRICT;
-- Pending: the unsent messages in id order.
CREATE INDEX outbox_pending ON outbox (id) WHERE sent_ns = 0;
CREATE INDEX outbox_by_kind ON outbox (kind, id);
