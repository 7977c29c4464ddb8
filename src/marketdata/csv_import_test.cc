#include "marketdata/csv_import.h"

#include <map>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kairos::marketdata {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

Date D(std::string_view s) { return *Date::Parse(s); }

// Weekends plus a fixed list of holidays, for every exchange.
class FakeSessions final : public SessionFilter {
 public:
  std::optional<std::string> ClosedReason(std::string_view, Date d) const override {
    if (d.IsWeekend()) return "weekend";
    if (d == D("2024-01-15")) return "Martin Luther King, Jr. Day";
    return std::nullopt;
  }
};

ParsedFile Parse(std::string_view text, ParseOptions options = {}) {
  static const FakeSessions kSessions;
  if (options.file.empty()) options.file = "t.csv";
  if (options.file_symbol.empty()) options.file_symbol = "abc";
  options.sessions = &kSessions;
  return ParseCsv(text, options);
}

std::vector<std::string> Messages(const std::vector<ImportIssue>& issues) {
  std::vector<std::string> out;
  for (const ImportIssue& i : issues) out.push_back(i.ToString());
  return out;
}

TEST(ImportIssueTest, ToString) {
  EXPECT_EQ((ImportIssue{"a.csv", 3, "bad"}).ToString(), "a.csv:3: bad");
  EXPECT_EQ((ImportIssue{"a.csv", 0, "bad"}).ToString(), "a.csv: bad");
}

// --- Formats -------------------------------------------------------------------------------------

TEST(ParseCsvTest, YahooUsesCloseNotAdjCloseAndSkipsNullRows) {
  ParsedFile p = Parse(
      "\xEF\xBB\xBF"
      "Date,Open,High,Low,Close,Adj Close,Volume\r\n"
      "2024-01-02,187.15,188.44,183.89,185.64,184.53,82488700\r\n"
      "2024-01-03,null,null,null,null,null,null\r\n"
      "2024-01-04,182.15,183.09,180.88,181.91,180.83,71983600\r\n\r\n");
  ASSERT_EQ(p.format, CsvFormat::kYahoo);
  EXPECT_THAT(p.errors, IsEmpty());
  EXPECT_THAT(Messages(p.warnings),
              ElementsAre("t.csv:3: 1 row without data (empty, NA or null prices) skipped"));
  EXPECT_EQ(p.rows_read, 3);
  EXPECT_EQ(p.rows_no_data, 1);
  ASSERT_EQ(p.series.size(), 1u);
  const BarSeries& b = p.series[0].bars;
  EXPECT_EQ(b.instrument, (Instrument{"ABC", "NYSE"}));
  EXPECT_FALSE(b.close_only);
  EXPECT_EQ(b.dates, (std::vector<Date>{D("2024-01-02"), D("2024-01-04")}));
  EXPECT_EQ(b.bar(0), (Bar{D("2024-01-02"), 187.15, 188.44, 183.89, 185.64, 82488700}));
  EXPECT_EQ(p.series[0].lines, (std::vector<int32_t>{2, 4}));
}

TEST(ParseCsvTest, StooqWithoutVolumeGivesVolumeZeroSilently) {
  ParsedFile p = Parse("Date,Open,High,Low,Close\n2024-01-02,10,11,9,10.5\n");
  ASSERT_EQ(p.format, CsvFormat::kOhlcv);
  ASSERT_EQ(p.series.size(), 1u);
  EXPECT_EQ(p.series[0].bars.bar(0), (Bar{D("2024-01-02"), 10, 11, 9, 10.5, 0}));
  EXPECT_THAT(p.warnings, IsEmpty());
}

TEST(ParseCsvTest, EmptyVolumeIsStoredAsZeroWithAWarningNamingTheFirstLine) {
  ParsedFile p = Parse(
      "Date,Open,High,Low,Close,Volume\n2024-01-02,10,11,9,10.5,100\n2024-01-03,10,11,9,10.5,\n"
      "2024-01-04,10,11,9,10.5,NA\n");
  ASSERT_EQ(p.format, CsvFormat::kOhlcv);
  EXPECT_THAT(p.errors, IsEmpty());
  EXPECT_EQ(p.series[0].bars.volume, (std::vector<double>{100, 0, 0}));
  EXPECT_THAT(Messages(p.warnings),
              ElementsAre("t.csv:3: 2 rows with an empty volume (empty, NA or null) stored with "
                          "volume 0"));
}

