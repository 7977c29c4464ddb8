#include "core/input_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace kairos {
namespace {

namespace fs = std::filesystem;

class InputFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("kairos_input_file_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
    return dir_ / name;
  }
  fs::path dir_;
};

TEST_F(InputFileTest, ReadsARegularFileAndALinkToOneWhole) {
  fs::path file = Write("a.toml", "name = \"x\"\n");
  EXPECT_EQ(ReadInputFile(file, "strategy file", 100).value(), "name = \"x\"\n");
  fs::create_symlink(file, dir_ / "link.toml");
  EXPECT_EQ(ReadInputFile(dir_ / "link.toml", "strategy file", 100).value(), "name = \"x\"\n");
  EXPECT_EQ(ReadInputFile(Write("empty", ""), "strategy file", 100).value(), "");
  EXPECT_TRUE(CheckRegularFile(file, "strategy file").ok());
}

TEST_F(InputFileTest, RefusesADirectorySayingItIsOne) {
  Result<std::string> r = ReadInputFile(dir_, "strategy file", 100);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(
      r.status().message(),
      dir_.string() + " is a directory, not a strategy file (kairos reads only regular files)");
  EXPECT_EQ(CheckRegularFile(dir_, "CSV file").message(),
            dir_.string() + " is a directory, not a CSV file (kairos reads only regular files)");
}

TEST_F(InputFileTest, RefusesDevicesAndFifosWithoutReadingOrBlocking) {
  for (const char* device : {"/dev/zero", "/dev/urandom"}) {
    Result<std::string> r = ReadInputFile(device, "strategy file", 100);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("is a character device"), std::string::npos);
  }
  fs::path fifo = dir_ / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  Result<std::string> r = ReadInputFile(fifo, "strategy file", 100);  // no writer: must not block
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("is a fifo"), std::string::npos);
  EXPECT_NE(CheckRegularFile(fifo, "CSV file").message().find("is a fifo"), std::string::npos);
}

TEST_F(InputFileTest, RefusesAFileLargerThanTheLimitNamingIt) {
  fs::path file = Write("big.toml", std::string(2049, 'x'));
  EXPECT_TRUE(ReadInputFile(file, "strategy file", 2049).ok());
  Result<std::string> r = ReadInputFile(file, "strategy file", 2048);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), file.string() + " is larger than a strategy file may be (2 KiB)");
}

TEST_F(InputFileTest, MissingFileIsNotFound) {
  EXPECT_EQ(ReadInputFile(dir_ / "nope", "strategy file", 100).status().code(),
            StatusCode::kNotFound);
}

TEST(ByteSizeTest, StatesLimitsInTheirUnit) {
  EXPECT_EQ(ByteSize(size_t{1} << 20), "1 MiB");
  EXPECT_EQ(ByteSize(size_t{64} << 10), "64 KiB");
  EXPECT_EQ(ByteSize(1000), "1000 bytes");
}

}  // namespace
}  // namespace kairos
