#include "engine/universe_manager.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "core/input_file.h"
#include "core/ranking.h"
#include "engine/scanner.h"
#include "rules/evaluator.h"

namespace kairos::engine {
namespace {

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string> SortedUnique(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

// The session of lists that evaluate nothing: `as_of`, else the last session in the store, else
// today (UTC) by the clock.
Date SessionOfList(const marketdata::BarStore& bars, const ports::Clock& clock,
                   std::optional<Date> as_of) {
  if (as_of) return *as_of;
  std::optional<Date> last;
  for (const auto& info : bars.List()) {
    if (!last || info.last > *last) last = info.last;
  }
  return last.value_or(Timestamp::FromNanos(clock.NowNs()).UtcDate());
}

// A static list: its symbols trimmed and upper-cased, sorted, each once.
Result<std::vector<std::string>> StaticMembers(std::string_view name, const UniverseDefinition& d) {
  if (d.symbols.empty()) {
    return Status::InvalidArgument(
        fmt::format("universe {}: a static list needs at least one symbol", name));
  }
  std::vector<std::string> members;
  for (const std::string& s : d.symbols) {
    std::string_view t = Trim(s);
    if (t.empty()) {
      return Status::InvalidArgument(fmt::format("universe {}: empty symbol in the list", name));
    }
    members.push_back(Upper(t));
  }
  return SortedUnique(std::move(members));
}

// Every stored symbol of the definition's exchange (any case), sorted.
Result<std::vector<std::string>> ExchangeMembers(const marketdata::BarStore& bars,
                                                 std::string_view name,
                                                 const UniverseDefinition& d) {
  std::vector<std::string> members;
  for (const auto& info : bars.List()) {
    if (Upper(info.instrument.exchange) == Upper(d.exchange)) {
      members.push_back(info.instrument.symbol);
    }
  }
  if (members.empty()) {
    return Status::FailedPrecondition(
        fmt::format("universe {}: no stored symbol is on exchange '{}'", name, d.exchange));
  }
  return SortedUnique(std::move(members));
}

// A rule universe's scan, without its symbols: the rule, and the rank as the one extra.
Result<ScanRequest> RuleScanRequest(std::string_view name, const UniverseDefinition& d,
                                    std::optional<Date> as_of, int threads) {
  if (d.top < 0) {
    return Status::InvalidArgument(
        fmt::format("universe {}: top must be >= 0, got {}", name, d.top));
  }
  if (d.top > 0 && d.rank.empty()) {
    return Status::InvalidArgument(
        fmt::format("universe {}: top {} needs a rank expression to choose by", name, d.top));
  }
  std::vector<std::string> extras;
  if (!d.rank.empty()) extras.push_back(d.rank);
  KAIROS_ASSIGN_OR_RETURN(std::shared_ptr<const rules::Program> program,
                          rules::Program::Compile(d.rule, extras));
  ScanRequest request;
  request.program = program;
  request.as_of = as_of;
  request.threads = threads;
  KAIROS_ASSIGN_OR_RETURN(request.columns, ColumnsRead(d.rule, extras));
  return request;
}

// The symbols a rule universe scans: its base universe's members, else the stored symbols (of
// its exchange, when it names one).
Result<std::vector<std::string>> RuleCandidates(ports::UniverseRepository& repo,
                                                const marketdata::BarStore& bars,
                                                std::string_view name,
                                                const UniverseDefinition& d) {
  std::vector<std::string> symbols;
  if (!d.base.empty()) {
    if (d.base == name) {
      return Status::InvalidArgument(fmt::format("universe {}: cannot be its own base", name));
    }
    KAIROS_ASSIGN_OR_RETURN(std::optional<Universe> base, repo.Get(d.base));
    if (!base) {
      return Status::NotFound(fmt::format("universe {}: unknown base universe '{}'", name, d.base));
    }
    return std::move(base->members);
  }
  for (const auto& info : bars.List()) {
    if (d.exchange.empty() || Upper(info.instrument.exchange) == Upper(d.exchange)) {
      symbols.push_back(info.instrument.symbol);
    }
  }
  return symbols;
}

// The symbols of the matches; with top > 0, of the top matches by rank (descending; an undefined
// (NaN) rank last; ties by symbol).
std::vector<std::string> MatchedSymbols(std::vector<ScanMatch>& matches, int top) {
  if (top > 0) {
    std::sort(matches.begin(), matches.end(), [](const ScanMatch& a, const ScanMatch& b) {
      auto c = CompareRanks(a.extras[0], b.extras[0], RankOrder::kHighestFirst);
      return c != 0 ? c < 0 : a.symbol < b.symbol;
    });
    if (matches.size() > static_cast<size_t>(top)) matches.resize(static_cast<size_t>(top));
  }
  std::vector<std::string> members;
  members.reserve(matches.size());
  for (ScanMatch& m : matches) members.push_back(std::move(m.symbol));
  return members;
}

}  // namespace

Status ValidateUniverseName(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 64;
  for (char c : name) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  if (ok) return Status::Ok();
  return Status::InvalidArgument(
      fmt::format("universe name '{}' must be 1 to 64 characters of a-z, 0-9 and _", name));
}

Result<std::vector<std::string>> ReadSymbolFile(const std::string& path) {
  KAIROS_ASSIGN_OR_RETURN(std::string content,
                          ReadInputFile(path, "symbol file", kMaxSymbolFileBytes));
  std::vector<std::string> symbols;
  std::istringstream in(content);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    std::string_view text = line;
    if (size_t hash = text.find('#'); hash != std::string_view::npos) text = text.substr(0, hash);
    text = Trim(text);
    if (text.empty()) continue;
    for (char c : text) {
      if (std::isspace(static_cast<unsigned char>(c)) || c == ',') {
        return Status::InvalidArgument(
            fmt::format("{}:{}: one symbol per line, got '{}'", path, number, std::string(text)));
      }
    }
    symbols.push_back(Upper(text));
  }
  return symbols;
}

Result<std::pair<Date, std::vector<std::string>>> UniverseManager::Compute(
    std::string_view name, const UniverseDefinition& d, std::optional<Date> as_of) {
  switch (d.kind) {
    case UniverseDefinition::Kind::kStatic: {
      KAIROS_ASSIGN_OR_RETURN(std::vector<std::string> members, StaticMembers(name, d));
      return std::pair{SessionOfList(bars_, clock_, as_of), std::move(members)};
    }
    case UniverseDefinition::Kind::kExchange: {
      KAIROS_ASSIGN_OR_RETURN(std::vector<std::string> members, ExchangeMembers(bars_, name, d));
      return std::pair{SessionOfList(bars_, clock_, as_of), std::move(members)};
    }
    case UniverseDefinition::Kind::kRule:
      break;
  }
  KAIROS_ASSIGN_OR_RETURN(ScanRequest request, RuleScanRequest(name, d, as_of, threads_));
  KAIROS_ASSIGN_OR_RETURN(request.symbols, RuleCandidates(repo_, bars_, name, d));
  // An empty request would mean the whole store.
  if (request.symbols.empty()) {
    return std::pair{SessionOfList(bars_, clock_, as_of), std::vector<std::string>{}};
  }
  KAIROS_ASSIGN_OR_RETURN(ScanResult scan, Scan(bars_, request));
  std::vector<std::string> members = MatchedSymbols(scan.matches, d.top);
  // No member symbol is stored: the scan found no session.
  Date session = !as_of && scan.as_of == Date() ? SessionOfList(bars_, clock_, as_of) : scan.as_of;
  return std::pair{session, SortedUnique(std::move(members))};
}

Result<Universe> UniverseManager::Define(std::string_view name,
                                         const UniverseDefinition& definition,
                                         std::optional<Date> as_of) {
  KAIROS_RETURN_IF_ERROR(ValidateUniverseName(name));
  if (!definition.base.empty()) KAIROS_RETURN_IF_ERROR(ValidateUniverseName(definition.base));
  KAIROS_ASSIGN_OR_RETURN(auto computed, Compute(name, definition, as_of));
  Universe u;
  u.name = std::string(name);
  u.definition = definition;
  if (u.definition.kind == UniverseDefinition::Kind::kStatic) {
    u.definition.symbols = computed.second;  // stored normalised
  }
  u.as_of = computed.first;
  u.members = std::move(computed.second);
  u.computed_ns = clock_.NowNs();
  KAIROS_RETURN_IF_ERROR(repo_.Put(u));
  return u;
}

Result<Universe> UniverseManager::Get(std::string_view name) {
  KAIROS_ASSIGN_OR_RETURN(std::optional<Universe> u, repo_.Get(name));
  if (!u) return Status::NotFound(fmt::format("no universe named '{}'", name));
  return std::move(*u);
}

Result<std::vector<Universe>> UniverseManager::List() { return repo_.List(); }

Result<Universe> UniverseManager::Refresh(std::string_view name, std::optional<Date> as_of) {
  KAIROS_ASSIGN_OR_RETURN(Universe u, Get(name));
  KAIROS_ASSIGN_OR_RETURN(auto computed, Compute(name, u.definition, as_of));
  u.as_of = computed.first;
  u.members = std::move(computed.second);
  u.computed_ns = clock_.NowNs();
  KAIROS_RETURN_IF_ERROR(repo_.Put(u));
  return u;
}

Result<std::vector<Universe>> UniverseManager::RefreshAll(std::optional<Date> as_of) {
  KAIROS_ASSIGN_OR_RETURN(std::vector<Universe> all, repo_.List());
  // Bases first: a depth-first order over the base links (a cycle or a missing base is left to
  // Refresh to report).
  std::map<std::string, const Universe*> by_name;
  for (const Universe& u : all) by_name[u.name] = &u;
  std::vector<std::string> order;
  std::set<std::string> placed, visiting;
  std::function<void(const std::string&)> place = [&](const std::string& n) {
    if (placed.count(n) || visiting.count(n)) return;
    visiting.insert(n);
    auto it = by_name.find(n);
    if (it != by_name.end() && !it->second->definition.base.empty()) {
      place(it->second->definition.base);
    }
    visiting.erase(n);
    if (it != by_name.end() && placed.insert(n).second) order.push_back(n);
  };
  for (const Universe& u : all) place(u.name);
  std::vector<Universe> out;
  for (const std::string& n : order) {
    KAIROS_ASSIGN_OR_RETURN(Universe u, Refresh(n, as_of));
    out.push_back(std::move(u));
  }
  std::sort(out.begin(), out.end(),
            [](const Universe& a, const Universe& b) { return a.name < b.name; });
  return out;
}

}  // namespace kairos::engine
