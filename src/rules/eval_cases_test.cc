// Runs testdata/eval_cases.txt (format at the top of that file).

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/core.h>
#include <gtest/gtest.h>

#include "rules/evaluator.h"

namespace kairos::rules {
namespace {

struct Case {
  int line = 0;
  std::map<std::string, std::string> fields;
  bool Has(const std::string& key) const { return fields.contains(key); }
  const std::string& Get(const std::string& key) const { return fields.at(key); }
};

std::vector<Case> LoadCases() {
  std::ifstream in(std::string(KAIROS_SOURCE_DIR) + "/src/rules/testdata/eval_cases.txt");
  EXPECT_TRUE(in.good()) << "cannot open eval_cases.txt";
  std::vector<Case> cases;
  Case current;
  std::string line;
  int number = 0;
  auto flush = [&] {
    if (!current.fields.empty()) cases.push_back(current);
    current = Case{};
  };
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) {
      flush();
      continue;
    }
    if (line[0] == '#') continue;
    size_t colon = line.find(':');
    EXPECT_NE(colon, std::string::npos) << "line " << number << ": no ':'";
    if (colon == std::string::npos) continue;
    if (current.fields.empty()) current.line = number;
    std::string value = line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    current.fields[line.substr(0, colon)] = value;
  }
  flush();
  return cases;
}

std::vector<double> Numbers(const std::string& text) {
  std::vector<double> out;
  std::istringstream in(text);
  std::string word;
  while (in >> word) out.push_back(std::strtod(word.c_str(), nullptr));
  return out;
}

std::string FirstLine(const std::string& s) { return s.substr(0, s.find('\n')); }

TEST(EvalCasesTest, EveryCase) {
  std::vector<Case> cases = LoadCases();
  ASSERT_GE(cases.size(), 30u);
  for (const Case& c : cases) {
    SCOPED_TRACE(fmt::format("eval_cases.txt:{}: {}", c.line, c.Get("rule")));
    std::vector<std::string> extras;
    if (c.Has("extra")) extras.push_back(c.Get("extra"));
    auto program = Program::Compile(c.Get("rule"), extras);
    if (!program.ok()) {
      ASSERT_TRUE(c.Has("error")) << program.status().message();
      EXPECT_EQ(FirstLine(program.status().message()), c.Get("error"));
      continue;
    }
    auto column = [&](const std::string& key) {
      return c.Has(key) ? Numbers(c.Get(key)) : std::vector<double>{};
    };
    std::vector<double> open = column("open"), high = column("high"), low = column("low"),
                        close = column("close"), volume = column("volume");
    std::vector<double> wopen = column("weekly_open"), whigh = column("weekly_high"),
                        wlow = column("weekly_low"), wclose = column("weekly_close"),
                        wvolume = column("weekly_volume");
    std::vector<int32_t> last_completed;
    for (double v : column("last_completed")) last_completed.push_back(static_cast<int32_t>(v));
    BarColumns daily{open, high, low, close, volume};
    WeeklyColumns weekly{{wopen, whigh, wlow, wclose, wvolume}, last_completed};

    Evaluator evaluator(*program);
    Evaluation out;
    Status status = evaluator.EvaluateAll(daily, c.Has("last_completed") ? &weekly : nullptr, &out);
    if (c.Has("error")) {
      EXPECT_FALSE(status.ok());
      EXPECT_EQ(FirstLine(status.message()), c.Get("error"));
      EXPECT_TRUE(out.match.empty());  // nothing written on failure
      continue;
    }
    ASSERT_TRUE(status.ok()) << status.message();
    ASSERT_EQ(out.match.size(), close.size());
    std::string matched;
    for (size_t i = 0; i < out.match.size(); ++i) {
      if (!out.match[i]) continue;
      if (!matched.empty()) matched += ' ';
      matched += std::to_string(i);
    }
    ASSERT_TRUE(c.Has("match"));
    EXPECT_EQ(matched, c.Get("match"));
    if (c.Has("values")) {
      std::vector<double> expected = Numbers(c.Get("values"));
      ASSERT_EQ(out.extras.size(), 1u);
      ASSERT_EQ(out.extras[0].size(), expected.size());
      for (size_t i = 0; i < expected.size(); ++i) {
        const double got = out.extras[0][i];
        if (std::isnan(expected[i])) {
          EXPECT_TRUE(std::isnan(got)) << "bar " << i << ": " << got;
        } else {
          EXPECT_NEAR(got, expected[i], 1e-12 * std::fabs(expected[i])) << "bar " << i;
        }
      }
    }
    if (c.Has("terms")) {
      std::string names;
      for (const Term& t : (*program)->terms()) {
        if (!names.empty()) names += ' ';
        names += t.name;
      }
      EXPECT_EQ(names, c.Get("terms"));
      ASSERT_EQ(out.terms.size(), (*program)->terms().size());
    }
  }
}

}  // namespace
}  // namespace kairos::rules
