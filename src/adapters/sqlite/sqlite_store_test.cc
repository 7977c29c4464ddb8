#include "adapters/sqlite/sqlite_store.h"

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/sqlite/sqlite_store_internal.h"

namespace kairos::adapters::sqlite {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

Date D(int y, unsigned m, unsigned d) { return Date::FromYmd(y, m, d); }
Price P(int64_t raw) { return Price::FromRaw(raw); }
Quantity Q(int64_t units) { return Quantity::FromUnits(units); }

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

// By value: a range-for over `Result(...).value()` would dangle (the Result is a temporary).
template <typename T>
T Unwrap(Result<T> r) {
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return T{};
  return std::move(r).value();
}

std::unique_ptr<ports::Store> MustOpen(const fs::path& file, const StoreOptions& options = {}) {
  auto store = OpenStore(file, options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return nullptr;
  return std::move(store).value();
}

StrategySpec SimpleSpec(const std::string& name) {
  StrategySpec s;
  s.name = name;
  s.entry = "close > sma(close, 10)";
  s.symbols = {"GOOG"};
  s.allocation = 10'000'000;
  return s;
}

// Every field differs from StrategySpec's default.
StrategySpec FullSpec() {
  StrategySpec s;
  s.name = "full_spec";
  s.description = "every field set";
  s.exchange = "NSE";
  s.universe = "liquid";
  s.symbols = {"RELIANCE", "TCS"};
  s.timeframe = Timeframe::kWeekly;
  s.side = PositionSide::kShort;
  s.entry = "crossover(sma(close,10), sma(close,30))";
  s.exit = "crossunder(sma(close,10), sma(close,30))";
  s.stop_loss = {LevelSpec::Kind::kPercent, 5.25, ""};
  s.take_profit = {LevelSpec::Kind::kDistance, 0, "2*atr(14)"};
  s.trailing_stop = {LevelSpec::Kind::kPrice, 0.1, "lowest(low, 10)"};
  s.max_hold = 20;
  s.approval = Approval::kAuto;
  s.review_cutoff_minute = 8 * 60 + 45;
  s.execution = Execution::kSameClose;
  s.order_type = EntryOrderType::kLimit;
  s.limit_offset_percent = 0.5;
  s.allocation = 123'456'789;
  s.currency = "INR";
  s.sizing = {SizingSpec::Method::kRisk, 7, 250'000, 1.5};
  s.max_positions = 5;
  s.max_new_per_day = 2;
  s.rank = "rsi(close,14)";
  s.fees = {FeeSpec::Kind::kCustom, 2000, 0.03};
  s.slippage_bps = 2.5;
  s.enabled = false;
  return s;
}

void ExpectLevelEq(const LevelSpec& a, const LevelSpec& b) {
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.percent, b.percent);
  EXPECT_EQ(a.expr, b.expr);
}

void ExpectSpecEq(const StrategySpec& a, const StrategySpec& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.description, b.description);
  EXPECT_EQ(a.exchange, b.exchange);
  EXPECT_EQ(a.universe, b.universe);
  EXPECT_EQ(a.symbols, b.symbols);
  EXPECT_EQ(a.timeframe, b.timeframe);
  EXPECT_EQ(a.side, b.side);
  EXPECT_EQ(a.entry, b.entry);
  EXPECT_EQ(a.exit, b.exit);
  ExpectLevelEq(a.stop_loss, b.stop_loss);
  ExpectLevelEq(a.take_profit, b.take_profit);
  ExpectLevelEq(a.trailing_stop, b.trailing_stop);
  EXPECT_EQ(a.max_hold, b.max_hold);
  EXPECT_EQ(a.approval, b.approval);
  EXPECT_EQ(a.review_cutoff_minute, b.review_cutoff_minute);
  EXPECT_EQ(a.execution, b.execution);
  EXPECT_EQ(a.order_type, b.order_type);
  EXPECT_EQ(a.limit_offset_percent, b.limit_offset_percent);
  EXPECT_EQ(a.allocation, b.allocation);
  EXPECT_EQ(a.currency, b.currency);
  EXPECT_EQ(a.sizing.method, b.sizing.method);
  EXPECT_EQ(a.sizing.qty, b.sizing.qty);
  EXPECT_EQ(a.sizing.amount, b.sizing.amount);
  EXPECT_EQ(a.sizing.percent, b.sizing.percent);
  EXPECT_EQ(a.max_positions, b.max_positions);
  EXPECT_EQ(a.max_new_per_day, b.max_new_per_day);
  EXPECT_EQ(a.rank, b.rank);
  EXPECT_EQ(a.fees.kind, b.fees.kind);
  EXPECT_EQ(a.fees.per_order, b.fees.per_order);
  EXPECT_EQ(a.fees.percent, b.fees.percent);
  EXPECT_EQ(a.slippage_bps, b.slippage_bps);
  EXPECT_EQ(a.enabled, b.enabled);
}

Signal MakeSignal(const std::string& symbol, Date session, Side side = Side::kBuy) {
  Signal s;
  s.strategy = "sma_cross";
  s.strategy_version = 3;
  s.symbol = symbol;
  s.session = session;
  s.side = side;
  s.kind = SignalKind::kEntry;
  s.status = SignalStatus::kPendingReview;
  s.terms = {{"sma_10", 101.25}, {"sma_30", 99.5}};
  s.rank_value = 27.31;
  s.reason = "entry_rule";
  s.execute_on = session.AddDays(1);
  s.created_ns = 1'700'000'000'000'000'000;
  return s;
}

Order MakeOrder(const std::string& client_id, Date session = D(2024, 3, 4)) {
  Order o;
  o.request.client_order_id = client_id;
  o.request.symbol = "GOOG";
  o.request.side = Side::kSell;
  o.request.qty = Q(10);
  o.request.type = OrderType::kStopLimit;
  o.request.tif = TimeInForce::kGtc;
  o.request.limit_price = P(14'150'000'000);
  o.request.stop_price = P(14'200'000'000);
  o.request.session = session;
  o.strategy = "sma_cross";
  o.signal_id = 7;
  o.status = OrderStatus::kNew;
  o.created_ns = 100;
  o.updated_ns = 100;
  return o;
}

Fill MakeFill(const std::string& execution_id, Date session, int64_t time_ns) {
  Fill f;
  f.execution_id = execution_id;
  f.client_order_id = "sma_cross-GOOG-1";
  f.symbol = "GOOG";
  f.side = Side::kBuy;
  f.qty = Q(4);
  f.price = P(14'012'345'678);
  f.fees = 35;
  f.session = session;
  f.time_ns = time_ns;
  return f;
}

Position MakePosition(const std::string& strategy, const std::string& symbol) {
  Position p;
  p.strategy = strategy;
  p.symbol = symbol;
  p.qty = Q(15);
  p.lots = {{D(2024, 3, 1), Q(10), P(10'000'000'000), 12},
            {D(2024, 3, 4), Q(5), P(10'250'000'000), 7}};
  p.entry_session = D(2024, 3, 1);
  p.sessions_held = 3;
  p.stop = P(9'500'000'000);
  p.target = std::nullopt;
  p.high_water = P(10'400'000'000);
  p.realized = -1234;
  return p;
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
                            "positions", "daily_pnl", "universes", "state", "audit"}) {
    EXPECT_EQ(CountRows(dir.file(), std::string("SELECT COUNT(*) FROM sqlite_schema WHERE type = "
                                                "'table' AND name = '") +
                                        table + "'"),
              1)
        << table;
  }
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

TEST(SqliteOpenTest, FileDatabaseUsesWalFullSyncAndForeignKeys) {
  TempDir dir;
  auto store = MustOpen(dir.file(), {.busy_timeout_ms = 1234});
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(QueryPragma(*store, "journal_mode").value_or(""), "wal");
  EXPECT_EQ(QueryPragma(*store, "synchronous").value_or(""), "2");  // FULL
  EXPECT_EQ(QueryPragma(*store, "foreign_keys").value_or(""), "1");
  EXPECT_EQ(QueryPragma(*store, "busy_timeout").value_or(""), "1234");
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
// Strategies

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

TEST_F(SqliteStoreTest, ImportStoresANewStrategyAsVersionOne) {
  auto imported = store().strategies().Import(SimpleSpec("sma_cross"), "name = \"sma_cross\"\n");
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  EXPECT_TRUE(imported->second);
  EXPECT_EQ(imported->first.version, 1);
  EXPECT_EQ(imported->first.source, "name = \"sma_cross\"\n");
  EXPECT_TRUE(imported->first.enabled);
  EXPECT_EQ(imported->first.allocation, 10'000'000);
  auto got = store().strategies().Get("sma_cross");
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->version, 1);
  ExpectSpecEq((*got)->spec, SimpleSpec("sma_cross"));
}

TEST_F(SqliteStoreTest, ImportOfADisabledSpecStoresItDisabled) {
  StrategySpec spec = SimpleSpec("off");
  spec.enabled = false;
  auto imported = store().strategies().Import(spec, "enabled = false");
  ASSERT_TRUE(imported.ok());
  EXPECT_FALSE(imported->first.enabled);
}

TEST_F(SqliteStoreTest, ImportOfTheSameTextReturnsTheLatestUnchanged) {
  ASSERT_TRUE(store().strategies().Import(SimpleSpec("s"), "text v1").ok());
  ASSERT_TRUE(store().strategies().SetAllocation("s", 42).ok());
  auto again = store().strategies().Import(SimpleSpec("s"), "text v1");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->second);
  EXPECT_EQ(again->first.version, 1);
  EXPECT_EQ(again->first.allocation, 42);  // an unchanged import changes nothing
  EXPECT_EQ(Count("SELECT COUNT(*) FROM strategies"), 1);
}

TEST_F(SqliteStoreTest, ChangedTextCreatesANewVersionKeepingEnabledAndTakingAllocation) {
  ASSERT_TRUE(store().strategies().Import(SimpleSpec("s"), "text v1").ok());
  ASSERT_TRUE(store().strategies().SetEnabled("s", false).ok());
  StrategySpec v2 = SimpleSpec("s");
  v2.entry = "close > sma(close, 20)";
  v2.allocation = 5'000'000;
  v2.enabled = true;
  auto imported = store().strategies().Import(v2, "text v2");
  ASSERT_TRUE(imported.ok());
  EXPECT_TRUE(imported->second);
  EXPECT_EQ(imported->first.version, 2);
  EXPECT_FALSE(imported->first.enabled);
  EXPECT_EQ(imported->first.allocation, 5'000'000);
  EXPECT_EQ(imported->first.spec.entry, "close > sma(close, 20)");

  auto v1 = store().strategies().GetVersion("s", 1);
  ASSERT_TRUE(v1.ok());
  ASSERT_TRUE(v1->has_value());
  EXPECT_EQ((*v1)->source, "text v1");
  EXPECT_EQ((*v1)->spec.entry, "close > sma(close, 10)");
  auto latest = store().strategies().Get("s");
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->version, 2);
  EXPECT_EQ((*latest)->source, "text v2");
  EXPECT_EQ(store().strategies().GetVersion("s", 3).value_or(StrategyRecord{}), std::nullopt);
}

TEST_F(SqliteStoreTest, EverySpecFieldRoundTrips) {
  StrategySpec full = FullSpec();
  ASSERT_TRUE(store().strategies().Import(full, "full").ok());
  store_.reset();  // through the file, not a cache
  store_ = MustOpen(dir_.file());
  auto got = store().strategies().Get("full_spec");
  ASSERT_TRUE(got.ok() && got->has_value());
  ExpectSpecEq((*got)->spec, full);
  // The test spec really differs from the default everywhere it can be compared.
  StrategySpec defaults;
  EXPECT_NE(full.description, defaults.description);
  EXPECT_NE(full.exchange, defaults.exchange);
  EXPECT_NE(full.timeframe, defaults.timeframe);
  EXPECT_NE(full.review_cutoff_minute, defaults.review_cutoff_minute);
  EXPECT_NE(full.currency, defaults.currency);
  EXPECT_NE(full.enabled, defaults.enabled);
}

TEST_F(SqliteStoreTest, ListReturnsLatestVersionsByName) {
  ASSERT_TRUE(store().strategies().Import(SimpleSpec("zeta"), "z1").ok());
  ASSERT_TRUE(store().strategies().Import(SimpleSpec("alpha"), "a1").ok());
  ASSERT_TRUE(store().strategies().Import(SimpleSpec("alpha"), "a2").ok());
  auto list = store().strategies().List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].spec.name, "alpha");
  EXPECT_EQ((*list)[0].version, 2);
  EXPECT_EQ((*list)[1].spec.name, "zeta");
  EXPECT_EQ((*list)[1].version, 1);
}

TEST_F(SqliteStoreTest, SetEnabledAndSetAllocationChangeStateWithoutANewVersion) {
  ASSERT_TRUE(store().strategies().Import(SimpleSpec("s"), "t").ok());
  ASSERT_TRUE(store().strategies().SetEnabled("s", false).ok());
  ASSERT_TRUE(store().strategies().SetAllocation("s", 777).ok());
  auto got = store().strategies().Get("s");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_FALSE((*got)->enabled);
  EXPECT_EQ((*got)->allocation, 777);
  EXPECT_EQ((*got)->version, 1);
  ASSERT_TRUE(store().strategies().SetEnabled("s", true).ok());
  EXPECT_TRUE(store().strategies().Get("s").value()->enabled);
}

TEST_F(SqliteStoreTest, UnknownStrategyIsNotFoundAndChangesNothing) {
  ASSERT_TRUE(store().strategies().Import(SimpleSpec("s"), "t").ok());
  Status enabled = store().strategies().SetEnabled("x", false);
  EXPECT_EQ(enabled, Status::NotFound("no strategy named 'x'"));
  Status allocation = store().strategies().SetAllocation("x", 5);
  EXPECT_EQ(allocation, Status::NotFound("no strategy named 'x'"));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM strategy_state"), 1);
  EXPECT_EQ(Count("SELECT allocation FROM strategy_state WHERE name = 's'"), 10'000'000);
  EXPECT_EQ(store().strategies().Get("x").value_or(StrategyRecord{}), std::nullopt);
}

TEST_F(SqliteStoreTest, ImportWithoutANameIsRefused) {
  auto imported = store().strategies().Import(StrategySpec{}, "");
  EXPECT_EQ(imported.status(), Status::InvalidArgument("a strategy needs a name"));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM strategies"), 0);
}

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

// ------------------------------------------------------------------------------------------
// Signals

TEST_F(SqliteStoreTest, SignalInsertAssignsAnIdAndRoundTripsEveryField) {
  Signal s = MakeSignal("GOOG", D(2024, 3, 1));
  s.terms.emplace_back("nan_term", std::nan(""));
  s.kind = SignalKind::kExit;
  s.side = Side::kSell;
  s.status = SignalStatus::kApproved;
  s.decided_by = "auto";
  s.decided_ns = 55;
  s.note = "n";
  auto inserted = store().signals().Insert(s);
  ASSERT_TRUE(inserted.ok()) << inserted.status().ToString();
  EXPECT_TRUE(inserted->second);
  EXPECT_GT(inserted->first.id, 0);
  auto got = store().signals().Get(inserted->first.id);
  ASSERT_TRUE(got.ok() && got->has_value());
  const Signal& g = **got;
  EXPECT_EQ(g.id, inserted->first.id);
  EXPECT_EQ(g.strategy, "sma_cross");
  EXPECT_EQ(g.strategy_version, 3);
  EXPECT_EQ(g.symbol, "GOOG");
  EXPECT_EQ(g.session, D(2024, 3, 1));
  EXPECT_EQ(g.side, Side::kSell);
  EXPECT_EQ(g.kind, SignalKind::kExit);
  EXPECT_EQ(g.status, SignalStatus::kApproved);
  ASSERT_EQ(g.terms.size(), 3u);
  EXPECT_EQ(g.terms[0], std::make_pair(std::string("sma_10"), 101.25));
  EXPECT_EQ(g.terms[1], std::make_pair(std::string("sma_30"), 99.5));
  EXPECT_EQ(g.terms[2].first, "nan_term");
  EXPECT_TRUE(std::isnan(g.terms[2].second));
  EXPECT_EQ(g.rank_value, 27.31);
  EXPECT_EQ(g.reason, "entry_rule");
  EXPECT_EQ(g.execute_on, D(2024, 3, 2));
  EXPECT_EQ(g.created_ns, 1'700'000'000'000'000'000);
  EXPECT_EQ(g.decided_by, "auto");
  EXPECT_EQ(g.decided_ns, 55);
  EXPECT_EQ(g.note, "n");
}

TEST_F(SqliteStoreTest, NanRankValueRoundTrips) {
  Signal s = MakeSignal("GOOG", D(2024, 3, 1));
  s.rank_value = std::nan("");
  auto inserted = store().signals().Insert(s);
  ASSERT_TRUE(inserted.ok());
  EXPECT_TRUE(std::isnan(store().signals().Get(inserted->first.id).value()->rank_value));
}

TEST_F(SqliteStoreTest, SignalInsertIsIdempotentOnStrategySymbolSessionSide) {
  auto first = store().signals().Insert(MakeSignal("GOOG", D(2024, 3, 1)));
  ASSERT_TRUE(first.ok());
  Signal again = MakeSignal("GOOG", D(2024, 3, 1));
  again.terms = {{"different", 1}};
  again.strategy_version = 4;
  auto second = store().signals().Insert(again);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->second);
  EXPECT_EQ(second->first.id, first->first.id);
  EXPECT_EQ(second->first.strategy_version, 3);  // the stored one, not the new one
  ASSERT_EQ(second->first.terms.size(), 2u);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM signals"), 1);
  // Another side, session or symbol is another signal.
  EXPECT_TRUE(store().signals().Insert(MakeSignal("GOOG", D(2024, 3, 1), Side::kSell))->second);
  EXPECT_TRUE(store().signals().Insert(MakeSignal("GOOG", D(2024, 3, 4)))->second);
  EXPECT_TRUE(store().signals().Insert(MakeSignal("MSFT", D(2024, 3, 1)))->second);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM signals"), 4);
}

TEST_F(SqliteStoreTest, SignalListFiltersAndOrdersById) {
  Signal a = MakeSignal("A", D(2024, 3, 1));
  Signal b = MakeSignal("B", D(2024, 3, 1));
  b.status = SignalStatus::kApproved;
  Signal c = MakeSignal("C", D(2024, 3, 4));
  c.strategy = "other";
  c.execute_on = D(2024, 3, 2);
  for (const Signal& s : {a, b, c}) ASSERT_TRUE(store().signals().Insert(s).ok());
  auto symbols = [&](const ports::SignalFilter& f) {
    std::vector<std::string> out;
    for (const Signal& s : Unwrap(store().signals().List(f))) out.push_back(s.symbol);
    return out;
  };
  EXPECT_THAT(symbols({}), ElementsAre("A", "B", "C"));
  EXPECT_THAT(symbols({.status = SignalStatus::kApproved}), ElementsAre("B"));
  EXPECT_THAT(symbols({.session = D(2024, 3, 1)}), ElementsAre("A", "B"));
  EXPECT_THAT(symbols({.execute_on = D(2024, 3, 2)}), ElementsAre("A", "B", "C"));
  EXPECT_THAT(symbols({.strategy = "other"}), ElementsAre("C"));
  EXPECT_THAT(symbols({.status = SignalStatus::kPendingReview, .strategy = "sma_cross"}),
              ElementsAre("A"));
  EXPECT_THAT(symbols({.status = SignalStatus::kFailed}), IsEmpty());
}

TEST_F(SqliteStoreTest, TransitionMovesStatusRecordsDecisionAndAudits) {
  auto s = store().signals().Insert(MakeSignal("GOOG", D(2024, 3, 1)));
  ASSERT_TRUE(s.ok());
  int64_t id = s->first.id;
  ASSERT_TRUE(store()
                  .signals()
                  .Transition(id, SignalStatus::kPendingReview, SignalStatus::kApproved,
                              "cli:alice", "looks good", 999)
                  .ok());
  auto got = store().signals().Get(id).value();
  EXPECT_EQ(got->status, SignalStatus::kApproved);
  EXPECT_EQ(got->decided_by, "cli:alice");
  EXPECT_EQ(got->decided_ns, 999);
  EXPECT_EQ(got->note, "looks good");
  auto audit = store().audit().List("signal:");
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ((*audit)[0].time_ns, 999);
  EXPECT_EQ((*audit)[0].actor, "cli:alice");
  EXPECT_EQ((*audit)[0].action, "signal.approve");
  EXPECT_EQ((*audit)[0].subject, "signal:" + std::to_string(id));
  EXPECT_EQ((*audit)[0].detail, "pending_review -> approved: looks good");

  ASSERT_TRUE(
      store()
          .signals()
          .Transition(id, SignalStatus::kApproved, SignalStatus::kOrdered, "engine", "", 1000)
          .ok());
  got = store().signals().Get(id).value();
  EXPECT_EQ(got->status, SignalStatus::kOrdered);
  EXPECT_EQ(got->decided_by, "engine");  // every transition records who moved it last
  EXPECT_EQ(got->decided_ns, 1000);
  EXPECT_EQ(got->note, "");
  audit = store().audit().List("signal:");
  ASSERT_EQ(audit->size(), 2u);
  EXPECT_EQ((*audit)[1].action, "signal.ordered");
  EXPECT_EQ((*audit)[1].detail, "approved -> ordered");
}

TEST_F(SqliteStoreTest, TransitionFromTheWrongStatusFailsAndChangesNothing) {
  Signal expired = MakeSignal("GOOG", D(2024, 3, 1));
  expired.status = SignalStatus::kExpired;
  expired.decided_by = "expiry";
  expired.decided_ns = 5;
  int64_t id = store().signals().Insert(expired)->first.id;
  Status status = store().signals().Transition(id, SignalStatus::kPendingReview,
                                               SignalStatus::kApproved, "cli:bob", "late", 6);
  EXPECT_EQ(status, Status::FailedPrecondition("signal " + std::to_string(id) +
                                               " is expired, not pending_review"));
  auto got = store().signals().Get(id).value();
  EXPECT_EQ(got->status, SignalStatus::kExpired);
  EXPECT_EQ(got->decided_by, "expiry");
  EXPECT_EQ(got->decided_ns, 5);
  EXPECT_EQ(got->note, "");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit"), 0);
}

TEST_F(SqliteStoreTest, TransitionOfAnUnknownSignalIsNotFound) {
  Status status = store().signals().Transition(99, SignalStatus::kPendingReview,
                                               SignalStatus::kApproved, "cli", "", 1);
  EXPECT_EQ(status, Status::NotFound("no signal with id 99"));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit"), 0);
  EXPECT_EQ(store().signals().Get(99).value_or(Signal{}), std::nullopt);
}

// ------------------------------------------------------------------------------------------
// Orders

TEST_F(SqliteStoreTest, OrderCreateAssignsAnIdAndRoundTrips) {
  Order o = MakeOrder("sma_cross-GOOG-20240304-sell-1");
  auto created = store().orders().Create(o);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_GT(created->id, 0);
  auto got = store().orders().GetByClientId("sma_cross-GOOG-20240304-sell-1");
  ASSERT_TRUE(got.ok() && got->has_value());
  const Order& g = **got;
  EXPECT_EQ(g.id, created->id);
  EXPECT_EQ(g.request.client_order_id, "sma_cross-GOOG-20240304-sell-1");
  EXPECT_EQ(g.request.symbol, "GOOG");
  EXPECT_EQ(g.request.side, Side::kSell);
  EXPECT_EQ(g.request.qty, Q(10));
  EXPECT_EQ(g.request.type, OrderType::kStopLimit);
  EXPECT_EQ(g.request.tif, TimeInForce::kGtc);
  EXPECT_EQ(g.request.limit_price, P(14'150'000'000));
  EXPECT_EQ(g.request.stop_price, P(14'200'000'000));
  EXPECT_EQ(g.request.session, D(2024, 3, 4));
  EXPECT_EQ(g.strategy, "sma_cross");
  EXPECT_EQ(g.signal_id, 7);
  EXPECT_EQ(g.status, OrderStatus::kNew);
  EXPECT_EQ(g.filled_qty, Q(0));
  EXPECT_EQ(g.created_ns, 100);
  EXPECT_EQ(g.updated_ns, 100);

  Order market = MakeOrder("m-1");
  market.request.type = OrderType::kMarket;
  market.request.limit_price.reset();
  market.request.stop_price.reset();
  ASSERT_TRUE(store().orders().Create(market).ok());
  auto m = store().orders().GetByClientId("m-1").value();
  EXPECT_EQ(m->request.limit_price, std::nullopt);
  EXPECT_EQ(m->request.stop_price, std::nullopt);
  EXPECT_EQ(store().orders().GetByClientId("nope").value_or(Order{}), std::nullopt);
}

TEST_F(SqliteStoreTest, DuplicateClientOrderIdIsAlreadyExistsAndChangesNothing) {
  ASSERT_TRUE(store().orders().Create(MakeOrder("dup")).ok());
  Order other = MakeOrder("dup");
  other.request.qty = Q(99);
  auto again = store().orders().Create(other);
  EXPECT_EQ(again.status(),
            Status::AlreadyExists("an order with client order id 'dup' is already stored"));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM orders"), 1);
  EXPECT_EQ(store().orders().GetByClientId("dup").value()->request.qty, Q(10));
}

TEST_F(SqliteStoreTest, OrderWithoutQuantityBreaksACheckWithTheSqlContext) {
  Order zero = MakeOrder("zero");
  zero.request.qty = Q(0);
  auto created = store().orders().Create(zero);
  EXPECT_EQ(
      created.status(),
      Status::InvalidArgument("sqlite: CHECK constraint failed: qty > 0 (while creating order)"));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM orders"), 0);
}

TEST_F(SqliteStoreTest, OrderUpdateWritesOnlyTheMutableFields) {
  Order o = store().orders().Create(MakeOrder("u-1")).value();
  o.status = OrderStatus::kPartiallyFilled;
  o.filled_qty = Q(4);
  o.broker_order_id = "B-77";
  o.message = "partial";
  o.updated_ns = 200;
  o.request.qty = Q(1000);  // not written: the request is immutable once stored
  o.strategy = "changed";
  ASSERT_TRUE(store().orders().Update(o).ok());
  auto got = store().orders().GetByClientId("u-1").value();
  EXPECT_EQ(got->status, OrderStatus::kPartiallyFilled);
  EXPECT_EQ(got->filled_qty, Q(4));
  EXPECT_EQ(got->broker_order_id, "B-77");
  EXPECT_EQ(got->message, "partial");
  EXPECT_EQ(got->updated_ns, 200);
  EXPECT_EQ(got->created_ns, 100);
  EXPECT_EQ(got->request.qty, Q(10));
  EXPECT_EQ(got->strategy, "sma_cross");
}

TEST_F(SqliteStoreTest, OrderUpdateBeyondTheQuantityIsRefusedAndChangesNothing) {
  Order o = store().orders().Create(MakeOrder("over")).value();
  o.filled_qty = Q(11);
  o.status = OrderStatus::kFilled;
  Status status = store().orders().Update(o);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "sqlite: CHECK constraint failed: filled_qty >= 0 AND filled_qty <= qty (while "
            "updating order)");
  auto got = store().orders().GetByClientId("over").value();
  EXPECT_EQ(got->filled_qty, Q(0));
  EXPECT_EQ(got->status, OrderStatus::kNew);
}

TEST_F(SqliteStoreTest, OrderUpdateOfAnUnknownIdIsNotFound) {
  Order o = MakeOrder("ghost");
  o.id = 42;
  EXPECT_EQ(store().orders().Update(o), Status::NotFound("no order with id 42"));
}

TEST_F(SqliteStoreTest, OrderListFiltersByStatusSessionAndStrategy) {
  Order a = MakeOrder("a", D(2024, 3, 4));
  Order b = MakeOrder("b", D(2024, 3, 4));
  b.status = OrderStatus::kUnknown;
  Order c = MakeOrder("c", D(2024, 3, 5));
  c.status = OrderStatus::kFilled;
  c.filled_qty = Q(10);
  c.strategy = "other";
  for (const Order& o : {a, b, c}) ASSERT_TRUE(store().orders().Create(o).ok());
  auto ids = [&](const ports::OrderFilter& f) {
    std::vector<std::string> out;
    for (const Order& o : Unwrap(store().orders().List(f)))
      out.push_back(o.request.client_order_id);
    return out;
  };
  EXPECT_THAT(ids({}), ElementsAre("a", "b", "c"));
  EXPECT_THAT(ids({.statuses = {OrderStatus::kNew, OrderStatus::kUnknown}}), ElementsAre("a", "b"));
  EXPECT_THAT(ids({.statuses = {OrderStatus::kFilled}}), ElementsAre("c"));
  EXPECT_THAT(ids({.session = D(2024, 3, 4)}), ElementsAre("a", "b"));
  EXPECT_THAT(ids({.strategy = "other"}), ElementsAre("c"));
  EXPECT_THAT(ids({.statuses = {OrderStatus::kCancelled}}), IsEmpty());
}

// ------------------------------------------------------------------------------------------
// Ledger

TEST_F(SqliteStoreTest, FillIsRecordedOnceByExecutionId) {
  Fill f = MakeFill("E-1", D(2024, 3, 4), 10);
  auto first = store().ledger().RecordFill(f, "sma_cross");
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(*first);
  Fill changed = f;
  changed.qty = Q(400);
  auto second = store().ledger().RecordFill(changed, "other");
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(*second);
  auto fills = store().ledger().ListFills({});
  ASSERT_TRUE(fills.ok());
  ASSERT_EQ(fills->size(), 1u);
  EXPECT_EQ((*fills)[0].first, "sma_cross");
  const Fill& g = (*fills)[0].second;
  EXPECT_EQ(g.execution_id, "E-1");
  EXPECT_EQ(g.client_order_id, "sma_cross-GOOG-1");
  EXPECT_EQ(g.symbol, "GOOG");
  EXPECT_EQ(g.side, Side::kBuy);
  EXPECT_EQ(g.qty, Q(4));
  EXPECT_EQ(g.price, P(14'012'345'678));
  EXPECT_EQ(g.fees, 35);
  EXPECT_EQ(g.session, D(2024, 3, 4));
  EXPECT_EQ(g.time_ns, 10);
}

TEST_F(SqliteStoreTest, FillsAreListedBySessionThenTimeAndFiltered) {
  ASSERT_TRUE(store().ledger().RecordFill(MakeFill("late", D(2024, 3, 5), 1), "s1").ok());
  ASSERT_TRUE(store().ledger().RecordFill(MakeFill("b", D(2024, 3, 4), 20), "s1").ok());
  ASSERT_TRUE(store().ledger().RecordFill(MakeFill("a", D(2024, 3, 4), 10), "s2").ok());
  Fill msft = MakeFill("m", D(2024, 3, 6), 1);
  msft.symbol = "MSFT";
  ASSERT_TRUE(store().ledger().RecordFill(msft, "s2").ok());
  auto ids = [&](const ports::FillFilter& f) {
    std::vector<std::string> out;
    for (const auto& [strategy, fill] : Unwrap(store().ledger().ListFills(f))) {
      out.push_back(strategy + "/" + fill.execution_id);
    }
    return out;
  };
  EXPECT_THAT(ids({}), ElementsAre("s2/a", "s1/b", "s1/late", "s2/m"));
  EXPECT_THAT(ids({.from = D(2024, 3, 5)}), ElementsAre("s1/late", "s2/m"));
  EXPECT_THAT(ids({.to = D(2024, 3, 5)}), ElementsAre("s2/a", "s1/b", "s1/late"));
  EXPECT_THAT(ids({.from = D(2024, 3, 5), .to = D(2024, 3, 5)}), ElementsAre("s1/late"));
  EXPECT_THAT(ids({.strategy = "s2"}), ElementsAre("s2/a", "s2/m"));
  EXPECT_THAT(ids({.symbol = "MSFT"}), ElementsAre("s2/m"));
}

TEST_F(SqliteStoreTest, PositionRoundTripsUpsertsAndIsDeletedAtZero) {
  Position p = MakePosition("s1", "GOOG");
  ASSERT_TRUE(store().ledger().PutPosition(p).ok());
  auto got = store().ledger().Positions("s1");
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  const Position& g = (*got)[0];
  EXPECT_EQ(g.strategy, "s1");
  EXPECT_EQ(g.symbol, "GOOG");
  EXPECT_EQ(g.qty, Q(15));
  ASSERT_EQ(g.lots.size(), 2u);
  EXPECT_EQ(g.lots[0].opened, D(2024, 3, 1));
  EXPECT_EQ(g.lots[0].qty, Q(10));
  EXPECT_EQ(g.lots[0].price, P(10'000'000'000));
  EXPECT_EQ(g.lots[0].fees, 12);
  EXPECT_EQ(g.lots[1].opened, D(2024, 3, 4));
  EXPECT_EQ(g.lots[1].qty, Q(5));
  EXPECT_EQ(g.lots[1].price, P(10'250'000'000));
  EXPECT_EQ(g.lots[1].fees, 7);
  EXPECT_EQ(g.entry_session, D(2024, 3, 1));
  EXPECT_EQ(g.sessions_held, 3);
  EXPECT_EQ(g.stop, P(9'500'000'000));
  EXPECT_EQ(g.target, std::nullopt);
  EXPECT_EQ(g.high_water, P(10'400'000'000));
  EXPECT_EQ(g.realized, -1234);

  p.qty = Q(-5);  // a short position is signed
  p.lots = {{D(2024, 3, 5), Q(-5), P(10'300'000'000), 3}};
  p.stop.reset();
  p.target = P(9'000'000'000);
  ASSERT_TRUE(store().ledger().PutPosition(p).ok());
  got = store().ledger().Positions("");
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].qty, Q(-5));
  ASSERT_EQ((*got)[0].lots.size(), 1u);
  EXPECT_EQ((*got)[0].lots[0].qty, Q(-5));
  EXPECT_EQ((*got)[0].stop, std::nullopt);
  EXPECT_EQ((*got)[0].target, P(9'000'000'000));

  p.qty = Q(0);
  p.lots.clear();
  ASSERT_TRUE(store().ledger().PutPosition(p).ok());
  EXPECT_THAT(store().ledger().Positions("").value(), IsEmpty());
  // Closing a position that is not there is fine (a repeated end of day).
  EXPECT_TRUE(store().ledger().PutPosition(p).ok());
}

TEST_F(SqliteStoreTest, PositionsAreListedByStrategyThenSymbol) {
  for (auto [strategy, symbol] : {std::pair{"s2", "AAA"}, {"s1", "MSFT"}, {"s1", "GOOG"}}) {
    ASSERT_TRUE(store().ledger().PutPosition(MakePosition(strategy, symbol)).ok());
  }
  std::vector<std::string> all;
  for (const Position& p : Unwrap(store().ledger().Positions(""))) {
    all.push_back(p.strategy + "/" + p.symbol);
  }
  EXPECT_THAT(all, ElementsAre("s1/GOOG", "s1/MSFT", "s2/AAA"));
  EXPECT_EQ(store().ledger().Positions("s2").value().size(), 1u);
  EXPECT_THAT(store().ledger().Positions("none").value(), IsEmpty());
}

TEST_F(SqliteStoreTest, GetPositionReadsOneOpenPositionByStrategyAndSymbol) {
  ASSERT_TRUE(store().ledger().PutPosition(MakePosition("s1", "GOOG")).ok());
  Position other = MakePosition("s2", "GOOG");  // same symbol, another strategy
  other.qty = Q(-3);
  other.lots = {{D(2024, 3, 6), Q(-3), P(10'100'000'000), 2}};
  ASSERT_TRUE(store().ledger().PutPosition(other).ok());
  ASSERT_TRUE(store().ledger().PutPosition(MakePosition("s1", "MSFT")).ok());

  auto got = Unwrap(store().ledger().GetPosition("s1", "GOOG"));
  ASSERT_TRUE(got.has_value());
  // The whole row, as Positions() reads it.
  const Position listed = Unwrap(store().ledger().Positions("s1"))[0];
  EXPECT_EQ(got->strategy, "s1");
  EXPECT_EQ(got->symbol, "GOOG");
  EXPECT_EQ(got->qty, Q(15));
  ASSERT_EQ(got->lots.size(), 2u);
  EXPECT_EQ(got->lots[1].opened, D(2024, 3, 4));
  EXPECT_EQ(got->lots[1].qty, Q(5));
  EXPECT_EQ(got->lots[1].price, P(10'250'000'000));
  EXPECT_EQ(got->lots[1].fees, 7);
  EXPECT_EQ(got->entry_session, listed.entry_session);
  EXPECT_EQ(got->sessions_held, 3);
  EXPECT_EQ(got->stop, P(9'500'000'000));
  EXPECT_EQ(got->target, std::nullopt);
  EXPECT_EQ(got->high_water, P(10'400'000'000));
  EXPECT_EQ(got->realized, -1234);

  auto theirs = Unwrap(store().ledger().GetPosition("s2", "GOOG"));
  ASSERT_TRUE(theirs.has_value());
  EXPECT_EQ(theirs->strategy, "s2");
  EXPECT_EQ(theirs->qty, Q(-3));
  ASSERT_EQ(theirs->lots.size(), 1u);
  EXPECT_EQ(theirs->lots[0].price, P(10'100'000'000));

  EXPECT_EQ(Unwrap(store().ledger().GetPosition("s1", "AAPL")), std::nullopt);  // not held
  EXPECT_EQ(Unwrap(store().ledger().GetPosition("s3", "GOOG")), std::nullopt);  // other strategy
  EXPECT_EQ(Unwrap(store().ledger().GetPosition("", "GOOG")), std::nullopt);    // "" is no wildcard

  Position closed = MakePosition("s1", "GOOG");
  closed.qty = Q(0);
  closed.lots.clear();
  ASSERT_TRUE(store().ledger().PutPosition(closed).ok());
  EXPECT_EQ(Unwrap(store().ledger().GetPosition("s1", "GOOG")), std::nullopt);
  // Closing one strategy's position leaves the other's.
  EXPECT_EQ(Unwrap(store().ledger().GetPosition("s2", "GOOG"))->qty, Q(-3));
  EXPECT_EQ(Unwrap(store().ledger().GetPosition("s1", "MSFT"))->qty, Q(15));
}

TEST_F(SqliteStoreTest, DailyPnlUpsertsAndListsByDate) {
  DailyPnl a{D(2024, 3, 5), "s1", 100, -20, 3, 10'000'077, 9'000'000};
  DailyPnl b{D(2024, 3, 4), "s1", 0, 50, 1, 10'000'049, 9'500'000};
  DailyPnl c{D(2024, 3, 4), "s0", 7, 0, 0, 7, 7};
  for (const DailyPnl& d : {a, b, c}) ASSERT_TRUE(store().ledger().PutDailyPnl(d).ok());
  a.realized = 150;
  a.equity = 10'000'127;
  ASSERT_TRUE(store().ledger().PutDailyPnl(a).ok());  // a rerun of the session replaces it
  EXPECT_EQ(Count("SELECT COUNT(*) FROM daily_pnl"), 3);

  auto all = store().ledger().ListDailyPnl("", std::nullopt, std::nullopt);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].strategy, "s0");
  EXPECT_EQ((*all)[1].session, D(2024, 3, 4));
  EXPECT_EQ((*all)[1].strategy, "s1");
  EXPECT_EQ((*all)[2].session, D(2024, 3, 5));
  EXPECT_EQ((*all)[2].realized, 150);
  EXPECT_EQ((*all)[2].unrealized, -20);
  EXPECT_EQ((*all)[2].fees, 3);
  EXPECT_EQ((*all)[2].equity, 10'000'127);
  EXPECT_EQ((*all)[2].cash, 9'000'000);

  auto s1 = store().ledger().ListDailyPnl("s1", D(2024, 3, 5), std::nullopt).value();
  ASSERT_EQ(s1.size(), 1u);
  EXPECT_EQ(s1[0].session, D(2024, 3, 5));
  auto to = store().ledger().ListDailyPnl("", std::nullopt, D(2024, 3, 4)).value();
  EXPECT_EQ(to.size(), 2u);
}

// ------------------------------------------------------------------------------------------
// Universes, state, audit

TEST_F(SqliteStoreTest, UniversePutGetListRemove) {
  Universe liquid;
  liquid.name = "liquid";
  liquid.definition.kind = UniverseDefinition::Kind::kRule;
  liquid.definition.exchange = "NYSE";
  liquid.definition.rule = "median(turnover, 20) > 1e7";
  liquid.definition.rank = "median(turnover, 20)";
  liquid.definition.top = 200;
  liquid.definition.base = "all";
  liquid.definition.symbols = {"X"};
  liquid.as_of = D(2024, 3, 1);
  liquid.members = {"AAPL", "GOOG"};
  liquid.computed_ns = 77;
  ASSERT_TRUE(store().universes().Put(liquid).ok());
  Universe fixed;
  fixed.name = "fixed";
  fixed.definition.symbols = {"GOOG"};
  fixed.members = {"GOOG"};
  ASSERT_TRUE(store().universes().Put(fixed).ok());

  auto got = store().universes().Get("liquid").value();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->definition.kind, UniverseDefinition::Kind::kRule);
  EXPECT_EQ(got->definition.exchange, "NYSE");
  EXPECT_EQ(got->definition.rule, "median(turnover, 20) > 1e7");
  EXPECT_EQ(got->definition.rank, "median(turnover, 20)");
  EXPECT_EQ(got->definition.top, 200);
  EXPECT_EQ(got->definition.base, "all");
  EXPECT_EQ(got->definition.symbols, std::vector<std::string>{"X"});
  EXPECT_EQ(got->as_of, D(2024, 3, 1));
  EXPECT_EQ(got->members, (std::vector<std::string>{"AAPL", "GOOG"}));
  EXPECT_EQ(got->computed_ns, 77);

  liquid.members = {"MSFT"};
  liquid.as_of = D(2024, 3, 4);
  liquid.computed_ns = 78;
  ASSERT_TRUE(store().universes().Put(liquid).ok());  // a refresh replaces
  got = store().universes().Get("liquid").value();
  EXPECT_EQ(got->members, std::vector<std::string>{"MSFT"});
  EXPECT_EQ(got->as_of, D(2024, 3, 4));
  EXPECT_EQ(got->computed_ns, 78);

  auto list = store().universes().List().value();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, "fixed");
  EXPECT_EQ(list[1].name, "liquid");

  ASSERT_TRUE(store().universes().Remove("fixed").ok());
  EXPECT_EQ(store().universes().Remove("fixed"), Status::NotFound("no universe named 'fixed'"));
  EXPECT_EQ(store().universes().Get("fixed").value_or(Universe{}), std::nullopt);
  EXPECT_EQ(store().universes().List().value().size(), 1u);
}

TEST_F(SqliteStoreTest, StateGetPutErase) {
  EXPECT_EQ(store().state().Get("halt").value_or("x"), std::nullopt);
  ASSERT_TRUE(store().state().Put("halt", R"({"squareoff":true})").ok());
  EXPECT_EQ(store().state().Get("halt").value_or(std::nullopt),
            std::optional<std::string>(R"({"squareoff":true})"));
  ASSERT_TRUE(store().state().Put("halt", "").ok());
  EXPECT_EQ(store().state().Get("halt").value_or(std::nullopt), std::optional<std::string>(""));
  ASSERT_TRUE(store().state().Erase("halt").ok());
  EXPECT_EQ(store().state().Get("halt").value_or("x"), std::nullopt);
  EXPECT_TRUE(store().state().Erase("halt").ok());  // erasing twice is not an error
}

TEST_F(SqliteStoreTest, AuditAppendsAndListsByLiteralSubjectPrefix) {
  ASSERT_TRUE(store().audit().Append({0, 1, "cli", "halt", "system", "squareoff"}).ok());
  ASSERT_TRUE(store().audit().Append({0, 2, "engine", "order.submit", "order:A-1", ""}).ok());
  ASSERT_TRUE(store().audit().Append({0, 3, "engine", "order.cancel", "order:A-1", "halt"}).ok());
  ASSERT_TRUE(store().audit().Append({0, 4, "engine", "x", "order_%", ""}).ok());
  auto orders = store().audit().List("order:");
  ASSERT_TRUE(orders.ok());
  ASSERT_EQ(orders->size(), 2u);
  EXPECT_LT((*orders)[0].id, (*orders)[1].id);
  EXPECT_EQ((*orders)[0].action, "order.submit");
  EXPECT_EQ((*orders)[1].time_ns, 3);
  EXPECT_EQ((*orders)[1].actor, "engine");
  EXPECT_EQ((*orders)[1].detail, "halt");
  EXPECT_EQ(store().audit().List("").value().size(), 4u);
  EXPECT_EQ(store().audit().List("order_%").value().size(), 1u);  // '%' and '_' are literal
  EXPECT_EQ(store().audit().List("ord%").value().size(), 0u);
}

// ------------------------------------------------------------------------------------------
// Transactions

TEST_F(SqliteStoreTest, TransactionCommitsEverythingTheBodyWrote) {
  Status status = store().InTransaction([&]() -> Status {
    KAIROS_RETURN_IF_ERROR(store().state().Put("a", "1"));
    KAIROS_RETURN_IF_ERROR(store().orders().Create(MakeOrder("t-1")).status());
    // The body sees its own writes.
    EXPECT_TRUE(store().orders().GetByClientId("t-1").value().has_value());
    return Status::Ok();
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(Count("SELECT COUNT(*) FROM orders"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM state"), 1);
}

TEST_F(SqliteStoreTest, TransactionRollsBackEverythingWhenTheBodyFails) {
  Status status = store().InTransaction([&]() -> Status {
    KAIROS_RETURN_IF_ERROR(store().state().Put("a", "1"));
    KAIROS_RETURN_IF_ERROR(store().signals().Insert(MakeSignal("GOOG", D(2024, 3, 1))).status());
    KAIROS_RETURN_IF_ERROR(store().orders().Create(MakeOrder("t-1")).status());
    return Status::Unavailable("broker timed out");
  });
  EXPECT_EQ(status, Status::Unavailable("broker timed out"));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM orders"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM signals"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM state"), 0);
  // The store is usable afterwards.
  EXPECT_TRUE(store().state().Put("b", "2").ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM state"), 1);
}

TEST_F(SqliteStoreTest, TransactionRollsBackOnAFailedWrite) {
  ASSERT_TRUE(store().orders().Create(MakeOrder("dup")).ok());
  Status status = store().InTransaction([&]() -> Status {
    KAIROS_RETURN_IF_ERROR(store().state().Put("a", "1"));
    return store().orders().Create(MakeOrder("dup")).status();
  });
  EXPECT_EQ(status.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM state"), 0);
}

TEST_F(SqliteStoreTest, AnExceptionInTheBodyRollsBack) {
  Status status = store().InTransaction([&]() -> Status {
    EXPECT_TRUE(store().state().Put("a", "1").ok());
    throw std::runtime_error("boom");
  });
  EXPECT_EQ(status, Status::Internal("exception in a transaction: boom"));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM state"), 0);
  EXPECT_TRUE(store().InTransaction([] { return Status::Ok(); }).ok());
}

TEST_F(SqliteStoreTest, NestedTransactionsJoinTheOuterOne) {
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

TEST_F(SqliteStoreTest, AnOuterFailureUndoesACompletedInnerTransaction) {
  Status status = store().InTransaction([&]() -> Status {
    KAIROS_RETURN_IF_ERROR(
        store().InTransaction([&] { return store().state().Put("inner", "1"); }));
    return Status::FailedPrecondition("halted");
  });
  EXPECT_EQ(status, Status::FailedPrecondition("halted"));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM state"), 0);
}

TEST_F(SqliteStoreTest, AnInnerFailureRollsBackTheWholeOuterTransaction) {
  Status inner;
  Status status = store().InTransaction([&]() -> Status {
    KAIROS_RETURN_IF_ERROR(store().state().Put("outer", "1"));
    inner = store().InTransaction([&]() -> Status {
      KAIROS_RETURN_IF_ERROR(store().state().Put("inner", "1"));
      return Status::InvalidArgument("bad size");
    });
    // The outer body ignores the failure; the transaction is rolled back anyway.
    return Status::Ok();
  });
  EXPECT_EQ(inner, Status::InvalidArgument("bad size"));
  EXPECT_EQ(status,
            Status::InvalidArgument("transaction rolled back after an inner failure: bad size"));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM state"), 0);
  // The next transaction starts clean.
  EXPECT_TRUE(store().InTransaction([&] { return store().state().Put("next", "1"); }).ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM state"), 1);
}

TEST_F(SqliteStoreTest, AnExpectedRepositoryRefusalDoesNotDoomTheCallersTransaction) {
  int64_t id = store().signals().Insert(MakeSignal("GOOG", D(2024, 3, 1)))->first.id;
  ASSERT_TRUE(
      store()
          .signals()
          .Transition(id, SignalStatus::kPendingReview, SignalStatus::kExpired, "expiry", "", 1)
          .ok());
  Status status = store().InTransaction([&]() -> Status {
    KAIROS_RETURN_IF_ERROR(store().state().Put("a", "1"));
    Status approve = store().signals().Transition(id, SignalStatus::kPendingReview,
                                                  SignalStatus::kApproved, "auto", "", 2);
    EXPECT_EQ(approve.code(), StatusCode::kFailedPrecondition);
    Status dup = store().orders().Create(MakeOrder("x")).status();
    EXPECT_TRUE(dup.ok());
    EXPECT_EQ(store().orders().Create(MakeOrder("x")).status().code(), StatusCode::kAlreadyExists);
    return Status::Ok();  // the caller handled both refusals
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(Count("SELECT COUNT(*) FROM state"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM orders"), 1);
}

TEST_F(SqliteStoreTest, RepositoryWritesInsideATransactionAreUndoneWithIt) {
  Status status = store().InTransaction([&]() -> Status {
    KAIROS_RETURN_IF_ERROR(store().strategies().Import(SimpleSpec("s"), "t").status());
    int64_t id = store().signals().Insert(MakeSignal("GOOG", D(2024, 3, 1)))->first.id;
    KAIROS_RETURN_IF_ERROR(store().signals().Transition(id, SignalStatus::kPendingReview,
                                                        SignalStatus::kApproved, "auto", "", 1));
    return Status::Internal("crash before the order");
  });
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  for (const char* table : {"strategies", "strategy_state", "signals", "audit"}) {
    EXPECT_EQ(Count(std::string("SELECT COUNT(*) FROM ") + table), 0) << table;
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

TEST(SqliteConcurrencyTest, ThreadsSharingOneStoreNeverInterleaveTransactions) {
  TempDir dir;
  auto store = MustOpen(dir.file());
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->state().Put("counter", "0").ok());
  // Read-modify-write inside a transaction: a lost update would show as a smaller count.
  auto work = [&] {
    for (int i = 0; i < 50; ++i) {
      Status status = store->InTransaction([&]() -> Status {
        KAIROS_ASSIGN_OR_RETURN(auto value, store->state().Get("counter"));
        int next = std::stoi(value.value_or("0")) + 1;
        return store->state().Put("counter", std::to_string(next));
      });
      EXPECT_TRUE(status.ok()) << status.ToString();
    }
  };
  std::thread a(work);
  std::thread b(work);
  a.join();
  b.join();
  EXPECT_EQ(store->state().Get("counter").value_or(std::nullopt),
            std::optional<std::string>("100"));
}

}  // namespace
}  // namespace kairos::adapters::sqlite
