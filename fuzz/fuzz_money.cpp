// Money and fixed-point decimals from text (query strings, JSON strings) and from JSON doubles.
// Invariants: whatever parses formats back to text that parses to the same value, with exactly
// the declared number of decimals; a parsed value survives the double round trip the JSON
// responses take while it is within the exact range of a double.

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "domain/money.hpp"
#include "fuzz_support.hpp"

namespace {

using coffee::domain::FormatScaled;
using coffee::domain::Money;
using coffee::domain::ParseScaledDecimal;
using coffee::domain::ScaledFromDouble;
using coffee::fuzz::Check;

void CheckFormatted(const std::string& text, int decimals) {
  const auto dot = text.find('.');
  if (decimals == 0) {
    Check(dot == std::string::npos, "no decimal point without decimals");
  } else {
    Check(dot != std::string::npos && text.size() - dot - 1 == static_cast<std::size_t>(decimals),
          "formatted with exactly the declared decimals");
  }
}

void CheckScaled(std::string_view text, int decimals) {
  const auto units = ParseScaledDecimal(text, decimals);
  if (!units) return;
  const std::string formatted = FormatScaled(*units, decimals);
  CheckFormatted(formatted, decimals);
  Check(ParseScaledDecimal(formatted, decimals) == units, "parse(format(x)) == x");
  // Parsing with more allowed decimals scales the same value.
  if (decimals < 4 && std::llabs(*units) < 1'000'000'000'000'000) {
    const auto wider = ParseScaledDecimal(text, decimals + 1);
    Check(wider && *wider == *units * 10, "one more allowed decimal scales by ten");
  }
  double scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  if (std::llabs(*units) < (std::int64_t{1} << 50)) {
    Check(ScaledFromDouble(static_cast<double>(*units) / scale, decimals) == units,
          "the JSON double of a parsed value converts back to it");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = coffee::fuzz::AsText(data, size);

  if (auto money = Money::Parse(text)) {
    const std::string formatted = money->ToString();
    CheckFormatted(formatted, 2);
    Check(Money::Parse(formatted) == money, "Money: parse(format(x)) == x");
    if (std::llabs(money->cents()) < (std::int64_t{1} << 50)) {
      Check(Money::FromDouble(money->ToDouble()) == money, "Money: FromDouble(ToDouble(x)) == x");
    }
  }
  for (int decimals = 0; decimals <= 4; ++decimals) CheckScaled(text, decimals);

  // The same bytes read as a JSON double: what FieldReader gets for a numeric field.
  if (size == sizeof(double)) {
    double value = 0;
    std::memcpy(&value, data, sizeof value);
    for (int decimals = 0; decimals <= 4; ++decimals) {
      if (auto units = ScaledFromDouble(value, decimals)) {
        Check(std::isfinite(value), "only finite doubles convert");
        Check(ParseScaledDecimal(FormatScaled(*units, decimals), decimals) == units,
              "a converted double formats and parses back");
      }
    }
  }
  return 0;
}
