#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "domain/strategy.h"
#include "domain/trading.h"
#include "engine/exits.h"

namespace kairos::engine {

// What the exit checks take from a position's entry signal: the level expressions' values and
// the decision bar's close.
struct EntryFacts {
  bool has_signal = false;
  LevelInputs levels;
};

// Entry facts by "strategy/symbol/entry session": they cannot change while the position is open
// (later orders are for later sessions), so each is found once.
class EntryFactsCache {
 public:
  // The kept facts of `pos`, or nullptr. The key built here is the one Keep stores under.
  const EntryFacts* Find(const StrategySpec& spec, const Position& pos);

  // Keeps `facts` for the position of the last Find.
  const EntryFacts* Keep(const EntryFacts& facts);

  // Holds `facts` unkept (the decision close may be readable in a later phase) until the next
  // call.
  const EntryFacts* Hold(const EntryFacts& facts);

  // Drops the facts of positions closed since (their keys are never asked for again) once they
  // outnumber the open ones, keeping those of `open`, so that neither memory nor the work of
  // finding them again grows with the run.
  void ForgetClosed(const StrategySpec& spec, const std::vector<Position*>& open);

 private:
  // "strategy/symbol/entry session" in key_ (reused: building the key is most of a hit's cost).
  const std::string& Key(const StrategySpec& spec, const Position& pos);

  std::unordered_map<std::string, EntryFacts> facts_;
  std::string key_;
  EntryFacts unkept_;
};

}  // namespace kairos::engine