TEST(ParseCsvTest, EmptyVolumeInABhavcopyIsARowError) {
  ParsedFile p = Parse(
      "SYMBOL,SERIES,OPEN,HIGH,LOW,CLOSE,LAST,PREVCLOSE,TOTTRDQTY,TOTTRDVAL,TIMESTAMP\n"
      "INFY,EQ,1650,1660,1640,1655,1655,1648,,3310000000,16-JUL-2024\n");
  EXPECT_THAT(Messages(p.errors),
              ElementsAre("t.csv:2: INFY: volume is empty (an NSE bhavcopy always has one)"));
  EXPECT_THAT(p.series, IsEmpty());
}

TEST(ParseCsvTest, LineLongerThanTheLimitIsAnErrorOfItsLine) {
  std::string text = "date,close\n2024-01-02,10\n2024-01-03," + std::string(kMaxCsvLineBytes, '1') +
                     "\n2024-01-04,11\n";
  ParsedFile f = Parse(text);
  EXPECT_EQ(Messages(f.errors),
            std::vector<std::string>{"t.csv:3: line longer than 64 KiB (not a CSV file of bars?)"});
  ParsedFile header = Parse(std::string(kMaxCsvLineBytes + 1, 'x') + "\n");
  EXPECT_EQ(Messages(header.errors),
            std::vector<std::string>{"t.csv:1: line longer than 64 KiB (not a CSV file of bars?)"});
}

TEST(ParseCsvTest, DateCloseIsCloseOnly) {
  ParsedFile p = Parse("date,close\n2024-01-02,10.5\n2024-01-03,NA\n");
  ASSERT_EQ(p.format, CsvFormat::kDateClose);
  ASSERT_EQ(p.series.size(), 1u);
  EXPECT_TRUE(p.series[0].bars.close_only);
  EXPECT_THAT(p.series[0].bars.open, IsEmpty());
  EXPECT_THAT(p.series[0].bars.volume, IsEmpty());
  EXPECT_EQ(p.series[0].bars.close, std::vector<double>{10.5});
  EXPECT_EQ(p.rows_no_data, 1);
}

TEST(ParseCsvTest, LongCloseGroupsBySymbolAndCountsMissingCloses) {
  ParsedFile p = Parse(
      "\"symbol\",\"date\",\"close\"\n"
      "\"aa\",\"2024-01-02\",34.1\n"
      "\"AA\",\"2024-01-03\",NA\n"
      "\"IBM\",\"2024-01-02\",163.55\n"
      "\"AA\",\"2024-01-04\",\n"
      "\"AA\",\"2024-01-05\",33.5\n");
  ASSERT_EQ(p.format, CsvFormat::kLongClose);
  EXPECT_THAT(p.errors, IsEmpty());
  EXPECT_EQ(p.rows_no_data, 2);
  EXPECT_THAT(Messages(p.warnings),
              ElementsAre("t.csv:3: 2 rows without data (empty, NA or null prices) skipped"));
  ASSERT_EQ(p.series.size(), 2u);
  EXPECT_EQ(p.series[0].bars.instrument.symbol, "AA");
  EXPECT_TRUE(p.series[0].bars.close_only);
  EXPECT_EQ(p.series[0].bars.close, (std::vector<double>{34.1, 33.5}));
  EXPECT_EQ(p.series[0].lines, (std::vector<int32_t>{2, 6}));
  EXPECT_EQ(p.series[1].bars.instrument.symbol, "IBM");
}

TEST(ParseCsvTest, LongOhlcvIgnoresAdjClose) {
  ParsedFile p = Parse(
      "symbol,date,open,high,low,close,adjclose,volume\n"
      "^GSPC,2024-01-02,4745.2,4754.33,4722.67,4742.83,1,3743050000\n");
  ASSERT_EQ(p.format, CsvFormat::kLongOhlcv);
  ASSERT_EQ(p.series.size(), 1u);
  EXPECT_EQ(p.series[0].bars.instrument, (Instrument{"^GSPC", "NYSE"}));
  EXPECT_EQ(p.series[0].bars.bar(0),
            (Bar{D("2024-01-02"), 4745.2, 4754.33, 4722.67, 4742.83, 3743050000}));
}

