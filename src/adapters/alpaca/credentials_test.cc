#include "adapters/alpaca/credentials.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace kairos::alpaca {
namespace {

EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

class CredentialsTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& content) {
    std::filesystem::path p = dir_ / name;
    std::ofstream(p) << content;
    return p.string();
  }
  std::filesystem::path dir_ = std::filesystem::path(::testing::TempDir()) / "alpaca_credentials";
  void SetUp() override { std::filesystem::create_directories(dir_); }
};

TEST_F(CredentialsTest, FilesWinAndAreTrimmed) {
  auto c = LoadCredentials(Write("id", "PKID123\n"), Write("secret", "  s3cr3t \r\n"),
                           Env({{"APCA_API_KEY_ID", "other"}}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->key_id, "PKID123");
  EXPECT_EQ(c->secret_key, "s3cr3t");
}

TEST_F(CredentialsTest, EnvironmentWhenNoFileIsConfigured) {
  auto c =
      LoadCredentials("", "", Env({{"APCA_API_KEY_ID", "PK1"}, {"APCA_API_SECRET_KEY", "S1"}}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->key_id, "PK1");
  EXPECT_EQ(c->secret_key, "S1");
}

TEST_F(CredentialsTest, MissingOrEmptyNamesTheSourceNeverTheValue) {
  auto none = LoadCredentials("", "", Env({{"APCA_API_KEY_ID", "PK-visible"}}));
  EXPECT_EQ(none.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(none.status().message(),
            "alpaca: no credentials: set [broker] secret_key_file or the environment variable "
            "APCA_API_SECRET_KEY");
  auto empty = LoadCredentials(Write("blank", "\n"), "", Env({}));
  EXPECT_NE(empty.status().message().find("key_id_file"), std::string::npos);
  EXPECT_NE(empty.status().message().find("is empty"), std::string::npos);
  auto unreadable = LoadCredentials((dir_ / "absent").string(), "", Env({}));
  EXPECT_NE(unreadable.status().message().find("cannot read key_id_file"), std::string::npos);
  auto secret_in_env = LoadCredentials("", "", Env({{"APCA_API_SECRET_KEY", "TOPSECRET"}}));
  EXPECT_EQ(secret_in_env.status().message().find("TOPSECRET"), std::string::npos);
}

}  // namespace
}  // namespace kairos::alpaca
