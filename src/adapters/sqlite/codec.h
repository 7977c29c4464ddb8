#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "domain/strategy.h"
#include "domain/trading.h"
#include "domain/universe.h"

namespace kairos::adapters::sqlite {

// How records that are not plain columns are stored: JSON text with enums by name. Decoding is
// strict about types and enum names (Corruption: the row was not written by this code) and lenient
// about missing keys (they take the field's default), so a field added later needs no migration.

std::string EncodeSpec(const StrategySpec& spec);
Result<StrategySpec> DecodeSpec(std::string_view json);

// [[name, value], ...]; a non-finite value is stored as null and read back as NaN.
std::string EncodeTerms(const std::vector<std::pair<std::string, double>>& terms);
Result<std::vector<std::pair<std::string, double>>> DecodeTerms(std::string_view json);

// [{"opened": "YYYY-MM-DD", "qty": units, "price": ticks, "fees": minor}, ...]
std::string EncodeLots(const std::vector<Lot>& lots);
Result<std::vector<Lot>> DecodeLots(std::string_view json);

std::string EncodeUniverseDefinition(const UniverseDefinition& definition);
Result<UniverseDefinition> DecodeUniverseDefinition(std::string_view json);

std::string EncodeStrings(const std::vector<std::string>& strings);
Result<std::vector<std::string>> DecodeStrings(std::string_view json);

// Stored enum names (they must not change: they are in the database).
Result<Side> ParseSide(std::string_view name);
std::string_view SignalKindName(SignalKind kind);
Result<SignalKind> ParseSignalKind(std::string_view name);
Result<SignalStatus> ParseSignalStatus(std::string_view name);
Result<OrderStatus> ParseOrderStatus(std::string_view name);
Result<OrderType> ParseOrderType(std::string_view name);
Result<TimeInForce> ParseTimeInForce(std::string_view name);
// A stored 'YYYY-MM-DD'; Corruption when it is not one.
Result<Date> ParseStoredDate(std::string_view text);

}  // namespace kairos::adapters::sqlite
