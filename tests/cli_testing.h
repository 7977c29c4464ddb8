#pragma once
// Helpers shared by the end-to-end tests that run the real kairos binary (cli_test,
// scan_cli_test, strategy_cli_test, trading_cli_test).
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace kairos::testing {

namespace fs = std::filesystem;

// What a command did: its exit code (-1 when it did not exit normally) and its two streams.
struct Outcome {
  int code = -1;
  std::string out;
  std::string err;
};

inline std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void WriteFile(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

// Single-quotes `s` for /bin/sh.
inline std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream s(text);
  for (std::string line; std::getline(s, line);) lines.push_back(line);
  return lines;
}

// Runs the shell command line `cmd` with stdout and stderr captured through files in `dir`.
inline Outcome RunCaptured(std::string cmd, const fs::path& dir) {
  fs::path out = dir / "stdout", err = dir / "stderr";
  cmd += " >" + Quote(out.string()) + " 2>" + Quote(err.string());
  int status = std::system(cmd.c_str());
  Outcome r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = ReadFile(out);
  r.err = ReadFile(err);
  return r;
}

// The set-up every end-to-end test of the binary shares: a fresh scratch directory per test
// (`dir_`, removed afterwards) with the path of a home inside it (`home_`, not created: kairos
// creates it when a command stores data). Requires KAIROS_BIN, the binary under test.
class KairosCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("kairos_" + std::string(test->test_suite_name()) + "_" +
                                        std::to_string(::getpid()) + "_" + test->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    home_ = dir_ / "home";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs `prefix kairos --home <home> args...` (`prefix`: environment settings, `timeout 20`,
  // ...), its output captured in `dir_`.
  Outcome Kairos(const std::vector<std::string>& args, const std::string& prefix = "") {
    std::string cmd = prefix + " " + Quote(KAIROS_BIN) + " --home " + Quote(home_.string());
    for (const auto& a : args) cmd += " " + Quote(a);
    return RunCaptured(cmd, dir_);
  }

  // Writes `text` to `dir_/name` and returns its path.
  std::string File(const std::string& name, const std::string& text) {
    fs::path p = dir_ / name;
    WriteFile(p, text);
    return p.string();
  }

  fs::path dir_;
  fs::path home_;
};

}  // namespace kairos::testing
