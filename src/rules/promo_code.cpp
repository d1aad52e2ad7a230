#include "rules/promo_code.hpp"

#include <algorithm>

namespace coffee::rules {

namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

}  // namespace

std::string NormalizePromoCode(std::string_view code) {
  while (!code.empty() && IsSpace(code.front())) code.remove_prefix(1);
  while (!code.empty() && IsSpace(code.back())) code.remove_suffix(1);
  std::string out(code);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsValidPromoCode(std::string_view code) {
  if (code.empty() || code.size() > kMaxPromoCodeLength) return false;
  return std::all_of(code.begin(), code.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

bool IsKnownPromoCode(const Snapshot& snapshot, std::string_view normalized) {
  const auto& rules = snapshot.evaluation_rules();
  return !normalized.empty() && std::any_of(rules.begin(), rules.end(), [&](const auto& rule) {
    return rule.promo_code == normalized;
  });
}

}  // namespace coffee::rules
