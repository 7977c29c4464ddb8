#include "adapters/sqlite/sqlite_store.h"

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/sqlite/migrations.h"
#include "adapters/sqlite/sqlite_db.h"
#include "adapters/sqlite/sqlite_store_internal.h"
#include "ports/testing/store_contract_test.h"

namespace kairos::adapters::sqlite {
namespace {

namespace fs = std::filesystem;
using ports::store_contract::D;
using ports::store_contract::MakeFill;
using ports::store_contract::MakeOrder;
using ports::store_contract::MakePosition;
using ports::store_contract::MakeSignal;
using ports::store_contract::Q;
using ports::store_contract::SimpleSpec;
using ::testing::IsEmpty;

// A fresh directory per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    // tmpfs when there is one: synchronous=FULL fsyncs on every commit, free there.
    std::error_code ec;
    fs::path base =
        fs::is_directory("/dev/shm", ec) ? fs::path("/dev/shm") : fs::temp_directory_path();
    std::string pattern = (base / "kairos_sqlite_XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  fs::path file(const char* name = "kairos.db") const { return path_ / name; }

 private:
  fs::path path_;
};

// Raw SQL on a separate connection: what is really in the file, independent of the store.
int64_t CountRows(const fs::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
  int64_t n = -1;
  if (sqlite3_step(stmt) == SQLITE_ROW) n = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return n;
}

void ExecRaw(const fs::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
      << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

std::unique_ptr<ports::Store> MustOpen(const fs::path& file, const StoreOptions& options = {}) {
  auto store = OpenStore(file, options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return nullptr;
  return std::move(store).value();
}

// ------------------------------------------------------------------------------------------
// Opening and migrations

TEST(SqliteOpenTest, FreshFileIsMigratedToTheLatestVersion) {
  TempDir dir;
  auto store = MustOpen(dir.file());
  ASSERT_NE(store, nullptr);
  EXPECT_GE(LatestSchemaVersion(), 1);
  EXPECT_EQ(CountRows(dir.file(), "SELECT COUNT(*) FROM schema_migrations"), LatestSchemaVersion());
  EXPECT_EQ(CountRows(dir.file(), "SELECT MAX(version) FROM schema_migrations"),
            LatestSchemaVersion());
  EXPECT_EQ(CountRows(dir.file(),
                      "SELECT COUNT(*) FROM schema_migrations WHERE version = 1 AND "
                      "name = 'initial' AND applied_at LIKE '20%Z'"),
            1);
  for (const char* table : {"strategies", "strategy_state", "signals", "orders", "fills",
                            "positions", "daily_pnl", "universes", "state", "audit", "job_runs",
                            "outbox", "users", "sessions", "api_tokens", "login_throttle"}) {
    EXPECT_EQ(CountRows(dir.file(), std::string("SELECT COUNT(*) FROM sqlite_schema WHERE type = "
                                                "'table' AND name = '") +
                                        table + "'"),
              1)
        << table;
  }
}

// A database written by a kairos without the scheduler (schema 1) gains job_runs and outbox at
// the next open and keeps its rows.
TEST(SqliteOpenTest, ASchemaOneDatabaseIsUpgradedKeepingItsRows) {
  TempDir dir;
  {
    auto db = Db::Open(dir.file());
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(ApplyMigrations(**db, EmbeddedMigrations().first(1)).ok());
    ASSERT_TRUE((*db)->Exec("INSERT INTO state (key, value) VALUES ('halt', '1')", "test").ok());
  }
  auto store = MustOpen(dir.file());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(CountRows(dir.file(), "SELECT MAX(version) FROM schema_migrations"),
            LatestSchemaVersion());
  EXPECT_EQ(CountRows(dir.file(),
                      "SELECT COUNT(*) FROM schema_migrations WHERE version = 2 AND "
                      "name = 'job_runs_outbox'"),
            1);
  EXPECT_EQ(store->state().Get("halt").value_or(std::nullopt), std::optional<std::string>("1"));
  EXPECT_TRUE(store->job_runs().Claim("heartbeat", 1, 1).ok());
  EXPECT_TRUE(store->outbox().Enqueue({.kind = "daemon.heartbeat", .key = "hb:1"}).ok());
}

TEST(SqliteOpenTest, EveryMigrationFileIsEmbedded) {
  int files = 0;
  for (const auto& entry :
       fs::directory_iterator(fs::path(KAIROS_SOURCE_DIR) / "src/adapters/sqlite/migrations")) {
    if (entry.path().extension() == ".sql") ++files;
  }
  EXPECT_EQ(files, LatestSchemaVersion());
}

TEST(SqliteOpenTest, ReopeningAppliesNothingAndKeepsData) {
  TempDir dir;
  {
    auto store = MustOpen(dir.file());
    ASSERT_TRUE(store->state().Put("halt", "1").ok());
  }
  ExecRaw(dir.file(), "UPDATE schema_migrations SET applied_at = 'marker'");
  auto store = MustOpen(dir.file());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(CountRows(dir.file(), "SELECT COUNT(*) FROM schema_migrations"), LatestSchemaVersion());
  EXPECT_EQ(CountRows(dir.file(),
                      "SELECT COUNT(*) FROM schema_migrations WHERE applied_at = "
                      "'marker'"),
            LatestSchemaVersion());
  auto halt = store->state().Get("halt");
  ASSERT_TRUE(halt.ok());
  EXPECT_EQ(*halt, std::optional<std::string>("1"));
}

TEST(SqliteOpenTest, NewerDatabaseIsRefusedAndLeftAlone) {
  TempDir dir;
  { ASSERT_NE(MustOpen(dir.file()), nullptr); }
  int future = LatestSchemaVersion() + 6;
  ExecRaw(dir.file(), "INSERT INTO schema_migrations (version, name) VALUES (" +
                          std::to_string(future) + ", 'from_the_future')");
  auto store = OpenStore(dir.file());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store.status().message(),
            "opening store " + dir.file().string() + ": database schema " + std::to_string(future) +
                " is newer than this kairos (" + std::to_string(LatestSchemaVersion()) +
                "); upgrade kairos");
  EXPECT_EQ(CountRows(dir.file(), "SELECT COUNT(*) FROM schema_migrations"),
            LatestSchemaVersion() + 1);
}

TEST(SqliteOpenTest, MigrationRecordedUnderAnotherNameIsCorruption) {
  TempDir dir;
  { ASSERT_NE(MustOpen(dir.file()), nullptr); }
  ExecRaw(dir.file(), "UPDATE schema_migrations SET name = 'something_else' WHERE version = 1");
  auto store = OpenStore(dir.file());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(store.status().message(),
            "opening store " + dir.file().string() +
                ": database migration 1 is 'something_else' but this kairos has 'initial' under "
                "that number");
}

TEST(SqliteOpenTest, FileThatIsNotADatabaseIsRefused) {
  TempDir dir;
  {
    std::FILE* f = std::fopen(dir.file().c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("this is not an SQLite database, just some text long enough for a header.....\n", f);
    std::fclose(f);
  }
  auto store = OpenStore(dir.file());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kCorruption);
  EXPECT_THAT(store.status().message(), ::testing::HasSubstr("file is not a database"));
}

TEST(SqliteOpenTest, MissingDirectoryIsAnIOError) {
  TempDir dir;
  auto store = OpenStore(dir.file("no/such/dir/kairos.db"));
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kIOError);
  EXPECT_THAT(store.status().message(), ::testing::HasSubstr("unable to open database file"));
}

TEST(SqliteOpenTest, ReadOnlyOpenReadsWhatIsStoredAndWritesNothing) {
  TempDir dir;
  {
    auto store = MustOpen(dir.file());
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->state().Put("k", "v").ok());
  }
  auto reader = MustOpen(dir.file(), {.read_only = true});
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(reader->state().Get("k").value(), std::optional<std::string>("v"));
  EXPECT_FALSE(reader->state().Put("k", "w").ok());
  EXPECT_EQ(CountRows(dir.file(), "SELECT COUNT(*) FROM state WHERE value = 'v'"), 1);
}

TEST(SqliteOpenTest, ReadOnlyOpenCreatesNoFileAndMigratesNothing) {
  TempDir dir;
  auto missing = OpenStore(dir.file(), {.read_only = true});
  ASSERT_FALSE(missing.ok());
  EXPECT_FALSE(fs::exists(dir.file()));
  {
    sqlite3* db = nullptr;  // an empty database: schema 0
    ASSERT_EQ(sqlite3_open_v2(dir.file().c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                              nullptr),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "PRAGMA journal_mode = WAL", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  auto old = OpenStore(dir.file(), {.read_only = true});
  ASSERT_FALSE(old.ok());
  EXPECT_EQ(old.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(old.status().message(), ::testing::HasSubstr("a read-only open cannot upgrade it"));
  EXPECT_EQ(CountRows(dir.file(), "SELECT COUNT(*) FROM sqlite_schema"), 0);
}

TEST(SqliteOpenTest, FileDatabaseUsesWalFullSyncAndForeignKeys) {
  TempDir dir;
  auto store = MustOpen(dir.file(), {.busy_timeout_ms = 1234});
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(QueryPragma(*store, "journal_mode").value_or(""), "wal");
  EXPECT_EQ(QueryPragma(*store, "synchronous").value_or(""), "2");  // FULL
  EXPECT_EQ(QueryPragma(*store, "foreign_keys").value_or(""), "1");
  EXPECT_EQ(QueryPragma(*store, "busy_timeout").value_or(""), "1234");
}

TEST(SqliteOpenTest, BookkeepingStoreSyncsNormallyInWal) {
  TempDir dir;
  auto store = MustOpen(dir.file(), {.sync_every_commit = false});
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(QueryPragma(*store, "journal_mode").value_or(""), "wal");
  EXPECT_EQ(QueryPragma(*store, "synchronous").value_or(""), "1");  // NORMAL
}

TEST(SqliteOpenTest, InMemoryDatabaseWorksWithoutWal) {
  auto store = MustOpen(":memory:");
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(QueryPragma(*store, "journal_mode").value_or(""), "memory");
  EXPECT_EQ(QueryPragma(*store, "synchronous").value_or(""), "2");
  ASSERT_TRUE(store->state().Put("k", "v").ok());
  EXPECT_EQ(store->state().Get("k").value_or(std::nullopt), std::optional<std::string>("v"));
  // Each in-memory store is private.
  auto other = MustOpen(":memory:");
  EXPECT_EQ(other->state().Get("k").value_or("x"), std::nullopt);
}

// ------------------------------------------------------------------------------------------
// The store contract (ports/testing/store_contract_test.h) on a file database, counted through
// another connection; below it, what only the SQLite store has: its texts for CHECK constraints,
// rows it cannot read, transactions seen from another connection.

struct SqliteTraits {
  struct Env {
    TempDir dir;
    std::unique_ptr<ports::Store> store;
  };
  static std::unique_ptr<Env> Open() {
    auto env = std::make_unique<Env>();
    env->store = MustOpen(env->dir.file());
    if (env->store == nullptr) return nullptr;
    return env;
  }
  static ports::Store& StoreOf(Env& env) { return *env.store; }
  static void Reopen(Env& env) {
    env.store.reset();
    env.store = MustOpen(env.dir.file());
  }
  static int64_t Count(Env& env, std::string_view table) {
    return CountRows(env.dir.file(), "SELECT COUNT(*) FROM " + std::string(table));
  }
};

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = MustOpen(dir_.file());
    ASSERT_NE(store_, nullptr);
  }
  ports::Store& store() { return *store_; }
  int64_t Count(const std::string& sql) { return CountRows(dir_.file(), sql); }

  TempDir dir_;
  std::unique_ptr<ports::Store> store_;
};

TEST_F(SqliteStoreTest, ARowThisKairosCannotReadIsCorruption) {
  ASSERT_TRUE(store().strategies().Import(SimpleSpec("s"), "t").ok());
  ASSERT_TRUE(store().signals().Insert(MakeSignal("GOOG", D(2024, 3, 1))).ok());
  ExecRaw(dir_.file(), R"(UPDATE strategies SET spec = '{"timeframe": "hourly"}';
                         UPDATE signals SET session = '2024-02-30';)");
  EXPECT_EQ(store().strategies().Get("s").status(),
            Status::Corruption(
                "stored strategy spec: stored timeframe 'hourly' is not one kairos knows"));
  EXPECT_EQ(store().strategies().List().status().code(), StatusCode::kCorruption);
  EXPECT_EQ(store().signals().List({}).status(),
            Status::Corruption("stored date '2024-02-30' is not YYYY-MM-DD"));
}

TEST_F(SqliteStoreTest, AStoredUnknownCurrencyIsCorruptionNamingTheStrategy) {
  ASSERT_TRUE(store().strategies().Import(SimpleSpec("s"), "t").ok());
  ExecRaw(dir_.file(),
          R"(UPDATE strategies SET spec = replace(spec, '"currency":"USD"', '"currency":"XYZ"');)");
  const Status corrupt = Status::Corruption(
      "stored strategy spec: strategy 's': stored currency 'XYZ' is not one kairos knows");
  EXPECT_EQ(store().strategies().Get("s").status(), corrupt);
  EXPECT_EQ(store().strategies().List().status(), corrupt);
}

// The texts SQLite gives when a write breaks a CHECK constraint (the contract checks the code).
TEST_F(SqliteStoreTest, OrderWithoutQuantityBreaksACheckWithTheSqlContext) {
  Order zero = MakeOrder("zero");
  zero.request.qty = Q(0);
  auto created = store().orders().Create(zero);
  EXPECT_EQ(
      created.status(),
      Status::InvalidArgument("sqlite: CHECK constraint failed: qty > 0 (while creating order)"));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM orders"), 0);
}

TEST_F(SqliteStoreTest, OrderUpdateBeyondTheQuantityNamesTheCheck) {
  Order o = store().orders().Create(MakeOrder("over")).value();
  o.filled_qty = Q(11);
  o.status = OrderStatus::kFilled;
  Status status = store().orders().Update(o);
  EXPECT_EQ(status, Status::InvalidArgument("sqlite: CHECK constraint failed: filled_qty >= 0 AND "
                                            "filled_qty <= qty (while updating order)"));
  EXPECT_EQ(store().orders().GetByClientId("over").value()->filled_qty, Q(0));
}

TEST_F(SqliteStoreTest, FillAndPositionChecksNameTheConstraint) {
  Fill fill = MakeFill("E-1", D(2024, 3, 4), 1);
  fill.fees = -1;
  EXPECT_EQ(
      store().ledger().RecordFill(fill, "s1").status(),
      Status::InvalidArgument("sqlite: CHECK constraint failed: fees >= 0 (while recording fill)"));
  Position p = MakePosition("s1", "GOOG");
  p.sessions_held = -1;
  EXPECT_EQ(store().ledger().PutPosition(p),
            Status::InvalidArgument(
                "sqlite: CHECK constraint failed: sessions_held >= 0 (while storing position)"));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM fills"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM positions"), 0);
}