TEST(ParseCsvTest, SymbolOptionRenamesSingleSymbolFilesAndFiltersLongFiles) {
  ParseOptions o;
  o.symbol = "msft";
  ParsedFile p = Parse("date,close\n2024-01-02,10\n", o);
  ASSERT_EQ(p.series.size(), 1u);
  EXPECT_EQ(p.series[0].bars.instrument.symbol, "MSFT");

  p = Parse("symbol,date,close\nAA,2024-01-02,1\nMSFT,2024-01-02,2\nmsft,2024-01-03,3\n", o);
  ASSERT_EQ(p.series.size(), 1u);
  EXPECT_EQ(p.series[0].bars.close, (std::vector<double>{2, 3}));
  EXPECT_EQ(p.rows_other_symbols, 1);
}

TEST(ParseCsvTest, ExchangeOptionAndDefaults) {
  ParseOptions o;
  o.exchange = "NASDAQ";
  ParsedFile p = Parse("date,close\n2024-01-02,10\n", o);
  EXPECT_EQ(p.series[0].bars.instrument.exchange, "NASDAQ");
}

constexpr std::string_view kBhavHeader =
    "SYMBOL,SERIES,OPEN,HIGH,LOW,CLOSE,LAST,PREVCLOSE,TOTTRDQTY,TOTTRDVAL,TIMESTAMP,TOTALTRADES,"
    "ISIN,\n";

TEST(ParseCsvTest, NseBhavcopyKeepsEqAndCountsOtherSeries) {
  std::string text(kBhavHeader);
  text +=
      "RELIANCE,EQ,2500,2550,2490,2540,2541,2495,100000,254000000,02-JAN-2019,5000,INE002A01018,\n"
      "XYZ,BE,10,10.5,9.5,10,10,10,100,1000,02-JAN-2019,5,INE000000001,\n"
      "ABC,SM,20,21,19,20.5,20.5,20,50,1025,02-JAN-2019,3,INE000000002,\n"
      "XY2,BE,10,10.5,9.5,10,10,10,100,1000,02-JAN-2019,5,INE000000003,\n";
  ParsedFile p = Parse(text);
  ASSERT_EQ(p.format, CsvFormat::kNseBhavcopy);
  EXPECT_THAT(p.errors, IsEmpty());
  EXPECT_EQ(p.rows_other_series, 3);
  EXPECT_THAT(Messages(p.warnings),
              ElementsAre("t.csv: 3 rows of series other than EQ skipped (BE, SM)"));
  ASSERT_EQ(p.series.size(), 1u);
  EXPECT_EQ(p.series[0].bars.instrument, (Instrument{"RELIANCE", "NSE"}));
  EXPECT_EQ(p.series[0].bars.bar(0), (Bar{D("2019-01-02"), 2500, 2550, 2490, 2540, 100000}));
}

TEST(ParseCsvTest, VeryOldNseBhavcopyWithoutTheLastTwoColumns) {
  ParsedFile p = Parse(
      "SYMBOL,SERIES,OPEN,HIGH,LOW,CLOSE,LAST,PREVCLOSE,TOTTRDQTY,TOTTRDVAL,TIMESTAMP\n"
      "INFY,EQ,1650,1660,1640,1655,1655,1648,2000000,3310000000,01-Jan-2004\n");
  ASSERT_EQ(p.format, CsvFormat::kNseBhavcopy);
  EXPECT_THAT(p.errors, IsEmpty());
  ASSERT_EQ(p.series.size(), 1u);
  EXPECT_EQ(p.series[0].bars.dates, std::vector<Date>{D("2004-01-01")});
}

constexpr std::string_view kUdiffHeader =
    "TradDt,BizDt,Sgmt,Src,FinInstrmTp,FinInstrmId,ISIN,TckrSymb,SctySrs,XpryDt,"
    "FininstrmActlXpryDt,StrkPric,OptnTp,FinInstrmNm,OpnPric,HghPric,LwPric,ClsPric,LastPric,"
    "PrvsClsgPric,UndrlygPric,SttlmPric,OpnIntrst,ChngInOpnIntrst,TtlTradgVol,TtlTrfVal,"
    "TtlNbOfTxsExctd,SsnId,NewBrdLotQty,Rmks,Rsvd1,Rsvd2,Rsvd3,Rsvd4\n";

