// `kairos user` and `kairos token` as a user runs them: passwords from stdin (never a prompt
// without a terminal), the token printed once on stdout alone, listings without secrets, and the
// audit rows every change leaves (actor "cli").
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "adapters/sqlite/sqlite_store.h"
#include "cli_testing.h"

namespace kairos::testing {
namespace {

constexpr char kPassword[] = "correct horse battery";

class AccountCliTest : public KairosCliTest {
 protected:
  Outcome WithPassword(const std::string& password, const std::vector<std::string>& args) {
    return Kairos(args, "printf '%s\\n' " + Quote(password) + " |");
  }
  Outcome AddUser(const std::string& name, const std::string& role) {
    return WithPassword(kPassword, {"user", "add", name, "--role", role, "--password-stdin"});
  }
  std::unique_ptr<ports::Store> Store() {
    return adapters::sqlite::OpenStore(home_ / "kairos.db").value();
  }
};

TEST_F(AccountCliTest, UserAddStoresAnArgon2idHashCreatesTheHomeAndAudits) {
  Outcome r = AddUser("alice", "admin");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "user alice added (admin)\n");
  auto store = Store();
  auto user = store->accounts().GetUser("alice").value();
  ASSERT_TRUE(user.has_value());
  EXPECT_EQ(user->role, "admin");
  EXPECT_EQ(user->password_hash.rfind("$argon2id$", 0), 0u);
  auto audit = store->audit().List("user:alice").value();
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].actor, "cli");
  EXPECT_EQ(audit[0].action, "user.add");
  EXPECT_EQ(audit[0].detail.find("argon2"), std::string::npos);
}

TEST_F(AccountCliTest, UserListShowsAccountsWithoutTheirHashes) {
  ASSERT_EQ(AddUser("bob", "viewer").code, 0);
  ASSERT_EQ(AddUser("alice", "trader").code, 0);
  Outcome r = Kairos({"user", "list", "--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto rows = nlohmann::json::parse(r.out);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["name"], "alice");
  EXPECT_EQ(rows[0]["role"], "trader");
  EXPECT_EQ(rows[0]["status"], "active");
  EXPECT_EQ(rows[1]["name"], "bob");
  EXPECT_EQ(r.out.find("argon2"), std::string::npos);
}

TEST_F(AccountCliTest, UserAddWithoutATerminalOrPasswordStdinFailsAndStoresNothing) {
  Outcome r = Kairos({"user", "add", "alice", "--role", "admin"}, "</dev/null");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--password-stdin"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(home_ / "kairos.db") &&
               Store()->accounts().GetUser("alice").value().has_value());
}

TEST_F(AccountCliTest, AWeakPasswordOrABadRoleOrNameIsRefused) {
  Outcome weak =
      WithPassword("short", {"user", "add", "alice", "--role", "admin", "--password-stdin"});
  EXPECT_EQ(weak.code, 1);
  EXPECT_NE(weak.err.find("a password needs at least 10 characters"), std::string::npos)
      << weak.err;
  EXPECT_EQ(weak.err.find("short"), std::string::npos);  // the password is never echoed
  EXPECT_NE(AddUser("alice", "root").code, 0);
  Outcome bad_name = AddUser("al ice", "admin");
  EXPECT_EQ(bad_name.code, 1);
  EXPECT_NE(bad_name.err.find("user name 'al ice' is not"), std::string::npos) << bad_name.err;
  EXPECT_EQ(AddUser("alice", "admin").code, 0);
  Outcome dup = AddUser("alice", "viewer");
  EXPECT_EQ(dup.code, 1);
  EXPECT_NE(dup.err.find("a user named 'alice' exists already"), std::string::npos) << dup.err;
}

TEST_F(AccountCliTest, TokenCreatePrintsTheTokenAloneOnStdoutOnce) {
  ASSERT_EQ(AddUser("alice", "admin").code, 0);
  Outcome r = Kairos({"token", "create", "deploy", "--role", "trader"});
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(r.out.rfind("kairos_", 0), 0u);
  EXPECT_EQ(r.out.size(), 7u + 43u + 1u);
  EXPECT_NE(r.err.find("shown this once"), std::string::npos);
  EXPECT_NE(r.err.find("acting for alice"), std::string::npos);
  const std::string token = r.out.substr(0, r.out.size() - 1);
  Outcome list = Kairos({"token", "list", "--format", "json"});
  ASSERT_EQ(list.code, 0) << list.err;
  auto rows = nlohmann::json::parse(list.out);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["name"], "deploy");
  EXPECT_EQ(rows[0]["role"], "trader");
  EXPECT_EQ(rows[0]["user"], "alice");
  EXPECT_EQ(rows[0]["status"], "active");
  EXPECT_EQ(list.out.find(token), std::string::npos);
  auto stored = Store()->accounts().GetToken("deploy").value();
  EXPECT_EQ(stored->token_hash.find(token), std::string::npos);
  EXPECT_EQ(stored->token_hash.size(), 64u);
}

