#include "engine/universe_manager.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/scanner.h"
#include "marketdata/synth.h"
#include "rules/evaluator.h"

namespace kairos::engine {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

Date D(int y, unsigned m, unsigned d) { return Date::FromYmd(y, m, d); }

// An in-memory UniverseRepository (engine tests may not include adapters).
class MemoryUniverses final : public ports::UniverseRepository {
 public:
  Status Put(const Universe& u) override {
    ++puts;
    stored[u.name] = u;
    return Status::Ok();
  }
  Result<std::optional<Universe>> Get(std::string_view name) override {
    auto it = stored.find(std::string(name));
    if (it == stored.end()) return std::optional<Universe>();
    return std::optional<Universe>(it->second);
  }
  Result<std::vector<Universe>> List() override {
    std::vector<Universe> out;
    for (const auto& [name, u] : stored) out.push_back(u);
    return out;
  }
  Status Remove(std::string_view name) override {
    return stored.erase(std::string(name)) ? Status::Ok() : Status::NotFound(std::string(name));
  }
  std::map<std::string, Universe> stored;
  int puts = 0;
};

class UniverseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           fmt::format("kairos_universe_test_{}_{}", ::getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    auto store = marketdata::BarStore::Open(dir_, {.sync = false});
    ASSERT_TRUE(store.ok());
    bars_ = std::move(*store);
    const auto* nyse = *calendar::ExchangeCalendar::ForExchange("NYSE");
    const auto* nse = *calendar::ExchangeCalendar::ForExchange("NSE");
    auto us = marketdata::LastSessions(*nyse, D(2026, 11, 27), 120);
    auto in = marketdata::LastSessions(*nse, D(2026, 11, 27), 120);
    for (int i = 1; i <= 12; ++i) {
      BarSeries s = marketdata::SynthSeries(fmt::format("US{:02d}", i), "NYSE", *us,
                                            marketdata::SynthSymbolSeed(5, i));
      series_.push_back(s);
      ASSERT_TRUE(bars_->Replace(s).ok());
    }
    for (int i = 1; i <= 3; ++i) {
      ASSERT_TRUE(bars_
                      ->Replace(marketdata::SynthSeries(fmt::format("IN{}", i), "NSE", *in,
                                                        marketdata::SynthSymbolSeed(6, i)))
                      .ok());
    }
  }
  void TearDown() override {
    bars_.reset();
    fs::remove_all(dir_);
  }

  UniverseManager Manager() { return UniverseManager(repo_, *bars_, clock_, 2); }

  // The last value of median(turnover, 20) per US symbol, computed without the universe code.
  std::map<std::string, double> MedianTurnover() {
    auto program =
        rules::Program::Compile("close > 0", std::vector<std::string>{"median(turnover, 20)"});
    std::map<std::string, double> out;
    if (!program.ok()) {
      ADD_FAILURE() << program.status().ToString();
      return out;
    }
    rules::Evaluator evaluator(*program);
    for (const BarSeries& s : series_) {
      rules::Evaluation e;
      EXPECT_TRUE(
          evaluator.EvaluateAll({s.open, s.high, s.low, s.close, s.volume}, nullptr, &e).ok());
      out[s.instrument.symbol] = e.extras[0].back();
    }
    return out;
  }

  fs::path dir_;
  std::unique_ptr<marketdata::BarStore> bars_;
  std::vector<BarSeries> series_;
  MemoryUniverses repo_;
  ports::ManualClock clock_{1'800'000'000'000'000'000};
};

TEST(UniverseNameTest, Validation) {
  EXPECT_TRUE(ValidateUniverseName("liquid_200").ok());
  EXPECT_TRUE(ValidateUniverseName(std::string(64, 'a')).ok());
  EXPECT_EQ(ValidateUniverseName("Liquid").message(),
            "universe name 'Liquid' must be 1 to 64 characters of a-z, 0-9 and _");
  EXPECT_FALSE(ValidateUniverseName("").ok());
  EXPECT_FALSE(ValidateUniverseName(std::string(65, 'a')).ok());
  EXPECT_FALSE(ValidateUniverseName("a-b").ok());
  EXPECT_FALSE(ValidateUniverseName("a b").ok());
}

