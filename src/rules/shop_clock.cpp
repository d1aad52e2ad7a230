#include "rules/shop_clock.hpp"

#include <date/tz.h>

#include <chrono>
#include <exception>
#include <string>

namespace coffee::rules {

namespace {

template <typename Duration>
ShopTime FromLocalTicks(Duration since_epoch) {
  using std::chrono::floor;
  const auto day = floor<date::days>(since_epoch);
  const auto minute_of_day = floor<std::chrono::minutes>(since_epoch - day).count();
  const date::weekday weekday{date::sys_days{day}};
  return ShopTime{domain::TimeOfDay{static_cast<int>(minute_of_day)},
                  static_cast<int>(weekday.iso_encoding())};
}

}  // namespace

ShopTime ToShopTime(domain::Instant t, const date::time_zone* zone) {
  if (zone == nullptr) return FromLocalTicks(t.time_since_epoch());
  return FromLocalTicks(zone->to_local(t).time_since_epoch());
}

const date::time_zone* FindTimeZone(std::string_view name) noexcept {
  try {
    return date::locate_zone(std::string(name));
  } catch (const std::exception&) {
    return nullptr;
  }
}

}  // namespace coffee::rules
