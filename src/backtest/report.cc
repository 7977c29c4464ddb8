#include "backtest/report.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <system_error>

#include <fmt/format.h>

#include "core/html.h"

namespace kairos::backtest {
namespace {

std::string MoneyText(int64_t minor, const Currency& c) { return Money(minor, c).ToString(); }

// Ratios with a fixed number of decimals so that the text is a pure function of the value;
// non-finite values are JSON null.
std::string RatioJson(double v) {
  if (!std::isfinite(v)) return "null";
  std::string s = fmt::format("{:.6f}", v);
  return s == "-0.000000" ? "0.000000" : s;
}

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    switch (ch) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        if (static_cast<unsigned char>(ch) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<int>(ch));
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

// A CSV field: quoted only when it holds a comma, a quote or a line break.
std::string CsvField(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

// `v` is already in percent.
std::string Percent(double v, int decimals = 2) {
  if (!std::isfinite(v)) return "–";
  std::string s = fmt::format("{:.{}f}", v, decimals);
  if (s.starts_with("-") && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
  return s + "%";
}

std::string Percent(const std::optional<double>& v, int decimals = 2) {
  return v ? Percent(*v, decimals) : "–";
}

std::string Number(const std::optional<double>& v) {
  if (!v || !std::isfinite(*v)) return "–";
  std::string s = fmt::format("{:.2f}", *v);
  if (s == "-0.00") s = "0.00";
  return s;
}

// A line chart (or a filled area below zero for drawdowns) as inline SVG. Values are plotted
// against the session index, so weekends and holidays leave no gaps.
std::string SvgChart(const std::vector<Date>& dates, const std::vector<double>& values,
                     bool area_down, std::string_view color, std::string_view title) {
  constexpr double kW = 900, kH = 260, kLeft = 70, kRight = 10, kTop = 20, kBottom = 30;
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" class=\"chart\" "
      "role=\"img\" aria-label=\"{}\">",
      kW, kH, EscapeHtml(title));
  if (values.empty()) {
    out += "<text x=\"450\" y=\"130\" text-anchor=\"middle\">no sessions</text></svg>";
    return out;
  }
  double lo = *std::min_element(values.begin(), values.end());
  double hi = *std::max_element(values.begin(), values.end());
  if (area_down) hi = 0;
  if (hi - lo < 1e-12) {
    lo -= 1;
    hi += 1;
  }
  const double pw = kW - kLeft - kRight, ph = kH - kTop - kBottom;
  const size_t n = values.size();
  auto x = [&](size_t i) { return kLeft + (n == 1 ? pw / 2 : pw * i / (n - 1)); };
  auto y = [&](double v) { return kTop + ph * (hi - v) / (hi - lo); };
  // Axes and four horizontal grid lines with their values.
  for (int k = 0; k <= 4; ++k) {
    double v = lo + (hi - lo) * k / 4;
    double yy = y(v);
    out += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" class=\"grid\"/>", kLeft, yy,
        kW - kRight, yy);
    std::string label = area_down ? Percent(v, 1) : fmt::format("{:.0f}", v);
    out +=
        fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"axis\" text-anchor=\"end\">{}</text>",
                    kLeft - 6, yy + 4, label);
  }
  out += fmt::format(
      "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"axis\">{}</text>"
      "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"axis\" text-anchor=\"end\">{}</text>",
      kLeft, kH - 8, dates.front().ToString(), kW - kRight, kH - 8, dates.back().ToString());
  std::string points;
  points.reserve(n * 14);
  for (size_t i = 0; i < n; ++i) {
    points += fmt::format("{:.1f},{:.1f} ", x(i), y(values[i]));
  }
  if (area_down) {
    out += fmt::format(
        "<polygon points=\"{:.1f},{:.1f} {}{:.1f},{:.1f}\" fill=\"{}\" fill-opacity=\"0.35\" "
        "stroke=\"{}\" stroke-width=\"1\"/>",
        x(0), y(0), points, x(n - 1), y(0), color, color);
  } else {
    out += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\"/>",
                       points, color);
  }
  out += "</svg>";
  return out;
}