TEST(SymbolFileTest, OneSymbolPerLineWithComments) {
  fs::path file = fs::temp_directory_path() / fmt::format("kairos_symbols_{}.txt", ::getpid());
  std::ofstream(file) << "# my watch list\naapl\n  MSFT  # software\n\nbrk.b\n";
  auto symbols = ReadSymbolFile(file.string());
  ASSERT_TRUE(symbols.ok()) << symbols.status().ToString();
  EXPECT_THAT(*symbols, ElementsAre("AAPL", "MSFT", "BRK.B"));
  std::ofstream(file) << "AAPL\nMSFT GOOG\n";
  EXPECT_EQ(ReadSymbolFile(file.string()).status().message(),
            file.string() + ":2: one symbol per line, got 'MSFT GOOG'");
  fs::remove(file);
  EXPECT_EQ(ReadSymbolFile(file.string()).status().code(), StatusCode::kNotFound);
}

TEST_F(UniverseTest, StaticListIsNormalisedAndStored) {
  UniverseDefinition def{.kind = UniverseDefinition::Kind::kStatic,
                         .symbols = {"us02", " US01 ", "US02", "LATER"}};
  auto u = Manager().Define("watch", def);
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_THAT(u->members, ElementsAre("LATER", "US01", "US02"));
  EXPECT_EQ(u->as_of, D(2026, 11, 27));  // the last session in the store
  EXPECT_EQ(u->computed_ns, clock_.NowNs());
  ASSERT_EQ(repo_.stored.count("watch"), 1u);
  EXPECT_EQ(repo_.stored["watch"].members, u->members);
  EXPECT_EQ(repo_.stored["watch"].definition.symbols, u->members);
  auto as_of = Manager().Define("watch", def, D(2026, 6, 1));
  ASSERT_TRUE(as_of.ok());
  EXPECT_EQ(repo_.stored["watch"].as_of, D(2026, 6, 1));
}

TEST_F(UniverseTest, ExchangeTakesEveryStoredSymbolOfIt) {
  auto u =
      Manager().Define("india", {.kind = UniverseDefinition::Kind::kExchange, .exchange = "nse"});
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_THAT(u->members, ElementsAre("IN1", "IN2", "IN3"));
  auto none =
      Manager().Define("lse", {.kind = UniverseDefinition::Kind::kExchange, .exchange = "LSE"});
  EXPECT_EQ(none.status().message(), "universe lse: no stored symbol is on exchange 'LSE'");
  EXPECT_EQ(repo_.stored.count("lse"), 0u);
}

TEST_F(UniverseTest, RuleWithTopByRank) {
  std::map<std::string, double> median = MedianTurnover();
  // The threshold keeps some but not all US symbols; then the top 3 of those by the median.
  std::vector<double> values;
  for (const auto& [s, v] : median) values.push_back(v);
  std::sort(values.begin(), values.end());
  const double threshold = values[3];  // keeps 8 of 12 (ties aside)
  UniverseDefinition def{.kind = UniverseDefinition::Kind::kRule,
                         .exchange = "NYSE",
                         .rule = fmt::format("median(turnover, 20) > {}", threshold),
                         .rank = "median(turnover, 20)",
                         .top = 3};
  auto u = Manager().Define("liquid", def);
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  std::vector<std::pair<double, std::string>> ranked;
  for (const auto& [s, v] : median) {
    if (v > threshold) ranked.push_back({v, s});
  }
  ASSERT_GT(ranked.size(), 3u);
  std::sort(ranked.rbegin(), ranked.rend());
  std::vector<std::string> want = {ranked[0].second, ranked[1].second, ranked[2].second};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(u->members, want);
  EXPECT_EQ(u->as_of, D(2026, 11, 27));

  // Without top: every symbol where the rule holds.
  def.top = 0;
  auto all = Manager().Define("liquid_all", def);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->members.size(), ranked.size());

  // With a base: only the base's members are candidates.
  ASSERT_TRUE(Manager()
                  .Define("few", {.kind = UniverseDefinition::Kind::kStatic,
                                  .symbols = {ranked[1].second, ranked[2].second, "IN1"}})
                  .ok());
  def.base = "few";
  def.top = 1;
  def.exchange = "";
  auto based = Manager().Define("liquid_few", def);
  ASSERT_TRUE(based.ok()) << based.status().ToString();
  EXPECT_THAT(based->members, ElementsAre(ranked[1].second));
}