TEST_F(SqliteStoreTest, AJoinedInnerTransactionIsInvisibleToAnotherConnectionUntilCommit) {
  Status status = store().InTransaction([&]() -> Status {
    KAIROS_RETURN_IF_ERROR(store().state().Put("outer", "1"));
    KAIROS_RETURN_IF_ERROR(
        store().InTransaction([&] { return store().state().Put("inner", "1"); }));
    // Joined, not committed on its own: another connection does not see it yet.
    EXPECT_EQ(Count("SELECT COUNT(*) FROM state"), 0);
    return Status::Ok();
  });
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM state"), 2);
}

// An exception that is no std::exception (a body's own type, thrown from the outer body or a
// joined inner one) rolls the transaction back and goes on to the caller; the connection is not
// left inside a transaction that every later call would join and never commit.
TEST_F(SqliteStoreTest, AnExceptionThatIsNoStdExceptionRollsBackAndPropagates) {
  for (bool from_inner : {false, true}) {
    EXPECT_THROW((void)store().InTransaction([&]() -> Status {
      EXPECT_TRUE(store().state().Put("k1", "1").ok());
      if (!from_inner) throw 42;
      return store().InTransaction([&]() -> Status { throw 42; });
    }),
                 int);
    EXPECT_EQ(store().state().Get("k1").value_or("x"), std::nullopt);
    EXPECT_TRUE(store().InTransaction([&] { return store().state().Put("k2", "1"); }).ok());
    // Committed: another connection sees it.
    EXPECT_EQ(Count("SELECT COUNT(*) FROM state WHERE key = 'k2'"), 1);
    ASSERT_TRUE(store().state().Erase("k2").ok());
  }
}

