#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "domain/money.hpp"
#include "domain/strong_id.hpp"

namespace coffee::domain {

/// One drink of the catalog.
struct Coffee {
  CoffeeId id;
  std::string name;
  std::string coffee_type;
  Money price;
  double rating = 0;  // 0–5, the editorial score, not money; reviews never change it
  std::string image_url;
  std::int64_t rating_sum = 0;    // Σ ratings of the visible reviews
  std::int64_t review_count = 0;  // number of visible reviews

  /// Mean of the visible reviews' ratings in hundredths, half away from zero; nullopt without
  /// reviews (4.67 is 467).
  [[nodiscard]] std::optional<std::int64_t> AverageRatingHundredths() const {
    if (review_count <= 0) return std::nullopt;
    return (rating_sum * 200 + review_count) / (review_count * 2);
  }
};

/// The fields an admin sets when creating a coffee.
struct NewCoffee {
  std::string name;
  std::string coffee_type;
  Money price;
  double rating = 0;
  std::string image_url;
};

/// A partial update: absent fields keep their value.
struct CoffeePatch {
  std::optional<std::string> name;
  std::optional<std::string> coffee_type;
  std::optional<Money> price;
  std::optional<double> rating;
  std::optional<std::string> image_url;
};

}  // namespace coffee::domain
