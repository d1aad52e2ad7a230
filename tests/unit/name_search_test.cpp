#include "storage/name_search.hpp"

#include <gtest/gtest.h>

#include <string>

namespace coffee::storage {
namespace {

TEST(NameSearch, TrigramIndexAnswersSearchesOfThreeCodePointsOrMore) {
  EXPECT_FALSE(UsesTrigramIndex(""));
  EXPECT_FALSE(UsesTrigramIndex("a"));
  EXPECT_FALSE(UsesTrigramIndex("ab"));
  EXPECT_TRUE(UsesTrigramIndex("abc"));
  EXPECT_TRUE(UsesTrigramIndex("%_\\"));
  // Characters, not bytes: "é" is two bytes, "☕" three, "𝄞" four.
  EXPECT_FALSE(
      UsesTrigramIndex("\xC3\xA9"
                       "a"));
  EXPECT_FALSE(UsesTrigramIndex("\xE2\x98\x95\xF0\x9D\x84\x9E"));
  EXPECT_TRUE(UsesTrigramIndex("\xC3\xA9\xE2\x98\x95\xF0\x9D\x84\x9E"));
}

TEST(NameSearch, InvalidUtf8OrNulScans) {
  EXPECT_FALSE(UsesTrigramIndex(std::string("ab\0cd", 5)));
  EXPECT_FALSE(UsesTrigramIndex("abc\xFF"));
  EXPECT_FALSE(UsesTrigramIndex("abc\xC3"));              // truncated sequence
  EXPECT_FALSE(UsesTrigramIndex("abc\xC3\x28"));          // bad continuation byte
  EXPECT_FALSE(UsesTrigramIndex("abc\xC0\xAF"));          // overlong "/"
  EXPECT_FALSE(UsesTrigramIndex("abc\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(UsesTrigramIndex("abc\xF4\x90\x80\x80"));  // past U+10FFFF
}

TEST(NameSearch, LikePatternKeepsBackslashPercentAndUnderscoreLiteral) {
  EXPECT_EQ(ContainsLikePattern("latte"), "%latte%");
  EXPECT_EQ(ContainsLikePattern("100%"), "%100\\%%");
  EXPECT_EQ(ContainsLikePattern("d_b"), "%d\\_b%");
  EXPECT_EQ(ContainsLikePattern("a\\b"), "%a\\\\b%");
  EXPECT_EQ(ContainsLikePattern(""), "%%");
}

TEST(NameSearch, Fts5PhraseQuotesTheSearchAndDoublesItsQuotes) {
  EXPECT_EQ(Fts5Phrase("latte"), "\"latte\"");
  EXPECT_EQ(Fts5Phrase("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(Fts5Phrase("a OR b*"), "\"a OR b*\"");
}

}  // namespace
}  // namespace coffee::storage
