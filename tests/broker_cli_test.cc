// `kairos broker status` against the Alpaca stand-in: what [broker] resolves to, the account as
// the broker reports it, and credentials that never show.
#include <gtest/gtest.h>

#include <string>

#include "adapters/alpaca/testing/alpaca_standin.h"
#include "adapters/http_client/testing/standin_process.h"
#include "cli_testing.h"

namespace kairos::testing {
namespace {

using alpaca::testing::AlpacaStandin;

class BrokerCliTest : public KairosCliTest {
 protected:
  void Config(const std::string& text) { WriteFile(home_ / "kairos.toml", text); }
  // No APCA_* variables from the environment of whoever runs the tests.
  static constexpr const char* kCleanEnv = "env -u APCA_API_KEY_ID -u APCA_API_SECRET_KEY";
};

TEST_F(BrokerCliTest, PaperIsTheDefault) {
  Config("");
  Outcome r = Kairos({"broker", "status", "--format", "csv"}, kCleanEnv);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("paper,,paper,simulated"), std::string::npos) << r.out;
}

TEST_F(BrokerCliTest, AlpacaStatusShowsTheAccountFromKeyFiles) {
  AlpacaStandin standin;
  ASSERT_TRUE(standin.ok()) << standin.error();
  WriteFile(home_ / "alpaca.id", std::string(AlpacaStandin::kKeyId) + "\n");
  WriteFile(home_ / "alpaca.secret", std::string(AlpacaStandin::kSecret) + "\n");
  Config("[broker]\nkind = \"alpaca\"\nbase_url = \"" + standin.base_url() +
         "\"\nkey_id_file = \"alpaca.id\"\nsecret_key_file = \"alpaca.secret\"\n");
  Outcome r = Kairos({"broker", "status", "--format", "csv"}, kCleanEnv);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("alpaca," + standin.base_url() +
                       ",PA3STANDIN01,ACTIVE,USD,100000.00,100000.00,100000.00,ok"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find(AlpacaStandin::kSecret), std::string::npos);
}

TEST_F(BrokerCliTest, AlpacaKeysFromTheEnvironment) {
  AlpacaStandin standin;
  ASSERT_TRUE(standin.ok()) << standin.error();
  Config("[broker]\nkind = \"alpaca\"\nbase_url = \"" + standin.base_url() + "\"\n");
  Outcome r = Kairos({"broker", "status", "--format", "csv"},
                     "APCA_API_KEY_ID=" + std::string(AlpacaStandin::kKeyId) +
                         " APCA_API_SECRET_KEY=" + std::string(AlpacaStandin::kSecret));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("PA3STANDIN01"), std::string::npos) << r.out;
}

TEST_F(BrokerCliTest, MissingCredentialsNameTheVariable) {
  Config("[broker]\nkind = \"alpaca\"\nbase_url = \"http://127.0.0.1:1\"\n");
  Outcome r = Kairos({"broker", "status"}, kCleanEnv);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("APCA_API_KEY_ID"), std::string::npos) << r.err;
}

TEST_F(BrokerCliTest, WrongKeysFailWithoutShowingThem) {
  AlpacaStandin standin;
  ASSERT_TRUE(standin.ok()) << standin.error();
  Config("[broker]\nkind = \"alpaca\"\nbase_url = \"" + standin.base_url() + "\"\n");
  Outcome r = Kairos({"broker", "status"},
                     "APCA_API_KEY_ID=PKWRONGKEY123 APCA_API_SECRET_KEY=notTheSecret987");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("unauthorized"), std::string::npos) << r.err;
  for (const std::string& s : {r.out, r.err}) {
    EXPECT_EQ(s.find("PKWRONGKEY123"), std::string::npos) << s;
    EXPECT_EQ(s.find("notTheSecret987"), std::string::npos) << s;
  }
}

TEST_F(BrokerCliTest, NoAnswerIsShownAndFails) {
  Config("[broker]\nkind = \"alpaca\"\nbase_url = \"http://127.0.0.1:1\"\n");
  Outcome r =
      Kairos({"broker", "status", "--format", "csv"}, "APCA_API_KEY_ID=PK1 APCA_API_SECRET_KEY=S1");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("no answer"), std::string::npos) << r.out;
}

TEST_F(BrokerCliTest, KiteLoginStoresTheSessionAndStatusShowsIt) {
  http::testing::StandinProcess standin("tests/standins/kite_api.py",
                                        {"--api-key", "kitekey", "--api-secret", "kitesecret"});
  ASSERT_TRUE(standin.ok()) << standin.error();
  Config("[broker]\nkind = \"kite\"\nbase_url = \"" + standin.base_url() + "\"\n");
  const std::string env = "KITE_API_KEY=kitekey KITE_API_SECRET=kitesecret";
  Outcome before = Kairos({"broker", "status", "--format", "csv"}, env);
  EXPECT_EQ(before.code, 1);
  EXPECT_NE(before.out.find("session expired: kairos broker login"), std::string::npos)
      << before.out;

  Outcome wrong = Kairos({"broker", "login", "--request-token", "not-the-token"}, env);
  EXPECT_EQ(wrong.code, 1);
  EXPECT_FALSE(fs::exists(home_ / "kite_session"));

  Outcome login = Kairos({"broker", "login", "--request-token", "standin-request-token"}, env);
  ASSERT_EQ(login.code, 0) << login.err;
  std::string token = standin.Control("orders")["access_token"];
  EXPECT_EQ(ReadFile(home_ / "kite_session"), token + "\n");
  EXPECT_EQ(fs::status(home_ / "kite_session").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(login.out.find(token), std::string::npos) << login.out;

  Outcome after = Kairos({"broker", "status", "--format", "csv"}, env);
  ASSERT_EQ(after.code, 0) << after.err;
  EXPECT_NE(after.out.find("kite," + standin.base_url() +
                           ",,session valid,INR,100000.00,100000.00,100000.00,ok"),
            std::string::npos)
      << after.out;
}

TEST_F(BrokerCliTest, LoginIsOnlyForKite) {
  Config("");
  Outcome r = Kairos({"broker", "login", "--request-token", "x"}, kCleanEnv);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("kind = \"kite\""), std::string::npos) << r.err;
}

}  // namespace
}  // namespace kairos::testing
