#pragma once

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
  double rating = 0;  // 0–5, a display score, not money
  std::string image_url;
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
