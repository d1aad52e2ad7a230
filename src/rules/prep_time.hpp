#pragma once

#include <cstdint>
#include <span>

#include "domain/business_rules.hpp"
#include "domain/strong_id.hpp"
#include "rules/snapshot.hpp"

namespace coffee::rules {

/// One order line as prep time sees it.
struct PrepLine {
  domain::CoffeeId coffee_id;
  int quantity = 0;
};

/// SPEC §5.3 estimate, in whole minutes.
struct PrepEstimate {
  std::int64_t work_minutes = 0;
  std::int64_t queue_delay_minutes = 0;
  std::int64_t total_minutes = 0;  // estimated_prep_minutes = work + queue delay
};

/// Work of an order: Σ over distinct coffees of base + (Q − 1) × per_additional_item, with the
/// coffee's row or the settings defaults; lines of the same coffee count together.
std::int64_t OrderWorkMinutes(const Snapshot& snapshot, std::span<const PrepLine> lines);

/// ceil(queued_work_minutes ÷ baristas); baristas below 1 count as 1.
std::int64_t QueueDelayMinutes(std::int64_t queued_work_minutes, int baristas);

/// Work + queue delay, where `queued_work_minutes` is the work of the orders ahead in the queue.
PrepEstimate EstimatePrepTime(const Snapshot& snapshot, std::span<const PrepLine> lines,
                              std::int64_t queued_work_minutes);

}  // namespace coffee::rules
