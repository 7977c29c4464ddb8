#include "marketdata/csv_reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace kairos::marketdata::csv {
namespace {

std::vector<std::string> Lines(std::string_view text) {
  std::vector<std::string> out;
  LineReader r(text);
  while (std::optional<std::string_view> l = r.Next()) out.emplace_back(*l);
  return out;
}

std::vector<std::string> Fields(std::string_view line) {
  FieldSplitter s;
  Status st = s.Split(line);
  EXPECT_TRUE(st.ok()) << st.ToString();
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size(); ++i) out.emplace_back(s[i]);
  return out;
}

using Strings = std::vector<std::string>;

TEST(LineReaderTest, SplitsOnLfAndCrLfAndKeepsALastLineWithoutTerminator) {
  EXPECT_EQ(Lines("a\nb\r\nc"), (Strings{"a", "b", "c"}));
  EXPECT_EQ(Lines("a\r\n\r\n"), (Strings{"a", ""}));
  EXPECT_EQ(Lines(""), Strings{});
  EXPECT_EQ(Lines("\n"), Strings{""});
}

TEST(LineReaderTest, CountsLinesFromOne) {
  LineReader r("x\ny\n");
  EXPECT_EQ(r.line_number(), 0);
  ASSERT_TRUE(r.Next());
  EXPECT_EQ(r.line_number(), 1);
  ASSERT_TRUE(r.Next());
  EXPECT_EQ(r.line_number(), 2);
  EXPECT_FALSE(r.Next());
  EXPECT_FALSE(r.Next());
}

TEST(CsvTest, StripBomRemovesOnlyALeadingUtf8Bom) {
  EXPECT_EQ(StripBom("\xEF\xBB\xBF"
                     "Date"),
            "Date");
  EXPECT_EQ(StripBom("Date\xEF\xBB\xBF"), "Date\xEF\xBB\xBF");
  EXPECT_EQ(StripBom("\xEF\xBB"), "\xEF\xBB");
}

TEST(CsvTest, IsBlank) {
  EXPECT_TRUE(IsBlank(""));
  EXPECT_TRUE(IsBlank(" \t\r"));
  EXPECT_FALSE(IsBlank(" ,"));
}

TEST(FieldSplitterTest, SplitsTrimsAndUnquotes) {
  EXPECT_EQ(Fields("a,b,c"), (Strings{"a", "b", "c"}));
  EXPECT_EQ(Fields(" a , b\t,c "), (Strings{"a", "b", "c"}));
  EXPECT_EQ(Fields("\"AA\",\"1990-12-31\",5.92"), (Strings{"AA", "1990-12-31", "5.92"}));
  EXPECT_EQ(Fields(" \"a,b\" ,c"), (Strings{"a,b", "c"}));
  EXPECT_EQ(Fields("\"say \"\"hi\"\"\",x"), (Strings{"say \"\"hi\"\"", "x"}));
  EXPECT_EQ(Fields("a,,b,"), (Strings{"a", "", "b", ""}));
  EXPECT_EQ(Fields(""), (Strings{""}));
  EXPECT_EQ(Fields("\"\""), (Strings{""}));
}

TEST(FieldSplitterTest, RejectsMalformedQuotesAndTooManyFields) {
  FieldSplitter s;
  EXPECT_EQ(s.Split("\"abc,d"), Status::InvalidArgument("unterminated quoted field"));
  EXPECT_EQ(s.Split("\"ab\"c,d"), Status::InvalidArgument("text after a closing quote"));
  EXPECT_EQ(s.Split("\""), Status::InvalidArgument("unterminated quoted field"));
  std::string many(64, ',');  // 65 fields
  EXPECT_EQ(s.Split(many), Status::InvalidArgument("more than 64 fields"));
  EXPECT_TRUE(s.Split(std::string(63, ',')).ok());
  EXPECT_EQ(s.size(), 64u);
}

TEST(ParseNumberTest, ParsesDecimalsExactly) {
  EXPECT_EQ(ParseNumber("63.4375"), 63.4375);
  EXPECT_EQ(ParseNumber("1455.219971"), 1455.219971);
  EXPECT_EQ(ParseNumber("+2"), 2.0);
  EXPECT_EQ(ParseNumber("-0.5"), -0.5);
  EXPECT_EQ(ParseNumber("2.61802e7"), 26180200.0);
  EXPECT_EQ(ParseNumber("5179990000"), 5179990000.0);
  // The shortest representation of the parsed double is the input text.
  for (std::string_view s : {"0.1", "28.61", "0.30000000000000004", "1e-05", "123456.789"}) {
    std::optional<double> v = ParseNumber(s);
    ASSERT_TRUE(v) << s;
    EXPECT_EQ(fmt::format("{}", *v), s);
  }
}

