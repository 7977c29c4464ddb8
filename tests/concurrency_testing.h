#pragma once
// Helpers of the tests that run several kairos processes on one home (concurrency_cli_test,
// crash_loop_cli_test): a home with a synthetic universe and a strategy that trades daily,
// commands run in parallel, and the ledger invariants checked from the listings.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cli_testing.h"
#include "core/file_lock.h"

namespace kairos::testing {

// 20 synthetic symbols; in at rsi(close,2) < 30, out at > 60, approved automatically, a fixed
// amount per entry: it trades almost every session.
inline std::string DailyTraderStrategy() {
  std::string universe;
  for (int i = 1; i <= 20; ++i) {
    universe += (i > 1 ? ", " : "") + std::string("\"SYN") + (i < 10 ? "000" : "00") +
                std::to_string(i) + "\"";
  }
  return "name = \"daily\"\n"
         "exchange = \"NYSE\"\n"
         "universe = [" +
         universe +
         "]\n"
         "entry = \"rsi(close,2) < 30\"\n"
         "exit = \"rsi(close,2) > 60\"\n"
         "approval = \"auto\"\n"
         "execution = \"next_open\"\n"
         "allocation = 1000000\n"
         "sizing = { method = \"fixed_amount\", amount = 10000 }\n"
         "max_positions = 20\n"
         "max_new_per_day = 20\n";
}

inline std::string Csv(const std::vector<std::string>& cells, size_t i) {
  return i < cells.size() ? cells[i] : std::string();
}

inline std::vector<std::string> SplitCsv(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (char c : line) {
    if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

// The leading integer of `text` (0 when there is none).
inline int64_t ToInt(const std::string& text) {
  int64_t v = 0;
  std::from_chars(text.data(), text.data() + text.size(), v);
  return v;
}

// The rows (without the header) of a CSV listing.
inline std::vector<std::vector<std::string>> Rows(const std::string& csv) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> lines = Lines(csv);
  for (size_t i = 1; i < lines.size(); ++i) rows.push_back(SplitCsv(lines[i]));
  return rows;
}

// Runs kairos commands against homes under `dir`, with stdout/stderr captured in `dir`.
class KairosRunner {
 public:
  explicit KairosRunner(fs::path dir) : dir_(std::move(dir)) {}

  std::string CommandLine(const fs::path& home, const std::vector<std::string>& args) const {
    std::string cmd = Quote(KAIROS_BIN);
    cmd += " --home ";
    cmd += Quote(home.string());
    for (const auto& a : args) {
      cmd += ' ';
      cmd += Quote(a);
    }
    return cmd;
  }

  Outcome Run(const fs::path& home, const std::vector<std::string>& args) const {
    return RunCaptured(CommandLine(home, args), dir_);
  }

  // Starts every command at once and waits for all of them.
  std::vector<Outcome> RunParallel(const fs::path& home,
                                   const std::vector<std::vector<std::string>>& commands) const {
    std::string script;
    for (size_t i = 0; i < commands.size(); ++i) {
      fs::path base = dir_ / ("par" + std::to_string(i));
      script += '(';
      script += CommandLine(home, commands[i]);
      script += " >" + Quote(base.string() + ".out");
      script += " 2>" + Quote(base.string() + ".err");
      script += "; echo $? >" + Quote(base.string() + ".rc");
      script += ") & ";
    }
    script += "wait";
    std::system(("sh -c " + Quote(script)).c_str());
    std::vector<Outcome> out;
    for (size_t i = 0; i < commands.size(); ++i) {
      fs::path base = dir_ / ("par" + std::to_string(i));
      Outcome o;
      o.code = static_cast<int>(ToInt(ReadFile(base.string() + ".rc")));
      o.out = ReadFile(base.string() + ".out");
      o.err = ReadFile(base.string() + ".err");
      out.push_back(std::move(o));
    }
    return out;
  }

  // Everything a person can list, in CSV.
  std::string Listings(const fs::path& home) const {
    std::string s;
    for (auto args : std::vector<std::vector<std::string>>{{"signals", "list", "--format", "csv"},
                                                           {"orders", "list", "--format", "csv"},
                                                           {"fills", "list", "--format", "csv"},
                                                           {"positions", "--format", "csv"}}) {
      Outcome r = Run(home, args);
      EXPECT_EQ(r.code, 0) << r.err;
      s += r.out;
    }
    return s;
  }

  // The ledger invariants: every order's filled quantity equals the sum of its fills, every
  // position equals the sum of its fills, no client order id and no execution id twice.
  void ExpectLedgerInvariants(const fs::path& home, const std::string& when) const {
    Outcome orders = Run(home, {"orders", "list", "--format", "csv"});
    Outcome fills = Run(home, {"fills", "list", "--format", "csv"});
    Outcome positions = Run(home, {"positions", "--format", "csv"});
    ASSERT_EQ(orders.code, 0) << when << ": " << orders.err;
    ASSERT_EQ(fills.code, 0) << when << ": " << fills.err;
    ASSERT_EQ(positions.code, 0) << when << ": " << positions.err;
    // orders: id,session,strategy,client_order_id,symbol,side,qty,type,tif,limit,status,filled,...
    std::map<std::string, int64_t> filled_of_order;
    std::set<std::string> client_ids;
    for (const auto& o : Rows(orders.out)) {
      EXPECT_TRUE(client_ids.insert(Csv(o, 3)).second) << when << ": client id twice " << Csv(o, 3);
      filled_of_order[Csv(o, 3)] = ToInt(Csv(o, 11));
    }
    // fills: date,strategy,symbol,side,qty,price,fees,execution_id ("<client id>-<n>")
    std::map<std::string, int64_t> fills_of_order;
    std::map<std::pair<std::string, std::string>, int64_t> net;
    std::set<std::string> executions;
    for (const auto& f : Rows(fills.out)) {
      const std::string& exec = Csv(f, 7);
      EXPECT_TRUE(executions.insert(exec).second) << when << ": execution id twice " << exec;
      int64_t qty = ToInt(Csv(f, 4));
      fills_of_order[exec.substr(0, exec.rfind('-'))] += qty;
      net[{Csv(f, 1), Csv(f, 2)}] += Csv(f, 3) == "buy" ? qty : -qty;
    }
    for (const auto& [id, filled] : filled_of_order) {
      EXPECT_EQ(filled, fills_of_order[id]) << when << ": order " << id;
    }
    for (const auto& [id, qty] : fills_of_order) {
      EXPECT_TRUE(filled_of_order.count(id)) << when << ": fills of no order " << id;
    }
    // positions: strategy,symbol,qty,...
    std::map<std::pair<std::string, std::string>, int64_t> held;
    for (const auto& p : Rows(positions.out)) {
      held[{Csv(p, 0), Csv(p, 1)}] = ToInt(Csv(p, 2));
    }
    for (const auto& [key, qty] : net) {
      if (qty == 0) continue;
      EXPECT_EQ(held[key], qty) << when << ": position " << key.first << " " << key.second;
    }
    for (const auto& [key, qty] : held) {
      if (qty == 0) continue;
      EXPECT_EQ(net[key], qty) << when << ": position " << key.first << " " << key.second;
    }
  }

 private:
  fs::path dir_;
};

// A directory for homes: on tmpfs (/dev/shm) when there is one, because the runs fsync on every
// commit and these tests run hundreds of them; process crashes (kill -9) behave the same there.
inline fs::path ScratchRoot() {
  std::error_code ec;
  if (fs::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0) return "/dev/shm";
  return fs::temp_directory_path();
}

// The sessions a run-day over --from .. --to ran (the first column of its CSV table).
inline std::vector<std::string> SessionsOf(const std::string& run_day_csv) {
  std::vector<std::string> out;
  for (const auto& row : Rows(run_day_csv)) {
    if (out.empty() || out.back() != row[0]) out.push_back(row[0]);
  }
  return out;
}

}  // namespace kairos::testing
