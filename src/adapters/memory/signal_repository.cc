#include "adapters/memory/repositories.h"

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/memory/tables.h"
#include "domain/signal_transition.h"
#include "ports/store_errors.h"
#include "ports/stored_values.h"

namespace kairos::adapters::memory {
namespace {

using ports::SignalFilter;

bool Matches(const Signal& s, const SignalFilter& f) {
  return (!f.status || s.status == *f.status) && (!f.session || s.session == *f.session) &&
         (!f.execute_on || s.execute_on == *f.execute_on) &&
         (f.strategy.empty() || s.strategy == f.strategy);
}

const std::vector<int64_t> kNoIds;

class MemorySignals : public ports::SignalRepository {
 public:
  explicit MemorySignals(Tables& t) : t_(t) {}

  Result<std::pair<Signal, bool>> Insert(const Signal& signal) override {
    std::lock_guard lock(t_.mu);
    auto it = t_.signal_keys.find(
        SignalKeyView{signal.strategy, signal.symbol, signal.session, signal.side});
    if (it != t_.signal_keys.end()) {
      return std::pair(t_.signals[static_cast<size_t>(it->second - 1)], false);
    }
    Signal stored = ports::StoredSignal(signal);
    std::pair<Signal, bool> out(signal, true);
    out.first.id = t_.AppendSignal(std::move(stored));
    return out;
  }

  Result<std::optional<Signal>> Get(int64_t id) override {
    std::lock_guard lock(t_.mu);
    if (id < 1 || id > static_cast<int64_t>(t_.signals.size())) return std::optional<Signal>();
    return std::optional(t_.signals[static_cast<size_t>(id - 1)]);
  }

  Result<std::vector<Signal>> List(const SignalFilter& f) override {
    std::lock_guard lock(t_.mu);
    std::vector<Signal> out;
    const std::vector<int64_t>* by_session = nullptr;
    const std::vector<int64_t>* by_execute_on = nullptr;
    const std::vector<int64_t>* by_strategy = nullptr;
    if (f.session) by_session = Ids(t_.signals_by_session, *f.session);
    if (f.execute_on) by_execute_on = Ids(t_.signals_by_execute_on, *f.execute_on);
    if (!f.strategy.empty()) by_strategy = Ids(t_.signals_by_strategy, f.strategy);
    const std::set<int64_t>* by_status =
        f.status ? &t_.signals_by_status[static_cast<size_t>(*f.status)] : nullptr;
    ForEachCandidate({by_session, by_execute_on, by_strategy}, by_status, t_.signals.size(),
                     [&](int64_t id) {
                       const Signal& s = t_.signals[static_cast<size_t>(id - 1)];
                       if (Matches(s, f)) out.push_back(s);
                     });
    return out;
  }

  Status Transition(int64_t id, SignalStatus from, SignalStatus to, std::string_view by,
                    std::string_view note, int64_t time_ns) override {
    std::lock_guard lock(t_.mu);
    if (id < 1 || id > static_cast<int64_t>(t_.signals.size())) {
      return ports::NoSignalWithId(id);
    }
    Signal& s = t_.signals[static_cast<size_t>(id - 1)];
    if (s.status != from) {
      return SignalNotInStatus(id, s.status, from);
    }
    if (t_.logging()) {
      t_.Log(SignalTransitioned{id, s.status, std::move(s.decided_by), s.decided_ns,
                                std::move(s.note)});
    }
    t_.SetSignalStatus(s, to);
    s.decided_by = std::string(by);
    s.decided_ns = time_ns;
    s.note = std::string(note);
    t_.AppendAudit(SignalTransitionAudit(id, from, to, by, note, time_ns));
    return Status::Ok();
  }

 private:
  // The ids under `key`, or an empty list when there are none (the answer is then empty).
  template <typename Map, typename Key>
  static const std::vector<int64_t>* Ids(Map& map, const Key& key) {
    const std::vector<int64_t>* ids = FindIds(map, key);
    return ids != nullptr ? ids : &kNoIds;
  }

  Tables& t_;
};

}  // namespace

std::unique_ptr<ports::SignalRepository> NewSignalRepository(Tables& t) {
  return std::make_unique<MemorySignals>(t);
}

}  // namespace kairos::adapters::memory
