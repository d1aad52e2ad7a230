#include "rules/availability.hpp"

namespace coffee::rules {

AvailabilityCheck EvaluateAvailability(const domain::Availability* row, domain::TimeOfDay now) {
  using domain::AvailabilityStatus;
  if (row == nullptr) return {};
  const auto refuse = [&](const std::string& fallback) {
    return AvailabilityCheck{false, row->reason ? *row->reason : fallback};
  };
  switch (row->status) {
    case AvailabilityStatus::kOutOfStock:
      return refuse("Out of stock");
    case AvailabilityStatus::kDiscontinued:
      return refuse("Discontinued");
    case AvailabilityStatus::kAvailable:
    case AvailabilityStatus::kSeasonal:
      break;
  }
  // A lone from or until is not a window (validation rejects it; evaluation tolerates it).
  if (!row->available_from || !row->available_until) return {};
  const auto from = *row->available_from;
  const auto until = *row->available_until;
  if (domain::InDailyWindow(now, from, until)) return {};
  if (row->status == AvailabilityStatus::kSeasonal) return refuse("Seasonal (not in season)");
  return refuse("Only available between " + from.ToString() + " and " + until.ToString());
}

AvailabilityCheck CheckAvailability(const Snapshot& snapshot, domain::CoffeeId coffee_id,
                                    ShopTime now) {
  return EvaluateAvailability(snapshot.FindAvailability(coffee_id), now.time);
}

AvailabilityCheck CheckAvailability(const Snapshot& snapshot, domain::CoffeeId coffee_id,
                                    domain::Instant at) {
  return CheckAvailability(snapshot, coffee_id, ToShopTime(at, snapshot.zone()));
}

std::vector<UnavailableItem> FindUnavailable(const Snapshot& snapshot,
                                             std::span<const domain::CoffeeId> line_coffees,
                                             ShopTime now) {
  std::vector<UnavailableItem> out;
  for (const auto coffee_id : line_coffees) {
    auto check = CheckAvailability(snapshot, coffee_id, now);
    if (!check.available_now) out.push_back({coffee_id, std::move(check.reason)});
  }
  return out;
}

std::vector<UnavailableItem> FindUnavailable(const Snapshot& snapshot,
                                             std::span<const domain::CoffeeId> line_coffees,
                                             domain::Instant at) {
  return FindUnavailable(snapshot, line_coffees, ToShopTime(at, snapshot.zone()));
}

}  // namespace coffee::rules
