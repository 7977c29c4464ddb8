#include "server/router.h"

#include <fmt/format.h>

#include "core/check.h"

namespace kairos::server {
namespace {

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = path.empty() || path[0] != '/' ? 0 : 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool IsParam(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// How well `pattern` matches `path`: -1 for no match, else the number of literal segments (a
// literal segment wins over a parameter).
int Score(std::string_view pattern, std::string_view path,
          std::map<std::string, std::string, std::less<>>* params) {
  auto want = Segments(pattern);
  auto have = Segments(path);
  if (want.size() != have.size()) return -1;
  int literals = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    if (IsParam(want[i])) {
      if (have[i].empty()) return -1;
      if (params) (*params)[std::string(want[i].substr(1, want[i].size() - 2))] = have[i];
    } else if (want[i] == have[i]) {
      ++literals;
    } else {
      return -1;
    }
  }
  return literals;
}

}  // namespace

void Router::Add(Route route) {
  for (const auto& r : routes_) {
    KAIROS_CHECK(!(r.method == route.method && r.path == route.path))
        << "route added twice: " << MethodName(route.method) << " " << route.path;
  }
  routes_.push_back(std::move(route));
}

std::variant<Router::Match, Response> Router::Find(Method method, std::string_view path) const {
  const Route* best = nullptr;
  int best_score = -1;
  std::string allow;
  for (const auto& r : routes_) {
    int score = Score(r.path, path, nullptr);
    if (score < 0) continue;
    if (r.method != method) {
      if (allow.find(MethodName(r.method)) == std::string::npos) {
        allow += allow.empty() ? "" : ", ";
        allow += MethodName(r.method);
      }
      continue;
    }
    if (score > best_score) best = &r, best_score = score;
  }
  if (best) {
    Match match{best, {}};
    Score(best->path, path, &match.params);
    return match;
  }
  if (!allow.empty()) {
    Response r = Error(405, "method_not_allowed",
                       fmt::format("{} is not allowed on {}", MethodName(method), path));
    r.headers.emplace_back("Allow", allow);
    return r;
  }
  return Error(404, "not_found", fmt::format("no route {}", path));
}

}  // namespace kairos::server
