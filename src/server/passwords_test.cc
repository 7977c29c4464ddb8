#include "server/passwords.h"

#include <set>

#include <gtest/gtest.h>

namespace kairos::server {
namespace {

TEST(PasswordsTest, AHashIsArgon2idWithOwaspMinimumAndVerifies) {
  auto hash = HashPassword("correct horse battery");
  ASSERT_TRUE(hash.ok()) << hash.status().ToString();
  EXPECT_EQ(hash->rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << *hash;
  EXPECT_TRUE(VerifyPassword(*hash, "correct horse battery"));
  EXPECT_FALSE(VerifyPassword(*hash, "correct horse batterx"));
  EXPECT_FALSE(VerifyPassword(*hash, ""));
}

TEST(PasswordsTest, TheSamePasswordHashesDifferentlyEachTime) {
  EXPECT_NE(HashPassword("correct horse battery").value(),
            HashPassword("correct horse battery").value());
}

TEST(PasswordsTest, AHashThatIsNotArgon2idNeverVerifies) {
  EXPECT_FALSE(VerifyPassword("", "x"));
  EXPECT_FALSE(VerifyPassword("$2b$10$abcdefghijklmnopqrstuv", "x"));
  EXPECT_FALSE(VerifyPassword("$argon2id$garbage", "x"));
  VerifyAgainstDummy("anything");  // never matches, never crashes
}

TEST(PasswordsTest, ShortAndHugePasswordsAreRefusedWithoutEchoingThem) {
  EXPECT_EQ(CheckPassword("123456789"),
            Status::InvalidArgument("a password needs at least 10 characters"));
  EXPECT_TRUE(CheckPassword("1234567890").ok());
  EXPECT_EQ(CheckPassword(std::string(1025, 'x')).code(), StatusCode::kInvalidArgument);
}

TEST(PasswordsTest, RandomTokensAreUrlSafe43CharactersAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string t = RandomToken();
    EXPECT_EQ(t.size(), 43u);
    EXPECT_EQ(
        t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos)
        << t;
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(PasswordsTest, ApiTokensCarryThePrefixSecretScannersKnow) {
  std::string t = NewApiToken();
  EXPECT_EQ(t.rfind("kairos_", 0), 0u);
  EXPECT_EQ(t.size(), 7u + 43u);
}

TEST(PasswordsTest, Sha256HexMatchesTheStandardVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("").size(), 64u);
}

TEST(PasswordsTest, ConstantTimeEqualsComparesWholeStrings) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

}  // namespace
}  // namespace kairos::server