std::string UdiffRow(std::string_view segment, std::string_view src, std::string_view type,
                     std::string_view symbol, std::string_view series) {
  return fmt::format(
      "2024-07-08,2024-07-08,{},{},{},2885,INE002A01018,{},{},,,,,NAME,3190,3200,3150,3180.5,3181,"
      "3185,,3180.5,,,5000000,15900000000,200000,F1,1,,,,,\n",
      segment, src, type, symbol, series);
}

TEST(ParseCsvTest, NseUdiffKeepsCashStockEqAndTakesTheExchangeFromSrc) {
  std::string text(kUdiffHeader);
  text += UdiffRow("CM", "NSE", "STK", "RELIANCE", "EQ");
  text += UdiffRow("CM", "BSE", "STK", "TCS", "EQ");
  text += UdiffRow("FO", "NSE", "STK", "INFY", "EQ");
  text += UdiffRow("CM", "NSE", "STK", "XYZ", "BE");
  text += UdiffRow("CM", "NSE", "ETF", "BEES", "EQ");
  ParsedFile p = Parse(text);
  ASSERT_EQ(p.format, CsvFormat::kNseUdiff);
  EXPECT_THAT(p.errors, IsEmpty());
  EXPECT_EQ(p.rows_other_series, 3);
  EXPECT_THAT(Messages(p.warnings),
              ElementsAre("t.csv: 3 rows other than segment CM, type STK, series EQ skipped"));
  ASSERT_EQ(p.series.size(), 2u);
  EXPECT_EQ(p.series[0].bars.instrument, (Instrument{"RELIANCE", "NSE"}));
  EXPECT_EQ(p.series[1].bars.instrument, (Instrument{"TCS", "BSE"}));
  EXPECT_EQ(p.series[0].bars.bar(0), (Bar{D("2024-07-08"), 3190, 3200, 3150, 3180.5, 5000000}));
}

TEST(ParseCsvTest, UdiffUnknownSrcIsAnError) {
  std::string text(kUdiffHeader);
  text += UdiffRow("CM", "MCX", "STK", "RELIANCE", "EQ");
  ParsedFile p = Parse(text);
  EXPECT_THAT(Messages(p.errors),
              ElementsAre("t.csv:2: RELIANCE: unknown Src 'MCX' (expected NSE or BSE)"));
  EXPECT_THAT(p.series, IsEmpty());
}

// --- Headers -------------------------------------------------------------------------------------

TEST(ParseCsvTest, HeaderErrors) {
  struct Case {
    std::string text;
    std::string error;
  };
  for (const Case& c : std::vector<Case>{
           {"", "t.csv: empty file: no header line"},
           {"\n  \n", "t.csv: empty file: no header line"},
           {"a,b,c\n1,2,3\n",
            "t.csv:1: unrecognised header 'a,b,c': expected Date,Open,High,Low,Close[,Adj "
            "Close][,Volume], Date,Close, symbol,date,close[,...] or an NSE bhavcopy (old or "
            "UDiFF)"},
           {"Date,Open,High,Low\n", "t.csv:1: Yahoo/Stooq header without a 'close' column"},
           {"symbol,close\n", "t.csv:1: long header without a 'date' column"},
           {"Date,Open,Close\n", "t.csv:1: header has some but not all of open, high and low"},
           {"Date,Close,Volume\n", "t.csv:1: header has volume but no open, high and low"},
           {"Date,Close,close\n", "t.csv:1: duplicate column 'close' in the header"},
           {"\"Date,Close\n", "t.csv:1: bad header: unterminated quoted field"},
           {"SYMBOL,SERIES,OPEN,HIGH,LOW,CLOSE,TIMESTAMP\n",
            "t.csv:1: NSE bhavcopy header without a 'tottrdqty' column"},
           {"TckrSymb,Sgmt\n", "t.csv:1: NSE UDiFF header without a 'traddt' column"},
       }) {
    ParsedFile p = Parse(c.text);
    EXPECT_FALSE(p.format) << c.text;
    EXPECT_THAT(Messages(p.errors), ElementsAre(c.error));
    EXPECT_THAT(p.series, IsEmpty());
  }
}

TEST(ParseCsvTest, HeaderNamesIgnoreCaseQuotesAndSpaces) {
  ParsedFile p = Parse(
      " \"DATE\" , \"open\",HIGH , Low,CLOSE,\"adj close\", VOLUME\n"
      "2024-01-02,10,11,9,10.5,10,5\n");
  EXPECT_EQ(p.format, CsvFormat::kYahoo);
  EXPECT_EQ(p.series.size(), 1u);
}

