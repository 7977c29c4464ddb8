#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <vector>
#include "core/html.h"

#include "core/result.h"

// Telegram's HTML parse mode (VENDOR_APIS.md §3.3): escaping plain text and splitting long
// messages under the 4,096-character limit.
namespace kairos::telegram {

// The longest message text Telegram accepts.
inline constexpr size_t kMaxMessageLength = 4096;

// Text for Telegram HTML: core/html.h (& < > " as entities).
using kairos::EscapeHtml;

// The length of UTF-8 `text` in UTF-16 code units (what Telegram's limits count; at least the
// number of characters). A byte that does not start a valid sequence counts as one unit.
size_t Utf16Length(std::string_view text);

// Splits an HTML message into parts of at most `limit` UTF-16 units each, tags and entities
// included (so the text Telegram counts is shorter still), in order. A part ends at the last line
// break that fits, else the last space, else between two characters; never inside a tag, an
// entity or a UTF-8 sequence. The line break or space at a cut is dropped. Tags open at a cut are
// closed at the end of the part and opened again (with their attributes) at the start of the
// next, so every part is balanced if the input is. Parts with no visible text are left out.
// A message that fits is returned as the one part. Fails when one tag and the tags around it
// cannot fit in `limit` (a link of thousands of characters).
Result<std::vector<std::string>> SplitMessage(std::string_view html,
                                              size_t limit = kMaxMessageLength);

}  // namespace kairos::telegram
