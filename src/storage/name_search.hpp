#pragma once

#include <cstddef>
#include <string>
#include <string_view>

/// How both adapters search coffee names (GET /api/coffees?search=): a case-insensitive
/// substring in which every character, % and _ included, is literal.
namespace coffee::storage {

/// The fewest characters a trigram index can narrow a substring search to.
inline constexpr std::size_t kTrigramSearchMinChars = 3;

/// True when a trigram index can answer `search`: valid UTF-8 without NUL, of at least
/// kTrigramSearchMinChars characters (code points). Any other search scans every name.
bool UsesTrigramIndex(std::string_view search);

/// `search` as a LIKE pattern matching any text containing it: "%" + search + "%" with \, %
/// and _ escaped by a backslash (LIKE's default escape character in PostgreSQL).
std::string ContainsLikePattern(std::string_view search);

/// `search` as an FTS5 query of one phrase ("..." with embedded quotes doubled): with the
/// trigram tokenizer it matches the rows whose text contains `search`, in any case.
std::string Fts5Phrase(std::string_view search);

}  // namespace coffee::storage