// ------------------------------------------------------------------------------------------
// Durability and several connections

TEST(SqliteDurabilityTest, ACrashLosesOnlyTheUncommittedTransaction) {
  TempDir dir;
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The child must not run gtest's machinery: plain checks and _exit codes.
    auto store = OpenStore(dir.file());
    if (!store.ok()) _exit(10);
    if (!(*store)->signals().Insert(MakeSignal("COMMITTED", D(2024, 3, 1))).ok()) _exit(11);
    Status never = (*store)->InTransaction([&]() -> Status {
      if (!(*store)->signals().Insert(MakeSignal("LOST", D(2024, 3, 1))).ok()) _exit(12);
      if (!(*store)->orders().Create(MakeOrder("lost-order")).ok()) _exit(13);
      _exit(0);  // the process dies mid-transaction: no COMMIT, no ROLLBACK, no destructors
    });
    _exit(14);
  }
  int wstatus = 0;
  ASSERT_EQ(waitpid(child, &wstatus, 0), child);
  ASSERT_TRUE(WIFEXITED(wstatus));
  ASSERT_EQ(WEXITSTATUS(wstatus), 0);

  auto store = MustOpen(dir.file());
  ASSERT_NE(store, nullptr);
  auto signals = store->signals().List({});
  ASSERT_TRUE(signals.ok());
  ASSERT_EQ(signals->size(), 1u);
  EXPECT_EQ((*signals)[0].symbol, "COMMITTED");
  EXPECT_THAT(store->orders().List({}).value(), IsEmpty());
  // The database is writable again (no lock left behind).
  EXPECT_TRUE(store->signals().Insert(MakeSignal("AFTER", D(2024, 3, 1)))->second);
}