// Background of a monthly-return cell: green for gains, red for losses, stronger with size.
std::string CellColor(double r) {
  if (!std::isfinite(r)) return "#fff";
  double a = std::min(1.0, std::fabs(r) / 10);  // r in percent; full colour at 10 %
  int fade = static_cast<int>(std::lround(255 - 120 * a));
  return r >= 0 ? fmt::format("rgb({},255,{})", fade, fade)
                : fmt::format("rgb(255,{},{})", fade, fade);
}

}  // namespace

std::string SummaryJson(const Report& report) {
  const Summary& s = report.summary;
  const Currency c = s.currency;
  auto opt_date = [](const std::optional<Date>& d) {
    return d ? JsonString(d->ToString()) : std::string("null");
  };
  auto opt = [](const std::optional<double>& v) { return v ? RatioJson(*v) : "null"; };
  std::string out = "{\n";
  out += fmt::format("  \"strategy\": {},\n", JsonString(s.strategy));
  out +=
      fmt::format("  \"from\": \"{}\",\n  \"to\": \"{}\",\n", s.from.ToString(), s.to.ToString());
  out += fmt::format("  \"currency\": {},\n", JsonString(c.code()));
  out += fmt::format("  \"starting_equity\": {},\n", MoneyText(s.starting_equity, c));
  out += fmt::format("  \"sessions\": {},\n", s.sessions);
  out += fmt::format("  \"trades\": {},\n", s.trades);
  out += fmt::format("  \"open_trades\": {},\n", s.open_trades);
  out += fmt::format("  \"win_rate\": {},\n", opt(s.win_rate));
  out += fmt::format("  \"total_return\": {},\n", RatioJson(s.total_return));
  out += fmt::format("  \"cagr\": {},\n", opt(s.cagr));
  out += fmt::format("  \"max_drawdown\": {},\n", RatioJson(s.max_drawdown));
  out += fmt::format("  \"max_drawdown_value\": {},\n", MoneyText(s.max_drawdown_value, c));
  out += fmt::format("  \"max_drawdown_peak\": {},\n", opt_date(s.max_drawdown_peak));
  out += fmt::format("  \"max_drawdown_trough\": {},\n", opt_date(s.max_drawdown_trough));
  out += fmt::format("  \"sharpe\": {},\n", opt(s.sharpe));
  out += fmt::format("  \"sortino\": {},\n", opt(s.sortino));
  out += fmt::format("  \"profit_factor\": {},\n", opt(s.profit_factor));
  out += fmt::format("  \"exposure\": {},\n", RatioJson(s.exposure));
  out += fmt::format("  \"realized_pnl\": {},\n", MoneyText(s.realized_pnl, c));
  out += fmt::format("  \"unrealized_pnl\": {},\n", MoneyText(s.unrealized_pnl, c));
  out += fmt::format("  \"fees\": {},\n", MoneyText(s.fees, c));
  out += fmt::format("  \"final_equity\": {}\n", MoneyText(s.final_equity, c));
  out += "}\n";
  return out;
}

std::string TradesCsv(const Report& report) {
  const Currency c = report.summary.currency;
  std::string out = "symbol,entry_date,entry_price,exit_date,exit_price,qty,pnl,fees,exit_reason\n";
  for (const TradeRow& t : report.trades) {
    out += fmt::format("{},{},{},{},{},{},{},{},{}\n", CsvField(t.symbol), t.entry_date.ToString(),
                       t.entry_price.ToString(), t.exit_date ? t.exit_date->ToString() : "",
                       t.exit_price ? t.exit_price->ToString() : "", t.qty.units(),
                       MoneyText(t.pnl, c), MoneyText(t.fees, c), CsvField(t.exit_reason));
  }
  return out;
}