TEST_F(AccountCliTest, TokenRevokeMarksItRevokedOnceAndAudits) {
  ASSERT_EQ(AddUser("alice", "admin").code, 0);
  ASSERT_EQ(Kairos({"token", "create", "deploy", "--role", "viewer"}).code, 0);
  Outcome r = Kairos({"token", "revoke", "deploy"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto rows = nlohmann::json::parse(Kairos({"token", "list", "--format", "json"}).out);
  EXPECT_EQ(rows[0]["status"], "revoked");
  Outcome again = Kairos({"token", "revoke", "deploy"});
  EXPECT_EQ(again.code, 1);
  EXPECT_NE(again.err.find("API token 'deploy' is revoked already"), std::string::npos);
  EXPECT_EQ(Kairos({"token", "revoke", "ghost"}).code, 1);
  auto audit = Store()->audit().List("token:deploy").value();
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[0].action, "token.create");
  EXPECT_EQ(audit[1].action, "token.revoke");
  EXPECT_EQ(audit[1].actor, "cli");
}

TEST_F(AccountCliTest, ATokenCannotExceedItsUsersRole) {
  ASSERT_EQ(AddUser("alice", "admin").code, 0);
  ASSERT_EQ(AddUser("bob", "trader").code, 0);
  Outcome r = Kairos({"token", "create", "x", "--role", "admin", "--user", "bob"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("may not exceed its user's"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(Kairos({"token", "create", "x", "--role", "trader", "--user", "bob"}).code, 0);
}

TEST_F(AccountCliTest, TokenCreateWithoutUserNeedsExactlyOneAdmin) {
  ASSERT_EQ(AddUser("bob", "trader").code, 0);
  Outcome none = Kairos({"token", "create", "x", "--role", "viewer"});
  EXPECT_EQ(none.code, 1);
  EXPECT_NE(none.err.find("no admin account"), std::string::npos) << none.err;
  ASSERT_EQ(AddUser("a1", "admin").code, 0);
  ASSERT_EQ(AddUser("a2", "admin").code, 0);
  Outcome two = Kairos({"token", "create", "x", "--role", "viewer"});
  EXPECT_EQ(two.code, 1);
  EXPECT_NE(two.err.find("--user NAME"), std::string::npos) << two.err;
}

TEST_F(AccountCliTest, UserPasswdChangesTheHashAndRemoveKeepsTheLastAdmin) {
  ASSERT_EQ(AddUser("alice", "admin").code, 0);
  ASSERT_EQ(AddUser("bob", "viewer").code, 0);
  std::string before = Store()->accounts().GetUser("bob").value()->password_hash;
  Outcome passwd =
      WithPassword("another long secret", {"user", "passwd", "bob", "--password-stdin"});
  ASSERT_EQ(passwd.code, 0) << passwd.err;
  EXPECT_NE(Store()->accounts().GetUser("bob").value()->password_hash, before);
  EXPECT_EQ(WithPassword("x", {"user", "passwd", "ghost", "--password-stdin"}).code, 1);
  ASSERT_EQ(Kairos({"user", "remove", "bob"}).code, 0);
  Outcome last = Kairos({"user", "remove", "alice"});
  EXPECT_EQ(last.code, 1);
  EXPECT_NE(last.err.find("last admin"), std::string::npos) << last.err;
  auto users = Store()->accounts().ListUsers().value();
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0].name, "alice");
}

}  // namespace
}  // namespace kairos::testing