TEST(SqliteConcurrencyTest, TwoStoresOnOneFileSeeEachOthersCommits) {
  TempDir dir;
  auto first = MustOpen(dir.file());
  auto second = MustOpen(dir.file());
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  ASSERT_TRUE(first->state().Put("halt", "1").ok());
  EXPECT_EQ(second->state().Get("halt").value_or(std::nullopt), std::optional<std::string>("1"));
  ASSERT_TRUE(second->orders().Create(MakeOrder("from-second")).ok());
  EXPECT_TRUE(first->orders().GetByClientId("from-second").value().has_value());
  // An uncommitted transaction of one is invisible to the other.
  Status status = first->InTransaction([&]() -> Status {
    KAIROS_RETURN_IF_ERROR(first->state().Put("pending", "1"));
    EXPECT_EQ(second->state().Get("pending").value_or("x"), std::nullopt);
    return Status::Ok();
  });
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(second->state().Get("pending").value_or(std::nullopt), std::optional<std::string>("1"));
}

TEST(SqliteConcurrencyTest, AWriterBlockedPastItsBusyTimeoutIsUnavailable) {
  TempDir dir;
  auto holder = MustOpen(dir.file());
  auto impatient = MustOpen(dir.file(), {.busy_timeout_ms = 0});
  ASSERT_NE(holder, nullptr);
  ASSERT_NE(impatient, nullptr);
  Status blocked;
  Status status = holder->InTransaction([&]() -> Status {
    KAIROS_RETURN_IF_ERROR(holder->state().Put("mine", "1"));
    blocked = impatient->state().Put("theirs", "1");
    return Status::Ok();
  });
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(blocked, Status::Unavailable("sqlite: database is locked (while storing state)"));
  EXPECT_EQ(impatient->state().Get("theirs").value_or("x"), std::nullopt);
  EXPECT_TRUE(impatient->state().Put("theirs", "1").ok());  // free again
}

