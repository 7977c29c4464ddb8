#include "app/change_feed.h"

#include <sqlite3.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace kairos::app {
namespace {

using Row = std::vector<std::string>;

// `sql` with its integer parameters bound; each row's columns as text.
Status Query(sqlite3* db, const char* sql, std::initializer_list<int64_t> params,
             const std::function<void(const Row&, sqlite3_stmt*)>& row) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK) {
    return Status::IOError(fmt::format("change feed: {}", sqlite3_errmsg(db)));
  }
  int i = 1;
  for (int64_t p : params) sqlite3_bind_int64(stmt, i++, p);
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    Row values;
    for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
      const unsigned char* text = sqlite3_column_text(stmt, c);
      values.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
    }
    row(values, stmt);
  }
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE) return Status::IOError(fmt::format("change feed: {}", sqlite3_errstr(rc)));
  return Status::Ok();
}

std::string Line(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace

std::optional<std::string_view> EventTypeOfAction(std::string_view action) {
  std::string_view prefix = action.substr(0, action.find('.'));
  for (std::string_view type : {"signal", "order", "fill"}) {
    if (prefix == type) return type;
  }
  if (prefix == "halt" || prefix == "resume" || prefix.starts_with("kill")) return "halt";
  return std::nullopt;
}

ChangeFeed::~ChangeFeed() { sqlite3_close(db_); }

Status ChangeFeed::Open() {
  std::string file = (home_ / "kairos.db").string();
  if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    return Status::IOError(
        fmt::format("cannot open {}: {}", file, db_ ? sqlite3_errmsg(db_) : "out of memory"));
  }
  sqlite3_busy_timeout(db_, 2'000);
  return Cursors();
}

Status ChangeFeed::Cursors() {
  auto last = [&](const char* sql, int64_t& out) {
    return Query(db_, sql, {},
                 [&](const Row&, sqlite3_stmt* s) { out = sqlite3_column_int64(s, 0); });
  };
  KAIROS_RETURN_IF_ERROR(last("SELECT COALESCE(MAX(id), 0) FROM audit", audit_id_));
  KAIROS_RETURN_IF_ERROR(last("SELECT COALESCE(MAX(id), 0) FROM fills", fill_id_));
  KAIROS_RETURN_IF_ERROR(last("SELECT COALESCE(MAX(id), 0) FROM outbox", outbox_id_));
  return last("SELECT COALESCE(MAX(MAX(started_ns, finished_ns)), 0) FROM job_runs", job_run_ns_);
}

Result<int> ChangeFeed::Poll() {
  int published = 0;
  // One read transaction: the four tables as of one instant.
  char* err = nullptr;
  sqlite3_exec(db_, "BEGIN", nullptr, nullptr, &err);
  sqlite3_free(err);
  auto publish = [&](std::string_view type, const nlohmann::ordered_json& data) {
    hub_.Publish(std::string(type), Line(data));
    ++published;
  };
  Status st = Query(
      db_, "SELECT id, time_ns, actor, action, subject, detail FROM audit WHERE id > ? ORDER BY id",
      {audit_id_}, [&](const Row& r, sqlite3_stmt* s) {
        audit_id_ = sqlite3_column_int64(s, 0);
        auto type = EventTypeOfAction(r[3]);
        if (!type) return;
        publish(*type, {{"id", audit_id_},
                        {"time_ns", sqlite3_column_int64(s, 1)},
                        {"actor", r[2]},
                        {"action", r[3]},
                        {"subject", r[4]},
                        {"detail", r[5]}});
      });
  if (st.ok()) {
    st = Query(db_,
               "SELECT id, client_order_id, strategy, symbol, side, qty, price, fees, session, "
               "time_ns FROM fills WHERE id > ? ORDER BY id",
               {fill_id_}, [&](const Row& r, sqlite3_stmt* s) {
                 fill_id_ = sqlite3_column_int64(s, 0);
                 publish("fill", {{"client_order_id", r[1]},
                                  {"strategy", r[2]},
                                  {"symbol", r[3]},
                                  {"side", r[4]},
                                  {"qty", sqlite3_column_int64(s, 5)},
                                  {"price", sqlite3_column_int64(s, 6)},
                                  {"fees", sqlite3_column_int64(s, 7)},
                                  {"session", r[8]},
                                  {"time_ns", sqlite3_column_int64(s, 9)}});
               });
  }
  if (st.ok()) {
    st = Query(db_,
               "SELECT id, job, scheduled_ns, status, attempts, message, "
               "MAX(started_ns, finished_ns) AS changed FROM job_runs "
               "WHERE started_ns > ?1 OR finished_ns > ?1 ORDER BY changed, id",
               {job_run_ns_}, [&](const Row& r, sqlite3_stmt* s) {
                 job_run_ns_ = std::max<int64_t>(job_run_ns_, sqlite3_column_int64(s, 6));
                 publish("job_run", {{"job", r[1]},
                                     {"scheduled_ns", sqlite3_column_int64(s, 2)},
                                     {"status", r[3]},
                                     {"attempts", sqlite3_column_int64(s, 4)},
                                     {"message", r[5]}});
               });
  }
  if (st.ok()) {
    st = Query(db_, "SELECT id, kind, text, created_ns FROM outbox WHERE id > ? ORDER BY id",
               {outbox_id_}, [&](const Row& r, sqlite3_stmt* s) {
                 outbox_id_ = sqlite3_column_int64(s, 0);
                 publish("alert", {{"id", outbox_id_},
                                   {"kind", r[1]},
                                   {"text", r[2]},
                                   {"created_ns", sqlite3_column_int64(s, 3)}});
               });
  }
  sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
  if (!st.ok()) return st;
  return published;
}

}  // namespace kairos::app