std::string EquityCsv(const Report& report) {
  const Currency c = report.summary.currency;
  std::string out = "date,equity,drawdown\n";
  for (const EquityRow& row : report.equity) {
    out += fmt::format("{},{},{}\n", row.date.ToString(), MoneyText(row.equity, c),
                       MoneyText(row.drawdown, c));
  }
  return out;
}

namespace {

// The document's head (title and style sheet) and the run's heading.
std::string HtmlHead(const Summary& s) {
  const Currency c = s.currency;
  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  out += fmt::format("<title>kairos backtest: {}</title>", EscapeHtml(s.strategy));
  out +=
      "<style>"
      "body{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;"
      "margin:24px;color:#222;max-width:1000px}"
      "h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em}"
      "table{border-collapse:collapse;font-size:0.85em}"
      "td,th{border:1px solid #ccc;padding:3px 7px;text-align:right}"
      "th{background:#f3f3f3}td.l,th.l{text-align:left}"
      ".kpi td:first-child{text-align:left;color:#555}"
      ".chart{width:100%;height:auto;border:1px solid #ddd}"
      ".grid{stroke:#eee;stroke-width:1}.axis{font-size:11px;fill:#666}"
      ".pos{color:#17602a}.neg{color:#a11}"
      "</style></head><body>\n";
  out += fmt::format("<h1>Backtest: {}</h1>\n<p>{} to {}, {} sessions, starting equity {} {}</p>\n",
                     EscapeHtml(s.strategy), s.from.ToString(), s.to.ToString(), s.sessions,
                     MoneyText(s.starting_equity, c), c.code());
  return out;
}

std::string SummaryTable(const Summary& s) {
  const Currency c = s.currency;
  std::string out = "<h2>Summary</h2>\n<table class=\"kpi\">";
  auto kpi = [&](std::string_view name, const std::string& value) {
    out += fmt::format("<tr><td>{}</td><td>{}</td></tr>", name, value);
  };
  kpi("Final equity", MoneyText(s.final_equity, c));
  kpi("Total return", Percent(s.total_return));
  kpi("CAGR", Percent(s.cagr));
  std::string dd =
      fmt::format("{} ({})", Percent(s.max_drawdown), MoneyText(s.max_drawdown_value, c));
  if (s.max_drawdown_peak && s.max_drawdown_trough) {
    dd += fmt::format(", {} to {}", s.max_drawdown_peak->ToString(),
                      s.max_drawdown_trough->ToString());
  }
  kpi("Max drawdown", dd);
  kpi("Sharpe", Number(s.sharpe));
  kpi("Sortino", Number(s.sortino));
  kpi("Trades (closed)", std::to_string(s.trades));
  kpi("Open at the end", std::to_string(s.open_trades));
  kpi("Win rate", Percent(s.win_rate, 1));
  kpi("Exposure", Percent(s.exposure, 1));
  kpi("Profit factor", Number(s.profit_factor));
  kpi("Realised P&amp;L", MoneyText(s.realized_pnl, c));
  kpi("Unrealised P&amp;L", MoneyText(s.unrealized_pnl, c));
  kpi("Fees", MoneyText(s.fees, c));
  out += "</table>\n";
  return out;
}

// The equity curve and, below it, the drawdown in percent below the peak.
std::string EquityCharts(const Report& report) {
  const Currency c = report.summary.currency;
  std::vector<Date> dates;
  std::vector<double> equity;
  std::vector<double> drawdown;  // percent below the peak, negative
  for (const EquityRow& row : report.equity) {
    dates.push_back(row.date);
    equity.push_back(Money(row.equity, c).ToDouble());
    int64_t peak = row.equity + row.drawdown;
    drawdown.push_back(
        peak > 0 ? -100.0 * static_cast<double>(row.drawdown) / static_cast<double>(peak) : 0.0);
  }
  return "<h2>Equity</h2>\n" + SvgChart(dates, equity, false, "#1f5fa8", "equity curve") + "\n" +
         "<h2>Drawdown</h2>\n" + SvgChart(dates, drawdown, true, "#b22", "drawdown") + "\n";
}

// A row per year, a cell per month, and the year's compounded return.
std::string MonthlyTable(const Report& report) {
  std::string out = "<h2>Monthly returns</h2>\n";
  std::map<int, std::map<unsigned, double>> by_year;
  for (const MonthlyReturn& m : report.monthly) by_year[m.year][m.month] = m.percent;
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  out += "<table><tr><th class=\"l\">Year</th>";
  for (const char* m : kMonths) out += fmt::format("<th>{}</th>", m);
  out += "<th>Year</th></tr>";
  for (const auto& [year, months] : by_year) {
    out += fmt::format("<tr><th class=\"l\">{}</th>", year);
    double compound = 1;
    for (unsigned m = 1; m <= 12; ++m) {
      auto it = months.find(m);
      if (it == months.end()) {
        out += "<td></td>";
        continue;
      }
      compound *= 1 + it->second / 100;
      out += fmt::format("<td style=\"background:{}\">{}</td>", CellColor(it->second),
                         Percent(it->second, 1));
    }
    out += fmt::format("<td><b>{}</b></td></tr>", Percent(100 * (compound - 1), 1));
  }
  out += "</table>\n";
  return out;
}

std::string TradesTable(const Report& report) {
  const Currency c = report.summary.currency;
  std::string out = fmt::format("<h2>Trades ({})</h2>\n", report.trades.size());
  out +=
      "<table><tr><th class=\"l\">Symbol</th><th>Entry</th><th>Entry price</th><th>Exit</th>"
      "<th>Exit price</th><th>Qty</th><th>P&amp;L</th><th>Fees</th><th class=\"l\">Exit "
      "reason</th></tr>";
  for (const TradeRow& t : report.trades) {
    out += fmt::format(
        "<tr><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td class=\"{}\">{}</td><td>{}</td><td class=\"l\">{}</td></tr>",
        EscapeHtml(t.symbol), t.entry_date.ToString(), t.entry_price.ToString(),
        t.exit_date ? t.exit_date->ToString() : "open",
        t.exit_price ? t.exit_price->ToString() : "", t.qty.units(), t.pnl >= 0 ? "pos" : "neg",
        MoneyText(t.pnl, c), MoneyText(t.fees, c), EscapeHtml(t.exit_reason));
  }
  out += "</table>\n";
  return out;
}

}  // namespace

std::string ReportHtml(const Report& report) {
  std::string out = HtmlHead(report.summary);
  out += SummaryTable(report.summary);
  out += EquityCharts(report);
  out += MonthlyTable(report);
  out += TradesTable(report);
  out +=
      "<p style=\"color:#777;font-size:0.8em\">Generated by kairos backtest. Timing assumptions: "
      "docs/BACKTESTING.md.</p>\n</body></html>\n";
  return out;
}

Status WriteReport(const Report& report, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError(fmt::format("{}: {}", dir.string(), ec.message()));
  const std::pair<const char*, std::string> files[] = {
      {"summary.json", SummaryJson(report)},
      {"trades.csv", TradesCsv(report)},
      {"equity.csv", EquityCsv(report)},
      {"report.html", ReportHtml(report)},
  };
  for (const auto& [name, text] : files) {
    KAIROS_RETURN_IF_ERROR(WriteReportFile(dir / name, text));
  }
  return Status::Ok();
}

Status WriteReportFile(const std::filesystem::path& path, std::string_view text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(text.data(), static_cast<std::streamsize>(text.size()));
  f.close();
  if (!f) return Status::IOError(fmt::format("{}: cannot write", path.string()));
  return Status::Ok();
}

}  // namespace kairos::backtest