TEST(ParseCsvTest, BadSymbolFromTheFileNameRejectsTheFile) {
  ParseOptions o;
  o.file_symbol = "nifty 50";
  ParsedFile p = Parse("date,close\n2024-01-02,10\n", o);
  EXPECT_THAT(Messages(p.errors),
              ElementsAre("t.csv: bad symbol 'NIFTY 50' (from the file name; allowed: 1 to 32 of "
                          "A-Z 0-9 . - _ ^ & =)"));
  EXPECT_THAT(p.series, IsEmpty());
}

// --- Row checks: one test each, exact message, nothing accepted ---------------------------------

struct RowCase {
  std::string name;
  std::string text;   // header and one or more rows
  std::string error;  // the one error expected
};

class RowCheckTest : public ::testing::TestWithParam<RowCase> {};

TEST_P(RowCheckTest, ReportsThePreciseReasonAndKeepsNothingOfTheRow) {
  ParsedFile p = Parse(GetParam().text);
  EXPECT_THAT(Messages(p.errors), ElementsAre(GetParam().error));
  EXPECT_EQ(p.rows_bad, 1);
  // Only the good rows before it (if any) were accepted: the bad row's date is not among them.
  size_t good = 0;
  for (const ParsedSeries& s : p.series) good += s.bars.size();
  EXPECT_EQ(static_cast<int64_t>(good), p.rows_read - 1);
}

constexpr std::string_view kOhlcv = "Date,Open,High,Low,Close,Volume\n";
constexpr std::string_view kGood = "2024-01-03,10,11,9,10.5,100\n";

std::string Ohlcv(std::string_view rows) { return std::string(kOhlcv) + std::string(rows); }

