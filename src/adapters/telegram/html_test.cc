#include "adapters/telegram/html.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace kairos::telegram {
namespace {

// Tags opened and not closed in `html`, or "unbalanced" when a close tag does not match.
std::string OpenTags(const std::string& html) {
  std::vector<std::string> stack;
  for (size_t i = html.find('<'); i != std::string::npos; i = html.find('<', i + 1)) {
    size_t end = html.find('>', i);
    std::string tag = html.substr(i + 1, end - i - 1);
    if (tag.empty()) continue;
    if (tag[0] == '/') {
      if (stack.empty() || stack.back() != tag.substr(1)) return "unbalanced";
      stack.pop_back();
    } else {
      stack.push_back(tag.substr(0, tag.find(' ')));
    }
  }
  std::string open;
  for (const auto& t : stack) open += t + " ";
  return open;
}

// True when `text` starts and ends on character boundaries (no cut sequence at either end).
bool IsWholeUtf8(const std::string& text) {
  size_t i = 0;
  while (i < text.size()) {
    auto lead = static_cast<unsigned char>(text[i]);
    size_t n = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
    if (n == 0 || i + n > text.size()) return false;
    i += n;
  }
  return true;
}

std::string Visible(const std::string& html) {
  std::string out;
  bool in_tag = false;
  for (char c : html) {
    if (c == '<') in_tag = true;
    if (!in_tag) out += c;
    if (c == '>') in_tag = false;
  }
  return out;
}

TEST(EscapeHtml, EscapesTheEntitiesTelegramKnows) {
  EXPECT_EQ(EscapeHtml("P&L <b> \"x\" 'y' 1.5%"), "P&amp;L &lt;b&gt; &quot;x&quot; 'y' 1.5%");
  EXPECT_EQ(EscapeHtml("AT&T -> &amp;"), "AT&amp;T -&gt; &amp;amp;");
  EXPECT_EQ(EscapeHtml(""), "");
}

TEST(Utf16Length, CountsAstralCharactersAsTwoUnits) {
  EXPECT_EQ(Utf16Length("abc"), 3u);
  EXPECT_EQ(Utf16Length("\xC3\xA9"), 1u);          // é
  EXPECT_EQ(Utf16Length("\xE2\x82\xAC"), 1u);      // €
  EXPECT_EQ(Utf16Length("\xF0\x9F\x93\x88"), 2u);  // 📈
  EXPECT_EQ(Utf16Length("\xFF\xC3"), 2u);          // invalid bytes count one each
}

TEST(SplitMessage, MessageThatFitsIsOnePartUnchanged) {
  auto parts = SplitMessage("<b>short</b>\nmessage");
  ASSERT_TRUE(parts.ok());
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0], "<b>short</b>\nmessage");
}

TEST(SplitMessage, TenThousandCharactersSplitInOrderBelowTheLimitWithBalancedTags) {
  std::string html = "<b>Daily report</b>\n";
  int line = 0;
  while (html.size() < 10'000) {
    html += line % 7 == 0 ? "<b>bold line " + std::to_string(line) + " &amp; more</b>\n"
                          : "line " + std::to_string(line) + ": AAPL 187.25 &lt; 190\n";
    ++line;
  }
  html.pop_back();  // no final line break
  auto parts = SplitMessage(html);
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  ASSERT_GE(parts->size(), 3u);
  std::string joined;
  for (const std::string& part : *parts) {
    EXPECT_LE(Utf16Length(part), kMaxMessageLength);
    EXPECT_EQ(OpenTags(part), "") << part;
    EXPECT_NE(part.back(), '\n');
    joined += Visible(part) + "\n";
  }
  // Cuts fall on line breaks here, so the visible text is the input's, in order.
  joined.pop_back();
  EXPECT_EQ(joined, Visible(html));
}

TEST(SplitMessage, CutInsideABoldBlockClosesAndReopensIt) {
  std::string html = "<b>";
  for (int i = 0; i < 30; ++i) html += "line " + std::to_string(i) + "\n";
  html += "</b>";
  auto parts = SplitMessage(html, 60);
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  ASSERT_GE(parts->size(), 2u);
  for (const std::string& part : *parts) {
    EXPECT_LE(part.size(), 60u);
    EXPECT_EQ(part.rfind("<b>", 0), 0u) << part;
    EXPECT_EQ(part.substr(part.size() - 4), "</b>") << part;
  }
}

TEST(SplitMessage, ReopensALinkWithItsAttributes) {
  std::string html = "<a href=\"https://example.com/x\">" + std::string(100, 'w') + "</a>";
  auto parts = SplitMessage(html, 70);
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  ASSERT_GE(parts->size(), 3u);
  for (const std::string& part : *parts) {
    EXPECT_EQ(part.rfind("<a href=\"https://example.com/x\">", 0), 0u) << part;
    EXPECT_EQ(OpenTags(part), "");
  }
}

TEST(SplitMessage, NeverCutsAnEntityOrAMultiByteCharacter) {
  std::string html;
  for (int i = 0; i < 200; ++i) html += "&amp;\xE2\x82\xAC\xF0\x9F\x93\x88";  // & € 📈
  auto parts = SplitMessage(html, 50);
  ASSERT_TRUE(parts.ok());
  ASSERT_GE(parts->size(), 2u);
  std::string joined;
  for (const std::string& part : *parts) {
    EXPECT_LE(Utf16Length(part), 50u);
    EXPECT_TRUE(IsWholeUtf8(part)) << part;
    size_t ampersands = std::count(part.begin(), part.end(), '&');
    size_t entities = 0;
    for (size_t at = part.find("&amp;"); at != std::string::npos; at = part.find("&amp;", at + 1)) {
      ++entities;
    }
    EXPECT_EQ(ampersands, entities) << part;
    joined += part;
  }
  EXPECT_EQ(joined, html);
}

TEST(SplitMessage, PrefersLineBreaksThenSpaces) {
  auto parts = SplitMessage("first line\nsecond words here", 22);
  ASSERT_TRUE(parts.ok());
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0], "first line");
  EXPECT_EQ((*parts)[1], "second words here");

  parts = SplitMessage("alpha beta gamma delta", 12);
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(*parts, (std::vector<std::string>{"alpha beta", "gamma delta"}));
}

TEST(SplitMessage, RefusesATagLongerThanTheLimit) {
  std::string html = "<a href=\"https://example.com/" + std::string(200, 'x') + "\">link</a> tail";
  auto parts = SplitMessage(html, 100);
  ASSERT_FALSE(parts.ok());
  EXPECT_EQ(parts.status().message(),
            "cannot split the message: the piece at byte 0 (231 characters with the tags around "
            "it) does not fit in 100");
}

}  // namespace
}  // namespace kairos::telegram