TEST(ParseNumberTest, RejectsWhatIsNotWhollyANumber) {
  for (std::string_view s :
       {"", "+", "-", "++1", "1.2.3", "12x", " 1", "1 ", "0x10", "1e999", "1,5", "null"}) {
    EXPECT_FALSE(ParseNumber(s)) << s;
  }
}

// The fast path for plain decimals must give exactly what from_chars gives.
TEST(ParseNumberTest, FastPathAgreesWithFromChars) {
  uint64_t state = 0x9E3779B97F4A7C15u;
  auto next = [&] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  for (int i = 0; i < 200000; ++i) {
    int int_digits = static_cast<int>(next() % 12);
    int decimals = static_cast<int>(next() % 12);
    std::string s = (next() % 4 == 0) ? "-" : "";
    for (int d = 0; d < int_digits; ++d) s += static_cast<char>('0' + next() % 10);
    if (decimals > 0 || int_digits == 0) {
      s += '.';
      for (int d = 0; d < std::max(decimals, 1); ++d) s += static_cast<char>('0' + next() % 10);
    }
    double want = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), want);
    ASSERT_TRUE(ec == std::errc() && end == s.data() + s.size()) << s;
    std::optional<double> got = ParseNumber(s);
    ASSERT_TRUE(got) << s;
    ASSERT_EQ(std::signbit(*got), std::signbit(want)) << s;
    ASSERT_EQ(*got, want) << s;
  }
  // Forms the fast path hands over: more than 19 digits, beyond 2^53, exponents.
  EXPECT_EQ(ParseNumber("12345678901234567890.5"), 12345678901234567890.5);
  EXPECT_EQ(ParseNumber("9007199254740993"), 9007199254740993.0);
  EXPECT_EQ(ParseNumber("0.1000000000000000055511151231257827"), 0.1);
  EXPECT_EQ(ParseNumber("1."), 1.0);
  EXPECT_EQ(ParseNumber(".5"), 0.5);
}

TEST(ParseNumberTest, AcceptsInfinityAndNanForCallersToReject) {
  EXPECT_TRUE(std::isinf(*ParseNumber("inf")));
  EXPECT_TRUE(std::isnan(*ParseNumber("nan")));
}

TEST(ParseDateTest, IsoDates) {
  EXPECT_EQ(ParseIsoDate("2024-02-29"), Date::FromYmd(2024, 2, 29));
  EXPECT_EQ(ParseIsoDate("1990-12-31"), Date::FromYmd(1990, 12, 31));
  for (std::string_view s :
       {"2023-02-29", "2024-13-01", "2024-00-10", "2024-01-32", "2024/01/02", "24-01-02",
        "2024-1-2", "2024-01-02T", "2024-01-0x", "", "2024-01-02 "}) {
    EXPECT_FALSE(ParseIsoDate(s)) << s;
  }
}

TEST(ParseDateTest, DayMonYearInAnyCase) {
  EXPECT_EQ(ParseDayMonYear("02-JAN-2019"), Date::FromYmd(2019, 1, 2));
  EXPECT_EQ(ParseDayMonYear("31-dec-2003"), Date::FromYmd(2003, 12, 31));
  EXPECT_EQ(ParseDayMonYear("29-Feb-2024"), Date::FromYmd(2024, 2, 29));
  for (std::string_view s :
       {"29-FEB-2023", "02-JNA-2019", "2-JAN-2019", "02-JAN-19", "02/JAN/2019", "2019-01-02", ""}) {
    EXPECT_FALSE(ParseDayMonYear(s)) << s;
  }
}

TEST(CsvTest, IsMissing) {
  for (std::string_view s : {"", "NA", "na", "N/A", "null", "NULL"}) EXPECT_TRUE(IsMissing(s)) << s;
  for (std::string_view s : {"0", "nan", "nulls", "-"}) EXPECT_FALSE(IsMissing(s)) << s;
}

TEST(CsvTest, NormalizeName) {
  EXPECT_EQ(NormalizeName("Adj Close"), "adjclose");
  EXPECT_EQ(NormalizeName(" TOTTRDQTY"), "tottrdqty");
  EXPECT_EQ(NormalizeName("adj_close"), "adjclose");
  EXPECT_EQ(NormalizeName("\xEF\xBB\xBF"
                          "Date"),
            "date");
}

}  // namespace
}  // namespace kairos::marketdata::csv