INSTANTIATE_TEST_SUITE_P(
    Rules, RowCheckTest,
    ::testing::Values(
        RowCase{"BadNumber", Ohlcv("2024-01-02,1x,11,9,10.5,100\n"),
                "t.csv:2: cannot parse open '1x' as a number"},
        RowCase{"BadVolume", Ohlcv("2024-01-02,10,11,9,10.5,1e\n"),
                "t.csv:2: cannot parse volume '1e' as a number"},
        RowCase{"BadDate", Ohlcv("2024/01/02,10,11,9,10.5,100\n"),
                "t.csv:2: cannot parse date '2024/01/02' (expected YYYY-MM-DD)"},
        RowCase{"ImpossibleDate", Ohlcv("2023-02-29,10,11,9,10.5,100\n"),
                "t.csv:2: cannot parse date '2023-02-29' (expected YYYY-MM-DD)"},
        RowCase{"BhavcopyBadDate",
                std::string(kBhavHeader) +
                    "X,EQ,10,11,9,10,10,10,100,1000,2019-01-02,5,INE000000001,\n",
                "t.csv:2: X: cannot parse date '2019-01-02' (expected DD-MON-YYYY)"},
        RowCase{"ZeroPrice", Ohlcv("2024-01-02,10,11,9,0,100\n"),
                "t.csv:2: close 0 is not positive"},
        RowCase{"NegativePrice", Ohlcv("2024-01-02,10,11,-9,10,100\n"),
                "t.csv:2: low -9 is not positive"},
        RowCase{"InfinitePrice", Ohlcv("2024-01-02,10,inf,9,10,100\n"),
                "t.csv:2: high inf is not finite"},
        RowCase{"NanPrice", Ohlcv("2024-01-02,nan,11,9,10,100\n"),
                "t.csv:2: open nan is not finite"},
        RowCase{"CloseOnlyNegative", "date,close\n2024-01-02,-3\n",
                "t.csv:2: close -3 is not positive"},
        RowCase{"NegativeVolume", Ohlcv("2024-01-02,10,11,9,10.5,-5\n"),
                "t.csv:2: volume -5 is negative"},
        RowCase{"InfiniteVolume", Ohlcv("2024-01-02,10,11,9,10.5,inf\n"),
                "t.csv:2: volume inf is not finite"},
        RowCase{"HighBelowLow", Ohlcv("2024-01-02,10,9,10,10,100\n"),
                "t.csv:2: high 9 is below low 10"},
        RowCase{"OpenAboveHigh", Ohlcv("2024-01-02,12,11,9,10.5,100\n"),
                "t.csv:2: open 12 is outside low 9 .. high 11"},
        RowCase{"CloseBelowLow", Ohlcv("2024-01-02,10,11,9,8.99,100\n"),
                "t.csv:2: close 8.99 is outside low 9 .. high 11"},
        RowCase{"Weekend", Ohlcv("2024-01-06,10,11,9,10.5,100\n"),
                "t.csv:2: 2024-01-06 is not a NYSE session (weekend)"},
        RowCase{"Holiday", Ohlcv("2024-01-15,10,11,9,10.5,100\n"),
                "t.csv:2: 2024-01-15 is not a NYSE session (Martin Luther King, Jr. Day)"},
        RowCase{"DuplicatedDate", Ohlcv(std::string(kGood) + std::string(kGood)),
                "t.csv:3: duplicated date 2024-01-03 (first on line 2)"},
        RowCase{"OutOfOrder", Ohlcv(std::string(kGood) + "2024-01-02,10,11,9,10.5,100\n"),
                "t.csv:3: date 2024-01-02 is out of order (after 2024-01-03 on line 2)"},
        RowCase{"OutOfOrderPerSymbol",
                "symbol,date,close\nA,2024-01-03,1\nB,2024-01-02,1\nA,2024-01-02,1\n",
                "t.csv:4: A: date 2024-01-02 is out of order (after 2024-01-03 on line 2)"},
        RowCase{"FieldCount", Ohlcv("2024-01-02,10,11,9,10.5\n"),
                "t.csv:2: expected 6 fields, got 5"},
        RowCase{"Quote", Ohlcv("2024-01-02,\"10,11,9,10.5,100\n"),
                "t.csv:2: unterminated quoted field"},
        RowCase{"EmptySymbol", "symbol,date,close\n,2024-01-02,1\n", "t.csv:2: empty symbol"},
        RowCase{"BadSymbol", "symbol,date,close\nA B,2024-01-02,1\n",
                "t.csv:2: bad symbol 'A B' (allowed: A-Z 0-9 . - _ ^ & =)"},
        RowCase{"LongSymbol", "symbol,date,close\n" + std::string(33, 'A') + ",2024-01-02,1\n",
                "t.csv:2: bad symbol '" + std::string(33, 'A') + "' (longer than 32 characters)"},
        RowCase{"LongFormatNamesTheSymbol", "symbol,date,close\nIBM,2024-01-02,x\n",
                "t.csv:2: IBM: cannot parse close 'x' as a number"}),
    [](const ::testing::TestParamInfo<RowCase>& info) { return info.param.name; });

TEST(ParseCsvTest, KeepsGoodRowsAndListsEveryBadOne) {
  ParsedFile p = Parse(
      Ohlcv("2024-01-02,10,11,9,10.5,100\n2024-01-03,x,11,9,10.5,100\n2024-01-04,10,11,9,10.5,-1\n"
            "2024-01-05,10,11,9,10.5,100\n"));
  EXPECT_THAT(Messages(p.errors), ElementsAre("t.csv:3: cannot parse open 'x' as a number",
                                              "t.csv:4: volume -1 is negative"));
  ASSERT_EQ(p.series.size(), 1u);
  EXPECT_EQ(p.series[0].bars.dates, (std::vector<Date>{D("2024-01-02"), D("2024-01-05")}));
}

TEST(ParseCsvTest, ListsAtMostMaxErrorsButCountsAll) {
  std::string text(kOhlcv);
  for (int i = 0; i < 5; ++i) text += "2024-01-02,x,11,9,10.5,100\n";
  ParseOptions o;
  o.max_errors = 2;
  ParsedFile p = Parse(text, o);
  EXPECT_EQ(p.rows_bad, 5);
  EXPECT_THAT(Messages(p.errors), ElementsAre("t.csv:2: cannot parse open 'x' as a number",
                                              "t.csv:3: cannot parse open 'x' as a number",
                                              "t.csv: 3 more bad rows not listed"));
}

TEST(ParseCsvTest, AHeaderWithoutRowsIsAWarning) {
  ParsedFile p = Parse("date,close\n\n");
  EXPECT_EQ(p.format, CsvFormat::kDateClose);
  EXPECT_THAT(p.errors, IsEmpty());
  EXPECT_THAT(Messages(p.warnings), ElementsAre("t.csv: no data rows"));
  EXPECT_THAT(p.series, IsEmpty());
}

