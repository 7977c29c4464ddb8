#include "adapters/sqlite/sqlite_db.h"

#include <cctype>
#include <cmath>
#include <limits>
#include <utility>

#include <fmt/format.h>

namespace kairos::adapters::sqlite {

Status SqliteStatus(int code, std::string_view message, std::string_view context) {
  std::string text = fmt::format("sqlite: {} (while {})", message, context);
  switch (code & 0xff) {
    case SQLITE_CONSTRAINT:
      if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return Status::AlreadyExists(std::move(text));
      }
      return Status::InvalidArgument(std::move(text));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(std::move(text));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Corruption(std::move(text));
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return Status::IOError(std::move(text));
    case SQLITE_TOOBIG:
    case SQLITE_RANGE:
    case SQLITE_MISMATCH:
      return Status::InvalidArgument(std::move(text));
    default:
      return Status::Internal(std::move(text));
  }
}

Statement::Statement(Statement&& o) noexcept
    : db_(o.db_),
      stmt_(std::exchange(o.stmt_, nullptr)),
      in_use_(o.in_use_),
      context_(o.context_),
      bind_error_(std::move(o.bind_error_)) {}

Statement::~Statement() {
  if (stmt_ == nullptr) return;
  if (in_use_ == nullptr) {
    sqlite3_finalize(stmt_);
    return;
  }
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  *in_use_ = false;
}

void Statement::Check(int rc) {
  if (rc != SQLITE_OK && bind_error_.ok()) bind_error_ = db_->LastError(rc, context_);
}

void Statement::BindOne(int index, int64_t v) { Check(sqlite3_bind_int64(stmt_, index, v)); }

void Statement::BindOne(int index, double v) {
  // SQLite turns NaN into NULL itself; say so explicitly so that the reader's NULL -> NaN holds.
  if (std::isnan(v)) {
    Check(sqlite3_bind_null(stmt_, index));
  } else {
    Check(sqlite3_bind_double(stmt_, index, v));
  }
}

void Statement::BindOne(int index, std::string_view v) {
  // SQLITE_TRANSIENT: SQLite copies the bytes, so temporaries are safe to bind.
  Check(sqlite3_bind_text64(stmt_, index, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
}

void Statement::BindOne(int index, std::nullopt_t) { Check(sqlite3_bind_null(stmt_, index)); }

Result<bool> Statement::Step() {
  if (!bind_error_.ok()) return bind_error_;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Status status = db_->LastError(rc, context_);
  sqlite3_reset(stmt_);  // leaves the statement reusable after a constraint failure
  return status;
}

Status Statement::Run() {
  for (;;) {
    Result<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
  }
}

bool Statement::IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

int64_t Statement::Int(int col) const { return sqlite3_column_int64(stmt_, col); }

double Statement::Real(int col) const {
  if (IsNull(col)) return std::numeric_limits<double>::quiet_NaN();
  return sqlite3_column_double(stmt_, col);
}

std::string Statement::Text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (p == nullptr) return {};
  return std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

std::optional<int64_t> Statement::OptionalInt(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Int(col);
}

namespace {

// A file: URI for `file` (RFC 3986 percent-encoding of everything but unreserved characters and
// '/'), so a path holding '?', '#' or '%' still names the same file.
std::string FileUri(const std::filesystem::path& file, std::string_view query) {
  std::string uri = "file:";
  for (unsigned char c : std::filesystem::absolute(file).string()) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '.' || c == '_' || c == '~') {
      uri += static_cast<char>(c);
    } else {
      uri += fmt::format("%{:02X}", c);
    }
  }
  return uri + "?" + std::string(query);
}

}  // namespace

Result<std::unique_ptr<Db>> Db::Open(const std::filesystem::path& file, Mode mode) {
  sqlite3* handle = nullptr;
  // FULLMUTEX: the store serialises its own calls, but a connection shared across threads must
  // never be used unsafely even by mistake.
  int flags = SQLITE_OPEN_FULLMUTEX;
  std::string name = file.string();
  switch (mode) {
    case Mode::kReadWrite:
      flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
      break;
    case Mode::kReadOnly:
      flags |= SQLITE_OPEN_READONLY;
      break;
    case Mode::kImmutable:
      flags |= SQLITE_OPEN_READONLY | SQLITE_OPEN_URI;
      name = FileUri(file, "immutable=1");
      break;
  }
  int rc = sqlite3_open_v2(name.c_str(), &handle, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = handle != nullptr ? sqlite3_errmsg(handle) : sqlite3_errstr(rc);
    sqlite3_close_v2(handle);
    return SqliteStatus(rc, message, fmt::format("opening {}", file.string()));
  }
  sqlite3_extended_result_codes(handle, 1);
  return std::unique_ptr<Db>(new Db(handle));
}

Db::~Db() {
  cache_.clear();  // statements first: close_v2 would otherwise defer the close
  sqlite3_close_v2(db_);
}

Status Db::LastError(int rc, std::string_view context) const {
  int code = sqlite3_extended_errcode(db_);
  if ((code & 0xff) != (rc & 0xff)) code = rc;
  return SqliteStatus(code, sqlite3_errmsg(db_), context);
}

Result<Statement> Db::Prepare(std::string_view sql, std::string_view context) {
  auto it = cache_.find(sql);
  if (it != cache_.end() && !it->second.in_use) {
    it->second.in_use = true;
    return Statement(this, it->second.stmt.get(), &it->second.in_use, context);
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return LastError(rc, context);
  }
  if (it != cache_.end()) return Statement(this, stmt, nullptr, context);  // busy: one-off
  Cached& entry = cache_[std::string(sql)];
  entry.stmt.reset(stmt);
  entry.in_use = true;
  return Statement(this, stmt, &entry.in_use, context);
}

Status Db::Exec(std::string_view sql, std::string_view context) {
  std::string text(sql);  // sqlite3_exec wants a NUL-terminated script
  char* error = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string message = error != nullptr ? error : sqlite3_errstr(rc);
  sqlite3_free(error);
  int code = sqlite3_extended_errcode(db_);
  if ((code & 0xff) != (rc & 0xff)) code = rc;
  return SqliteStatus(code, message, context);
}

}  // namespace kairos::adapters::sqlite