TEST_F(UniverseTest, RuleAsOfAnEarlierSession) {
  auto u = Manager().Define(
      "up", {.kind = UniverseDefinition::Kind::kRule, .rule = "close > close[1]"}, D(2026, 10, 1));
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->as_of, D(2026, 10, 1));
  std::vector<std::string> want;
  for (const BarSeries& s : series_) {
    auto it = std::find(s.dates.begin(), s.dates.end(), D(2026, 10, 1));
    size_t i = it - s.dates.begin();
    if (s.close[i] > s.close[i - 1]) want.push_back(s.instrument.symbol);
  }
  // NSE symbols also count (2026-10-01 is an NSE session too); compare the US part.
  std::vector<std::string> us;
  for (const auto& m : u->members) {
    if (m.starts_with("US")) us.push_back(m);
  }
  EXPECT_EQ(us, want);
}

TEST_F(UniverseTest, BadDefinitionsAreRefusedAndNothingIsStored) {
  UniverseManager m = Manager();
  auto expect_refused = [&](std::string_view name, const UniverseDefinition& def,
                            const std::string& message) {
    auto u = m.Define(name, def);
    EXPECT_FALSE(u.ok()) << name;
    EXPECT_EQ(u.status().message(), message);
    EXPECT_TRUE(repo_.stored.empty());
    EXPECT_EQ(repo_.puts, 0);
  };
  using K = UniverseDefinition::Kind;
  expect_refused("Bad", {.kind = K::kStatic, .symbols = {"A"}},
                 "universe name 'Bad' must be 1 to 64 characters of a-z, 0-9 and _");
  expect_refused("empty", {.kind = K::kStatic},
                 "universe empty: a static list needs at least one symbol");
  expect_refused("blank", {.kind = K::kStatic, .symbols = {"A", " "}},
                 "universe blank: empty symbol in the list");
  expect_refused("neg", {.kind = K::kRule, .rule = "close > 1", .rank = "close", .top = -1},
                 "universe neg: top must be >= 0, got -1");
  expect_refused("norank", {.kind = K::kRule, .rule = "close > 1", .top = 5},
                 "universe norank: top 5 needs a rank expression to choose by");
  expect_refused("nobase", {.kind = K::kRule, .rule = "close > 1", .base = "ghost"},
                 "universe nobase: unknown base universe 'ghost'");
  expect_refused("self", {.kind = K::kRule, .rule = "close > 1", .base = "self"},
                 "universe self: cannot be its own base");
  // A bad rule: the rule diagnostic with its caret.
  auto bad = m.Define("typo", {.kind = K::kRule, .rule = "emaa(close, 20) > close"});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("1:1: unknown indicator 'emaa'"));
  EXPECT_THAT(bad.status().message(), HasSubstr("\nemaa(close, 20) > close\n^"));
  EXPECT_TRUE(repo_.stored.empty());
}

TEST_F(UniverseTest, GetListRefresh) {
  UniverseManager m = Manager();
  EXPECT_EQ(m.Get("nope").status().message(), "no universe named 'nope'");
  EXPECT_EQ(m.Refresh("nope").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(
      m.Define("up",
               {.kind = UniverseDefinition::Kind::kRule, .rule = "close > close[1]", .base = "us"})
          .status()
          .message()
          .find("unknown base") != std::string::npos);
  ASSERT_TRUE(m.Define("us", {.kind = UniverseDefinition::Kind::kExchange, .exchange = "NYSE"},
                       D(2026, 9, 1))
                  .ok());
  ASSERT_TRUE(
      m.Define("up",
               {.kind = UniverseDefinition::Kind::kRule, .rule = "close > close[1]", .base = "us"},
               D(2026, 9, 1))
          .ok());
  auto list = m.List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "up");
  EXPECT_EQ((*list)[1].name, "us");

  clock_.AdvanceTo(clock_.NowNs() + 1000);
  auto refreshed = m.Refresh("up", D(2026, 10, 1));
  ASSERT_TRUE(refreshed.ok());
  EXPECT_EQ(refreshed->as_of, D(2026, 10, 1));
  EXPECT_EQ(repo_.stored["up"].computed_ns, clock_.NowNs());

  auto all = m.RefreshAll();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].as_of, D(2026, 11, 27));
  EXPECT_EQ((*all)[1].as_of, D(2026, 11, 27));
  EXPECT_EQ((*all)[1].members.size(), 12u);
  // The rule universe equals a direct scan of its base as of that day.
  auto program = rules::Program::Compile("close > close[1]");
  ScanRequest request{.program = *program, .symbols = (*all)[1].members};
  auto scan = Scan(*bars_, request);
  ASSERT_TRUE(scan.ok());
  std::vector<std::string> want;
  for (const auto& match : scan->matches) want.push_back(match.symbol);
  EXPECT_EQ((*all)[0].members, want);
}

}  // namespace
}  // namespace kairos::engine
