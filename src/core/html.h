#pragma once

#include <string>
#include <string_view>

namespace kairos {

// `text` safe inside HTML text and attribute values: & < > " as entities, everything else as
// it is. The entities are the ones Telegram's HTML parse mode accepts (&amp; &lt; &gt; &quot;).
std::string EscapeHtml(std::string_view text);

}  // namespace kairos
