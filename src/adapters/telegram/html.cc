#include "adapters/telegram/html.h"

#include <fmt/core.h>

#include <optional>

namespace kairos::telegram {
namespace {

// The length of the UTF-8 sequence starting at text[i], or 0 when it is not a valid one.
size_t SequenceLength(std::string_view text, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char lead = byte(i);
  size_t n = lead < 0x80           ? 1
             : (lead >> 5) == 0x6  ? 2
             : (lead >> 4) == 0xE  ? 3
             : (lead >> 3) == 0x1E ? 4
                                   : 0;
  if (n == 0 || i + n > text.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  return n;
}

enum class TokenKind { kText, kEntity, kOpenTag, kCloseTag, kOtherTag };

// One indivisible piece of the message: a character, an entity or a tag.
struct Token {
  TokenKind kind;
  size_t begin;
  size_t end;
  size_t units;           // UTF-16 units of the raw text
  std::string_view name;  // tags: the tag name as written
};

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

std::optional<Token> TagAt(std::string_view html, size_t i) {
  size_t close = html.find('>', i);
  if (close == std::string_view::npos) return std::nullopt;
  size_t name_begin = i + 1;
  bool closing = name_begin < close && html[name_begin] == '/';
  if (closing) ++name_begin;
  size_t name_end = name_begin;
  while (name_end < close && IsNameChar(html[name_end])) ++name_end;
  if (name_end == name_begin) return std::nullopt;  // "a < b > c" is text
  Token t{closing ? TokenKind::kCloseTag : TokenKind::kOpenTag, i, close + 1,
          Utf16Length(html.substr(i, close + 1 - i)),
          html.substr(name_begin, name_end - name_begin)};
  if (!closing && html[close - 1] == '/') t.kind = TokenKind::kOtherTag;  // <br/>
  return t;
}

std::optional<Token> EntityAt(std::string_view html, size_t i) {
  size_t k = i + 1;
  while (k < html.size() && k - i <= 10 && (IsNameChar(html[k]) || html[k] == '#')) ++k;
  if (k >= html.size() || html[k] != ';' || k == i + 1) return std::nullopt;
  return Token{TokenKind::kEntity, i, k + 1, k + 1 - i, {}};
}

std::vector<Token> Tokenize(std::string_view html) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < html.size()) {
    std::optional<Token> t;
    if (html[i] == '<') t = TagAt(html, i);
    if (html[i] == '&') t = EntityAt(html, i);
    if (!t) {
      size_t n = SequenceLength(html, i);
      t = Token{TokenKind::kText, i, i + (n == 0 ? 1 : n), n == 4 ? 2u : 1u, {}};
    }
    i = t->end;
    tokens.push_back(*t);
  }
  return tokens;
}

struct OpenTag {
  std::string_view text;  // "<a href=\"...\">"
  std::string_view name;
};
using TagStack = std::vector<OpenTag>;

void Apply(const Token& t, std::string_view html, TagStack& stack) {
  if (t.kind == TokenKind::kOpenTag) {
    stack.push_back({html.substr(t.begin, t.end - t.begin), t.name});
  } else if (t.kind == TokenKind::kCloseTag && !stack.empty() && stack.back().name == t.name) {
    stack.pop_back();
  }
}

size_t ClosingUnits(const TagStack& stack) {
  size_t units = 0;
  for (const OpenTag& tag : stack) units += tag.name.size() + 3;  // "</name>"
  return units;
}

bool IsBlank(const Token& t, std::string_view html) {
  return t.kind == TokenKind::kText && (html[t.begin] == ' ' || html[t.begin] == '\n');
}

// Where a part may end: before tokens[index], with `stack` open there. When `drop`, the token at
// the cut is the line break or space the cut replaces, and no part includes it.
struct Cut {
  size_t index;
  TagStack stack;
  bool drop;
};

std::string Render(std::string_view html, const std::vector<Token>& tokens, size_t from,
                   const TagStack& open_at_start, const Cut& cut, bool* visible) {
  std::string part;
  for (const OpenTag& tag : open_at_start) part += tag.text;
  *visible = false;
  for (size_t k = from; k < cut.index; ++k) {
    const Token& t = tokens[k];
    if ((t.kind == TokenKind::kText && !IsBlank(t, html)) || t.kind == TokenKind::kEntity) {
      *visible = true;
    }
    part += html.substr(t.begin, t.end - t.begin);
  }
  for (auto it = cut.stack.rbegin(); it != cut.stack.rend(); ++it) {
    part += fmt::format("</{}>", it->name);
  }
  return part;
}

}  // namespace

size_t Utf16Length(std::string_view text) {
  size_t units = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t n = SequenceLength(text, i);
    units += n == 4 ? 2 : 1;
    i += n == 0 ? 1 : n;
  }
  return units;
}

Result<std::vector<std::string>> SplitMessage(std::string_view html, size_t limit) {
  if (Utf16Length(html) <= limit) return std::vector<std::string>{std::string(html)};
  std::vector<Token> tokens = Tokenize(html);
  std::vector<std::string> parts;
  TagStack stack;
  size_t i = 0;
  while (i < tokens.size()) {
    size_t units = ClosingUnits(stack);
    for (const OpenTag& tag : stack) units += Utf16Length(tag.text);
    std::optional<Cut> line_cut;
    std::optional<Cut> space_cut;
    TagStack open = stack;
    size_t j = i;
    for (; j < tokens.size(); ++j) {
      const Token& t = tokens[j];
      TagStack next = open;
      Apply(t, html, next);
      size_t without_closing = units - ClosingUnits(open) + t.units;
      if (without_closing + ClosingUnits(next) > limit) break;
      if (j > i && IsBlank(t, html)) {
        (html[t.begin] == '\n' ? line_cut : space_cut) = Cut{j, open, true};
      }
      units = without_closing + ClosingUnits(next);
      open = std::move(next);
    }
    if (j == i) {
      return Status::InvalidArgument(fmt::format(
          "cannot split the message: the piece at byte {} ({} characters with the tags around "
          "it) does not fit in {}",
          tokens[i].begin, units + tokens[i].units, limit));
    }
    Cut cut = j == tokens.size() ? Cut{j, open, false}
              : line_cut         ? *line_cut
              : space_cut        ? *space_cut
                                 : Cut{j, open, false};
    bool visible = false;
    std::string part = Render(html, tokens, i, stack, cut, &visible);
    if (visible) parts.push_back(std::move(part));
    i = cut.index + (cut.drop ? 1 : 0);
    stack = std::move(cut.stack);
  }
  return parts;
}

}  // namespace kairos::telegram
