#pragma once

#include <span>
#include <string>
#include <vector>

#include "domain/business_rules.hpp"
#include "domain/strong_id.hpp"
#include "domain/time.hpp"
#include "rules/shop_clock.hpp"
#include "rules/snapshot.hpp"

namespace coffee::rules {

/// Whether a coffee can be ordered now and, if not, the reason shown to the customer.
struct AvailabilityCheck {
  bool available_now = true;
  std::string reason;  // empty when available_now
};

/// A refused order line (SPEC §6 `unavailable_items`).
struct UnavailableItem {
  domain::CoffeeId coffee_id;
  std::string reason;
  friend bool operator==(const UnavailableItem&, const UnavailableItem&) = default;
};

/// SPEC §5.1 for one availability row (nullptr = no row = available) at shop time-of-day `now`.
AvailabilityCheck EvaluateAvailability(const domain::Availability* row, domain::TimeOfDay now);

/// SPEC §5.1 for one coffee at shop time `now`.
AvailabilityCheck CheckAvailability(const Snapshot& snapshot, domain::CoffeeId coffee_id,
                                    ShopTime now);
/// SPEC §5.1 for one coffee at instant `at`, read in the snapshot's zone.
AvailabilityCheck CheckAvailability(const Snapshot& snapshot, domain::CoffeeId coffee_id,
                                    domain::Instant at);

/// The order's lines that cannot be ordered at shop time `now`, in line order; empty = all fine.
std::vector<UnavailableItem> FindUnavailable(const Snapshot& snapshot,
                                             std::span<const domain::CoffeeId> line_coffees,
                                             ShopTime now);
/// As above at instant `at`, read in the snapshot's zone.
std::vector<UnavailableItem> FindUnavailable(const Snapshot& snapshot,
                                             std::span<const domain::CoffeeId> line_coffees,
                                             domain::Instant at);

}  // namespace coffee::rules
