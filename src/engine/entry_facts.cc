#include "engine/entry_facts.h"

namespace kairos::engine {

const std::string& EntryFactsCache::Key(const StrategySpec& spec, const Position& pos) {
  key_.assign(spec.name);
  key_ += '/';
  key_ += pos.symbol;
  key_ += '/';
  key_ += std::to_string(pos.entry_session.days());
  return key_;
}

const EntryFacts* EntryFactsCache::Find(const StrategySpec& spec, const Position& pos) {
  auto it = facts_.find(Key(spec, pos));
  return it == facts_.end() ? nullptr : &it->second;
}

const EntryFacts* EntryFactsCache::Keep(const EntryFacts& facts) {
  return &facts_.emplace(key_, facts).first->second;
}

const EntryFacts* EntryFactsCache::Hold(const EntryFacts& facts) {
  unkept_ = facts;
  return &unkept_;
}

void EntryFactsCache::ForgetClosed(const StrategySpec& spec, const std::vector<Position*>& open) {
  if (facts_.size() < 4096 || facts_.size() < 4 * open.size()) return;
  std::unordered_map<std::string, EntryFacts> kept;
  for (const Position* p : open) {
    auto it = facts_.find(Key(spec, *p));
    if (it != facts_.end()) kept.emplace(key_, std::move(it->second));
  }
  // Other strategies' facts are dropped too: found again when next asked.
  facts_ = std::move(kept);
}

}  // namespace kairos::engine
