-- kairos schema 1: strategies, signals, orders, fills, positions, daily P&L, universes, state and
-- the audit log. Shipped migrations are never edited: a change is a new file NNN+1 (README.md).
-- Units: money INTEGER minor units of the strategy's currency; prices INTEGER ticks of 1e-8
-- (core/fixed_point.h Price::raw); quantities INTEGER whole units; sessions TEXT 'YYYY-MM-DD';
-- instants INTEGER ns since the epoch, UTC. Enums are stored by name (checked against the known set).
-- STRICT tables: SQLite refuses a value of the wrong type instead of storing it as given.

-- One row per imported version of a strategy; the spec is JSON (codec.cc), so a spec key added later
-- needs no migration. `source` is the exact TOML text, which decides whether an import is new.
CREATE TABLE strategies (
  name TEXT NOT NULL,
  version INTEGER NOT NULL CHECK (version > 0),
  spec TEXT NOT NULL CHECK (json_valid(spec)),
  source TEXT NOT NULL,
  created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  PRIMARY KEY (name, version)
) STRICT;

-- What the CLI changes without a new version.
CREATE TABLE strategy_state (
  name TEXT PRIMARY KEY,
  enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  allocation INTEGER NOT NULL
) STRICT;

CREATE TABLE signals (
  id INTEGER PRIMARY KEY,
  strategy TEXT NOT NULL,
  strategy_version INTEGER NOT NULL,
  symbol TEXT NOT NULL,
  session TEXT NOT NULL,
  side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
  kind TEXT NOT NULL CHECK (kind IN ('entry', 'exit')),
  status TEXT NOT NULL CHECK (status IN ('pending_review', 'approved', 'rejected', 'expired',
                                         'ordered', 'filled', 'partially_filled', 'cancelled',
                                         'failed')),
  terms TEXT NOT NULL CHECK (json_valid(terms)),  -- [[name, value], ...] in rule order
  rank_value REAL,                                -- NULL when none (NaN in memory)
  reason TEXT NOT NULL,
  execute_on TEXT NOT NULL,
  created_ns INTEGER NOT NULL,
  decided_by TEXT NOT NULL DEFAULT '',
  decided_ns INTEGER NOT NULL DEFAULT 0,
  note TEXT NOT NULL DEFAULT '',
  UNIQUE (strategy, symbol, session, side)
) STRICT;
CREATE INDEX signals_by_status ON signals (status);
CREATE INDEX signals_by_execute_on ON signals (execute_on);

CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  client_order_id TEXT NOT NULL UNIQUE CHECK (client_order_id <> ''),
  strategy TEXT NOT NULL,
  signal_id INTEGER NOT NULL,
  symbol TEXT NOT NULL,
  side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
  qty INTEGER NOT NULL CHECK (qty > 0),
  type TEXT NOT NULL CHECK (type IN ('market', 'limit', 'stop', 'stop_limit')),
  tif TEXT NOT NULL CHECK (tif IN ('day', 'opg', 'cls', 'gtc')),
  limit_price INTEGER,  -- Price ticks; NULL when the order has none
  stop_price INTEGER,
  session TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('new', 'submitted', 'accepted', 'partially_filled',
                                         'filled', 'cancelled', 'rejected', 'expired', 'unknown')),
  filled_qty INTEGER NOT NULL DEFAULT 0 CHECK (filled_qty >= 0 AND filled_qty <= qty),
  broker_order_id TEXT NOT NULL DEFAULT '',
  message TEXT NOT NULL DEFAULT '',
  created_ns INTEGER NOT NULL,
  updated_ns INTEGER NOT NULL
) STRICT;
CREATE INDEX orders_by_session ON orders (session);
CREATE INDEX orders_by_status ON orders (status);

-- Applied once each, keyed by the broker's execution id.
CREATE TABLE fills (
  id INTEGER PRIMARY KEY,
  execution_id TEXT NOT NULL UNIQUE CHECK (execution_id <> ''),
  client_order_id TEXT NOT NULL,
  strategy TEXT NOT NULL,
  symbol TEXT NOT NULL,
  side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
  qty INTEGER NOT NULL CHECK (qty > 0),
  price INTEGER NOT NULL,
  fees INTEGER NOT NULL CHECK (fees >= 0),
  session TEXT NOT NULL,
  time_ns INTEGER NOT NULL
) STRICT;
CREATE INDEX fills_by_session ON fills (session, time_ns);
CREATE INDEX fills_by_order ON fills (client_order_id);

-- Open positions only (a closed one is deleted). `lots` is JSON [{opened, qty, price, fees}] in
-- FIFO order; it is always read and written with its position, never queried on its own.
CREATE TABLE positions (
  strategy TEXT NOT NULL,
  symbol TEXT NOT NULL,
  qty INTEGER NOT NULL CHECK (qty <> 0),
  lots TEXT NOT NULL CHECK (json_valid(lots)),
  entry_session TEXT NOT NULL,
  sessions_held INTEGER NOT NULL CHECK (sessions_held >= 0),
  stop INTEGER,
  target INTEGER,
  high_water INTEGER,
  realized INTEGER NOT NULL,
  PRIMARY KEY (strategy, symbol)
) STRICT;

CREATE TABLE daily_pnl (
  strategy TEXT NOT NULL,
  session TEXT NOT NULL,
  realized INTEGER NOT NULL,
  unrealized INTEGER NOT NULL,
  fees INTEGER NOT NULL,
  equity INTEGER NOT NULL,
  cash INTEGER NOT NULL,
  PRIMARY KEY (strategy, session)
) STRICT;
CREATE INDEX daily_pnl_by_session ON daily_pnl (session);

CREATE TABLE universes (
  name TEXT PRIMARY KEY,
  definition TEXT NOT NULL CHECK (json_valid(definition)),
  as_of TEXT NOT NULL,
  members TEXT NOT NULL CHECK (json_valid(members)),  -- sorted JSON array of symbols
  computed_ns INTEGER NOT NULL
) STRICT;

CREATE TABLE state (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE audit (
  id INTEGER PRIMARY KEY,
  time_ns INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL,
  detail TEXT NOT NULL
) STRICT;
CREATE INDEX audit_by_subject ON audit (subject);