TEST(ParseCsvTest, OtherSeriesAreSkippedBeforeAnyCheck) {
  std::string text(kBhavHeader);
  text += "BAD SYMBOL,BE,x,x,x,x,x,x,x,x,notadate,5,INE000000001,\n";
  ParsedFile p = Parse(text);
  EXPECT_THAT(p.errors, IsEmpty());
  EXPECT_EQ(p.rows_other_series, 1);
}

TEST(ParseCsvTest, AcceptsTheRealMoveOfACrash) {
  // 2008-10-13 to -15 style moves and a 60 % crash are data, not errors.
  ParsedFile p = Parse("date,close\n2024-01-02,100\n2024-01-03,40\n2024-01-04,48\n");
  EXPECT_THAT(p.errors, IsEmpty());
  EXPECT_EQ(p.series[0].bars.size(), 3u);
}

// --- Splits --------------------------------------------------------------------------------------

BarSeries Closes(std::vector<double> closes) {
  BarSeries b;
  b.instrument = {"X", "NYSE"};
  b.close_only = true;
  Date d = D("2024-01-01");
  for (double c : closes) {
    b.dates.push_back(d);
    d = d.AddDays(1);
    b.close.push_back(c);
  }
  return b;
}

TEST(SplitTest, FlagsJumpsNearSplitRatiosOnly) {
  BarSeries b = Closes({100, 50.5, 51, 17, 17.2, 11.6, 12, 60, 61, 6.2, 6, 40, 20, 80});
  std::vector<SuspectedSplit> s = FindSuspectedSplits(b);
  std::map<size_t, std::string> found;
  for (const SuspectedSplit& x : s) found[x.index] = x.split;
  EXPECT_EQ(
      found,
      (std::map<size_t, std::string>{
          {1, "2:1"}, {3, "3:1"}, {5, "3:2"}, {7, "1:5"}, {9, "10:1"}, {12, "2:1"}, {13, "1:4"}}));
  // 6 -> 40 (x6.67) is no split ratio; 40 -> 20 is.
}

TEST(SplitTest, RealMovesBetweenRatiosAreNotFlagged) {
  EXPECT_THAT(FindSuspectedSplits(Closes({100, 80})), IsEmpty());  // -20 %
  EXPECT_EQ(FindSuspectedSplits(Closes({100, 70})).size(), 1u);    // -30 % is near 3:2 (x0.667)
  EXPECT_THAT(FindSuspectedSplits(Closes({100, 40})), IsEmpty());  // -60 %: a crash
  EXPECT_THAT(FindSuspectedSplits(Closes({100, 125})), IsEmpty());
  EXPECT_THAT(FindSuspectedSplits(Closes({100, 101})), IsEmpty());
}

TEST(SplitTest, AcrossAClosureTheToleranceIsWider) {
  // NVDA's 2:1 split fell on the reopening after 2001-09-11: x0.449 is 10 % below x0.5.
  BarSeries b = Closes({75.76, 33.99});
  EXPECT_THAT(FindSuspectedSplits(b), IsEmpty());  // on consecutive days: more than 6 % off
  b.dates = {D("2001-09-10"), D("2001-09-17")};
  std::vector<SuspectedSplit> s = FindSuspectedSplits(b);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].index, 1u);
  EXPECT_EQ(s[0].split, "2:1");
  EXPECT_EQ(DescribeSplit(b, s[0]),
            "X: close 75.76 on 2001-09-10 then 33.99 on 2001-09-17 (x0.449): an unadjusted 2:1 "
            "split?");
}

TEST(SymbolTest, Valid) {
  for (std::string_view s : {"AAPL", "^GSPC", "BRK.B", "BRK-B", "M&M", "EURUSD=X", "A_1"}) {
    EXPECT_TRUE(IsValidSymbol(s)) << s;
  }
  for (std::string_view s : {"", "aapl", "A B", "A/B", "A\"", "ÄB"})
    EXPECT_FALSE(IsValidSymbol(s)) << s;
  EXPECT_TRUE(IsValidSymbol(std::string(32, 'A')));
  EXPECT_FALSE(IsValidSymbol(std::string(33, 'A')));
}

}  // namespace
}  // namespace kairos::marketdata
