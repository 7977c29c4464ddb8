#include "adapters/sqlite/sqlite_db.h"

#include <cmath>

#include <gtest/gtest.h>

#include "adapters/sqlite/migrations.h"
#include "adapters/sqlite/sqlite_store_internal.h"

namespace kairos::adapters::sqlite {
namespace {

std::unique_ptr<Db> MemoryDb() {
  auto db = Db::Open(":memory:");
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(db).value() : nullptr;
}

int64_t Scalar(Db& db, std::string_view sql) {
  auto s = db.Prepare(sql, "test query");
  if (!s.ok()) {
    ADD_FAILURE() << sql << ": " << s.status().ToString();
    return -1;
  }
  EXPECT_TRUE(s->Step().value_or(false));
  return s->Int(0);
}

TEST(SqliteStatusTest, CodesMapToStatusCodes) {
  EXPECT_EQ(SqliteStatus(SQLITE_CONSTRAINT_UNIQUE, "m", "c"),
            Status::AlreadyExists("sqlite: m (while c)"));
  EXPECT_EQ(SqliteStatus(SQLITE_CONSTRAINT_PRIMARYKEY, "m", "c").code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(SqliteStatus(SQLITE_CONSTRAINT_CHECK, "m", "c").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SqliteStatus(SQLITE_CONSTRAINT_FOREIGNKEY, "m", "c").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(SqliteStatus(SQLITE_BUSY, "m", "c").code(), StatusCode::kUnavailable);
  EXPECT_EQ(SqliteStatus(SQLITE_BUSY_SNAPSHOT, "m", "c").code(), StatusCode::kUnavailable);
  EXPECT_EQ(SqliteStatus(SQLITE_LOCKED, "m", "c").code(), StatusCode::kUnavailable);
  EXPECT_EQ(SqliteStatus(SQLITE_CORRUPT, "m", "c").code(), StatusCode::kCorruption);
  EXPECT_EQ(SqliteStatus(SQLITE_NOTADB, "m", "c").code(), StatusCode::kCorruption);
  EXPECT_EQ(SqliteStatus(SQLITE_IOERR_FSYNC, "m", "c").code(), StatusCode::kIOError);
  EXPECT_EQ(SqliteStatus(SQLITE_FULL, "m", "c").code(), StatusCode::kIOError);
  EXPECT_EQ(SqliteStatus(SQLITE_READONLY, "m", "c").code(), StatusCode::kIOError);
  EXPECT_EQ(SqliteStatus(SQLITE_ERROR, "m", "c"), Status::Internal("sqlite: m (while c)"));
}

TEST(SqliteDbTest, BadSqlNamesWhatWasBeingDone) {
  auto db = MemoryDb();
  ASSERT_NE(db, nullptr);
  auto s = db->Prepare("SELEC 1", "probing");
  EXPECT_EQ(s.status(), Status::Internal("sqlite: near \"SELEC\": syntax error (while probing)"));
  EXPECT_EQ(db->Exec("CREATE TABLE t (x INTEGER NOT NULL) STRICT; INSERT INTO t VALUES (NULL)",
                     "seeding"),
            Status::InvalidArgument("sqlite: NOT NULL constraint failed: t.x (while seeding)"));
}

TEST(SqliteDbTest, StatementsAreReusedAndASecondUserGetsItsOwn) {
  auto db = MemoryDb();
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->Exec("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2)", "seed").ok());
  auto outer = db->Prepare("SELECT x FROM t ORDER BY x", "outer");
  ASSERT_TRUE(outer.ok());
  ASSERT_TRUE(outer->Step().value_or(false));
  EXPECT_EQ(outer->Int(0), 1);
  {
    // Same SQL while the first is mid-iteration: must not reset the first.
    auto inner = db->Prepare("SELECT x FROM t ORDER BY x", "inner");
    ASSERT_TRUE(inner.ok());
    ASSERT_TRUE(inner->Step().value_or(false));
    EXPECT_EQ(inner->Int(0), 1);
  }
  ASSERT_TRUE(outer->Step().value_or(false));
  EXPECT_EQ(outer->Int(0), 2);
  EXPECT_FALSE(outer->Step().value_or(true));
}

TEST(SqliteDbTest, BindingsAreClearedBetweenUses) {
  auto db = MemoryDb();
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->Exec("CREATE TABLE t (x INTEGER)", "seed").ok());
  {
    auto s = db->Prepare("INSERT INTO t VALUES (?)", "insert");
    ASSERT_TRUE(s->Bind(int64_t{7}).Run().ok());
  }
  {
    auto s = db->Prepare("INSERT INTO t VALUES (?)", "insert");
    ASSERT_TRUE(s->Run().ok());  // unbound: NULL, not the previous 7
  }
  EXPECT_EQ(Scalar(*db, "SELECT COUNT(*) FROM t WHERE x IS NULL"), 1);
  EXPECT_EQ(Scalar(*db, "SELECT COUNT(*) FROM t WHERE x = 7"), 1);
}

TEST(SqliteDbTest, TypedColumnsAndNullHandling) {
  auto db = MemoryDb();
  ASSERT_NE(db, nullptr);
  auto s = db->Prepare("SELECT ?, ?, ?, ?, ?", "types");
  ASSERT_TRUE(s.ok());
  std::optional<int64_t> none;
  s->Bind(int64_t{-5}, std::nan(""), std::string_view("text"), none, 2.5);
  ASSERT_TRUE(s->Step().value_or(false));
  EXPECT_EQ(s->Int(0), -5);
  EXPECT_TRUE(s->IsNull(1));            // NaN is stored as NULL ...
  EXPECT_TRUE(std::isnan(s->Real(1)));  // ... and read back as NaN
  EXPECT_EQ(s->Text(2), "text");
  EXPECT_EQ(s->OptionalInt(3), std::nullopt);
  EXPECT_EQ(s->Text(3), "");
  EXPECT_EQ(s->Real(4), 2.5);
}

TEST(SqliteDbTest, BindingPastTheLastParameterFailsAtStep) {
  auto db = MemoryDb();
  ASSERT_NE(db, nullptr);
  auto s = db->Prepare("SELECT ?", "binding");
  ASSERT_TRUE(s.ok());
  s->Bind(int64_t{1}, int64_t{2});
  EXPECT_EQ(s->Step().status(),
            Status::InvalidArgument("sqlite: column index out of range (while binding)"));
}

// ---- migrations with made-up lists

constexpr Migration kGood[] = {
    {1, "first", "CREATE TABLE a (x INTEGER);"},
    {2, "second", "CREATE TABLE b (x INTEGER); INSERT INTO a VALUES (1);"},
};
constexpr Migration kBrokenSecond[] = {
    {1, "first", "CREATE TABLE a (x INTEGER);"},
    {2, "second", "CREATE TABLE b (x INTEGER); INSERT INTO a VALUES (1); SELEC oops;"},
};

TEST(SqliteMigrationTest, AppliesInOrderAndOnlyOnce) {
  auto db = MemoryDb();
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(ApplyMigrations(*db, std::span(kGood).first(1)).ok());
  EXPECT_EQ(Scalar(*db, "SELECT MAX(version) FROM schema_migrations"), 1);
  ASSERT_TRUE(ApplyMigrations(*db, kGood).ok());
  EXPECT_EQ(Scalar(*db, "SELECT MAX(version) FROM schema_migrations"), 2);
  ASSERT_TRUE(ApplyMigrations(*db, kGood).ok());  // nothing left to do
  EXPECT_EQ(Scalar(*db, "SELECT COUNT(*) FROM a"), 1);
  EXPECT_EQ(Scalar(*db, "SELECT COUNT(*) FROM schema_migrations"), 2);
}

TEST(SqliteMigrationTest, AFailingMigrationLeavesNoTraceAndKeepsTheEarlierOnes) {
  auto db = MemoryDb();
  ASSERT_NE(db, nullptr);
  Status status = ApplyMigrations(*db, kBrokenSecond);
  EXPECT_EQ(status,
            Status::Internal("sqlite: near \"SELEC\": syntax error (while applying migration "
                             "002_second)"));
  EXPECT_EQ(Scalar(*db, "SELECT MAX(version) FROM schema_migrations"), 1);
  EXPECT_EQ(Scalar(*db, "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'b'"), 0);
  EXPECT_EQ(Scalar(*db, "SELECT COUNT(*) FROM a"), 0);
  EXPECT_FALSE(db->InTransaction());
  // A fixed kairos then applies it.
  ASSERT_TRUE(ApplyMigrations(*db, kGood).ok());
  EXPECT_EQ(Scalar(*db, "SELECT COUNT(*) FROM a"), 1);
}

TEST(SqliteMigrationTest, ANewerDatabaseIsRefusedEvenWithNothingToApply) {
  auto db = MemoryDb();
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(ApplyMigrations(*db, kGood).ok());
  EXPECT_EQ(ApplyMigrations(*db, std::span(kGood).first(1)),
            Status::FailedPrecondition(
                "database schema 2 is newer than this kairos (1); upgrade kairos"));
  EXPECT_EQ(ApplyMigrations(*db, {}),
            Status::FailedPrecondition(
                "database schema 2 is newer than this kairos (0); upgrade kairos"));
}

TEST(SqliteMigrationTest, EmbeddedMigrationsAreNumberedFromOneWithoutGaps) {
  auto migrations = EmbeddedMigrations();
  ASSERT_FALSE(migrations.empty());
  for (size_t i = 0; i < migrations.size(); ++i) {
    EXPECT_EQ(migrations[i].version, static_cast<int>(i) + 1);
    EXPECT_FALSE(migrations[i].name.empty());
    EXPECT_FALSE(migrations[i].sql.empty());
  }
  EXPECT_EQ(migrations[0].name, "initial");
}

}  // namespace
}  // namespace kairos::adapters::sqlite
