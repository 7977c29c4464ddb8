#include "core/html.h"

#include <gtest/gtest.h>

namespace kairos {
namespace {

TEST(EscapeHtml, EscapesTheFourSpecialCharactersOnly) {
  EXPECT_EQ(EscapeHtml("M&M <b>\"x\"</b> it's"), "M&amp;M &lt;b&gt;&quot;x&quot;&lt;/b&gt; it's");
  EXPECT_EQ(EscapeHtml("BRK.B ^GSPC €"), "BRK.B ^GSPC €");
  EXPECT_EQ(EscapeHtml(""), "");
}

TEST(EscapeHtml, AnEntityIsEscapedAgainNotKept) { EXPECT_EQ(EscapeHtml("&amp;"), "&amp;amp;"); }

}  // namespace
}  // namespace kairos
