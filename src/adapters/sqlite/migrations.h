#pragma once

#include <span>
#include <string_view>

namespace kairos::adapters::sqlite {

// One file of migrations/: NNN_name.sql, embedded at build time (CMakeLists.txt generates
// embedded_migrations.cc; editing a .sql file re-runs that step). Versions are 1..N, contiguous.
struct Migration {
  int version;
  std::string_view name;  // "initial" for 001_initial.sql
  std::string_view sql;
};

// In version order.
std::span<const Migration> EmbeddedMigrations();

}  // namespace kairos::adapters::sqlite
