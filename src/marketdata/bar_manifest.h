#pragma once

// The bar store's manifest (<home>/bars/manifest.tsv): one line per stored series with what
// List() and Info() answer, the file's header checksum and the stamp of the file it describes,
// then a trailer with the count and a checksum of everything before it. A cache of the headers:
// a missing or damaged manifest is rebuilt from them. Internal to marketdata.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "marketdata/bar_file_io.h"
#include "marketdata/bar_store.h"

namespace kairos::marketdata::internal {

inline constexpr const char* kManifestName = "manifest.tsv";

// The manifest: what List() and Info() answer from, plus the stamp of each file it describes.
struct ManifestEntry {
  SeriesInfo info;
  uint64_t checksum = 0;  // the file's header checksum (which covers its column checksums)
  FileStamp stamp;
};
using Manifest = std::map<std::string, ManifestEntry, std::less<>>;  // by symbol

// The text of the manifest file.
std::string FormatManifest(const Manifest& manifest);

// Parses what FormatManifest wrote; nullopt if anything is off (the caller rebuilds).
std::optional<Manifest> ParseManifest(std::string_view text);

// Reads and checks just the header of a bar file (for manifest rebuilds).
Result<ManifestEntry> ReadEntry(const std::filesystem::path& path);

}  // namespace kairos::marketdata::internal
