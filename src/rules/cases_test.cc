// Runs the rule cases in testdata/cases.txt (format described at the top of that file).
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "rules/binder.h"
#include "rules/parser.h"

namespace kairos::rules {
namespace {

struct Case {
  int line = 0;  // where the case starts in cases.txt
  bool is_rule = true;
  std::string text;
  bool has_text = false;
  std::string canonical, type, lookback, error;
};

std::vector<Case> ReadCases(const std::string& path) {
  std::ifstream in(path);
  std::vector<Case> cases;
  Case current;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    if (line == "---") {
      cases.push_back(current);
      current = Case{};
      continue;
    }
    size_t colon = line.find(':');
    EXPECT_NE(colon, std::string::npos) << path << ":" << number << ": no key";
    if (colon == std::string::npos) continue;
    std::string key = line.substr(0, colon);
    std::string value = colon + 1 < line.size() ? line.substr(colon + 2) : "";
    if (current.line == 0) current.line = number;
    if (key == "rule" || key == "expr") {
      current.is_rule = key == "rule";
      current.text += (current.has_text ? "\n" : "") + value;
      current.has_text = true;
    } else if (key == "canonical") {
      current.canonical = value;
    } else if (key == "type") {
      current.type = value;
    } else if (key == "lookback") {
      current.lookback = value;
    } else if (key == "error") {
      current.error = value;
    } else {
      ADD_FAILURE() << path << ":" << number << ": unknown key '" << key << "'";
    }
  }
  return cases;
}

TEST(RuleCasesTest, AllCasesInTestdata) {
  std::string path = std::string(KAIROS_SOURCE_DIR) + "/src/rules/testdata/cases.txt";
  std::vector<Case> cases = ReadCases(path);
  ASSERT_GE(cases.size(), 50u) << "could not read " << path;
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::Message() << "cases.txt:" << c.line << ": " << c.text);
    ASSERT_TRUE(c.has_text);
    Status status;
    std::unique_ptr<BoundExpr> bound;
    if (c.is_rule) {
      Result<BoundRule> rule = CompileRule(c.text);
      status = rule.status();
      if (rule.ok()) {
        EXPECT_EQ(rule->lookback, rule->root->lookback);
        bound = std::move(rule->root);
      }
    } else {
      Result<std::unique_ptr<Expr>> expr = Parse(c.text);
      status = expr.status();
      if (expr.ok()) {
        Result<std::unique_ptr<BoundExpr>> b = Bind(**expr, c.text);
        status = b.status();
        if (b.ok()) bound = std::move(*b);
      }
    }
    if (!c.error.empty()) {
      ASSERT_FALSE(status.ok()) << "expected error: " << c.error;
      EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
      std::string first_line = status.message().substr(0, status.message().find('\n'));
      EXPECT_EQ(first_line, c.error);
      continue;
    }
    ASSERT_TRUE(status.ok()) << status.message();
    EXPECT_EQ(CanonicalText(*bound), c.canonical);
    EXPECT_EQ(TypeName(bound->type), c.type);
    EXPECT_EQ(std::to_string(bound->lookback), c.lookback);
    // The canonical text is itself a rule that binds to the same tree.
    Result<std::unique_ptr<Expr>> again = Parse(c.canonical);
    ASSERT_TRUE(again.ok()) << again.status().message();
    Result<std::unique_ptr<BoundExpr>> rebound = Bind(**again, c.canonical);
    ASSERT_TRUE(rebound.ok()) << rebound.status().message();
    EXPECT_EQ(CanonicalText(**rebound), c.canonical);
    EXPECT_EQ((*rebound)->lookback, bound->lookback);
  }
}

// The fuzzer's seeds are meant to reach deep into the binder: each must be a valid rule.
TEST(RuleCasesTest, FuzzSeedsAreValidRules) {
  std::filesystem::path dir = std::filesystem::path(KAIROS_SOURCE_DIR) / "src/rules/fuzz/corpus";
  int seeds = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    Result<BoundRule> rule = CompileRule(text.str());
    EXPECT_TRUE(rule.ok()) << entry.path() << ": " << rule.status().message();
    ++seeds;
  }
  EXPECT_GE(seeds, 5);
}

}  // namespace
}  // namespace kairos::rules