TEST(SqliteConcurrencyTest, ATransactionThatCannotBeginDoesNotRunItsBody) {
  TempDir dir;
  auto holder = MustOpen(dir.file());
  auto impatient = MustOpen(dir.file(), {.busy_timeout_ms = 0});
  ASSERT_NE(holder, nullptr);
  ASSERT_NE(impatient, nullptr);
  bool ran = false;
  Status blocked;
  ASSERT_TRUE(holder
                  ->InTransaction([&]() -> Status {
                    blocked = impatient->InTransaction([&] {
                      ran = true;
                      return Status::Ok();
                    });
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(blocked,
            Status::Unavailable("sqlite: database is locked (while beginning a transaction)"));
  EXPECT_FALSE(ran);
}

// The busy timeout (StoreOptions, 5 s by default) makes a writer wait for another process's write
// transaction to commit instead of failing with "database is locked".
TEST(SqliteConcurrencyTest, AWriterWaitsForAnotherProcessesOpenWriteTransaction) {
  TempDir dir;
  auto store = MustOpen(dir.file());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(QueryPragma(*store, "busy_timeout").value_or(""), "5000");
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(ready[0]);
    auto holder = OpenStore(dir.file());
    if (!holder.ok()) _exit(10);
    Status held = (*holder)->InTransaction([&]() -> Status {
      KAIROS_RETURN_IF_ERROR((*holder)->state().Put("holder", "1"));
      char c = '1';
      if (write(ready[1], &c, 1) != 1) _exit(11);
      usleep(300'000);
      return Status::Ok();
    });
    _exit(held.ok() ? 0 : 12);
  }
  close(ready[1]);
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1);  // the child holds the write lock
  close(ready[0]);
  auto begin = std::chrono::steady_clock::now();
  auto claimed = store->job_runs().Claim("scan.daily", 100, 1);
  auto waited = std::chrono::steady_clock::now() - begin;
  EXPECT_TRUE(claimed.ok()) << claimed.status().ToString();
  EXPECT_GE(waited, std::chrono::milliseconds(200));
  EXPECT_EQ(store->state().Get("holder").value_or(std::nullopt), std::optional<std::string>("1"));
  int wstatus = 0;
  ASSERT_EQ(waitpid(child, &wstatus, 0), child);
  ASSERT_TRUE(WIFEXITED(wstatus));
  EXPECT_EQ(WEXITSTATUS(wstatus), 0);
}

// Two processes claim the same instants of one job at the same time: each instant has exactly
// one winner, and the other process is handed the winner's run.
TEST(SqliteConcurrencyTest, TwoProcessesClaimingTheSameInstantsHaveOneWinnerEach) {
  TempDir dir;
  ASSERT_NE(MustOpen(dir.file()), nullptr);  // migrated before the race
  constexpr int kInstants = 200;
  struct Claimed {
    int64_t id = 0;
    int64_t won = 0;
  };
  int start[2];
  ASSERT_EQ(pipe(start), 0);
  std::vector<std::pair<pid_t, int>> children;  // (pid, read end of its results)
  for (int c = 0; c < 2; ++c) {
    int out[2];
    ASSERT_EQ(pipe(out), 0);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(start[1]);
      close(out[0]);
      auto store = OpenStore(dir.file());
      if (!store.ok()) _exit(10);
      char go = 0;
      if (read(start[0], &go, 1) != 0) _exit(11);  // end of file: the parent says go
      for (int i = 0; i < kInstants; ++i) {
        auto claimed = (*store)->job_runs().Claim("scan.daily", i, c + 1);
        if (!claimed.ok()) _exit(12);
        Claimed record{claimed->first.id, claimed->second ? 1 : 0};
        if (write(out[1], &record, sizeof record) != sizeof record) _exit(13);
      }
      _exit(0);
    }
    close(out[1]);
    children.emplace_back(pid, out[0]);
  }
  close(start[0]);
  close(start[1]);  // both go
  std::vector<std::vector<Claimed>> results;
  for (auto [pid, fd] : children) {
    std::vector<Claimed> records(kInstants);
    size_t want = records.size() * sizeof(Claimed);
    size_t got = 0;
    auto* bytes = reinterpret_cast<char*>(records.data());
    while (got < want) {
      ssize_t n = read(fd, bytes + got, want - got);
      if (n <= 0) break;
      got += static_cast<size_t>(n);
    }
    close(fd);
    EXPECT_EQ(got, want);
    int wstatus = 0;
    ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
    ASSERT_TRUE(WIFEXITED(wstatus));
    EXPECT_EQ(WEXITSTATUS(wstatus), 0);
    results.push_back(std::move(records));
  }
  int wins_of_first = 0;
  for (int i = 0; i < kInstants; ++i) {
    EXPECT_EQ(results[0][i].won + results[1][i].won, 1) << "instant " << i;
    EXPECT_EQ(results[0][i].id, results[1][i].id) << "instant " << i;
    wins_of_first += static_cast<int>(results[0][i].won);
  }
  EXPECT_EQ(CountRows(dir.file(), "SELECT COUNT(*) FROM job_runs"), kInstants);
  // The winner's run: started by the process that won it.
  EXPECT_EQ(CountRows(dir.file(), "SELECT COUNT(*) FROM job_runs WHERE started_ns = 1"),
            wins_of_first);
}

TEST(SqliteConcurrencyTest, VersionsFromTwoStoresFollowEachOther) {
  TempDir dir;
  auto first = MustOpen(dir.file());
  auto second = MustOpen(dir.file());
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(first->strategies().Import(SimpleSpec("s"), "one")->first.version, 1);
  EXPECT_EQ(second->strategies().Import(SimpleSpec("s"), "two")->first.version, 2);
  EXPECT_EQ(first->strategies().Import(SimpleSpec("s"), "three")->first.version, 3);
  EXPECT_FALSE(second->strategies().Import(SimpleSpec("s"), "three")->second);
}

}  // namespace
}  // namespace kairos::adapters::sqlite

namespace kairos::ports::store_contract {
INSTANTIATE_TYPED_TEST_SUITE_P(Sqlite, StoreContractTest, adapters::sqlite::SqliteTraits);
}  // namespace kairos::ports::store_contract
