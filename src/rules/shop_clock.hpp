#pragma once

#include <string_view>

#include "domain/time.hpp"

namespace date {
class time_zone;
}  // namespace date

namespace coffee::rules {

/// Wall-clock time in the shop's time zone: what daily windows and days of week are read in.
struct ShopTime {
  domain::TimeOfDay time;
  int iso_weekday = 1;  // 1 = Monday … 7 = Sunday
};

/// Local wall time of `t` in `zone` (DST-correct, system tzdata); a null zone means UTC.
ShopTime ToShopTime(domain::Instant t, const date::time_zone* zone);

/// The IANA zone named `name` ("Europe/Paris", "UTC"), or nullptr if the tzdata does not know it.
const date::time_zone* FindTimeZone(std::string_view name) noexcept;

}  // namespace coffee::rules
