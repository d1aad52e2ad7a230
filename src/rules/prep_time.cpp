#include "rules/prep_time.hpp"

#include <algorithm>
#include <vector>

namespace coffee::rules {

std::int64_t OrderWorkMinutes(const Snapshot& snapshot, std::span<const PrepLine> lines) {
  std::vector<PrepLine> merged(lines.begin(), lines.end());
  std::sort(merged.begin(), merged.end(),
            [](const PrepLine& a, const PrepLine& b) { return a.coffee_id < b.coffee_id; });
  const auto& settings = snapshot.prep_settings();
  std::int64_t work = 0;
  for (std::size_t i = 0; i < merged.size();) {
    const auto coffee_id = merged[i].coffee_id;
    std::int64_t quantity = 0;
    for (; i < merged.size() && merged[i].coffee_id == coffee_id; ++i) {
      quantity += merged[i].quantity;
    }
    if (quantity <= 0) continue;
    const auto* row = snapshot.FindPrepTime(coffee_id);
    const std::int64_t base = row ? row->base_minutes : settings.default_base_minutes;
    const std::int64_t per_item =
        row ? row->per_additional_item : settings.default_per_additional_item;
    work += base + (quantity - 1) * per_item;
  }
  return work;
}

std::int64_t QueueDelayMinutes(std::int64_t queued_work_minutes, int baristas) {
  if (queued_work_minutes <= 0) return 0;
  const std::int64_t b = std::max(baristas, 1);
  return (queued_work_minutes + b - 1) / b;
}

PrepEstimate EstimatePrepTime(const Snapshot& snapshot, std::span<const PrepLine> lines,
                              std::int64_t queued_work_minutes) {
  PrepEstimate estimate;
  estimate.work_minutes = OrderWorkMinutes(snapshot, lines);
  estimate.queue_delay_minutes =
      QueueDelayMinutes(queued_work_minutes, snapshot.prep_settings().baristas);
  estimate.total_minutes = estimate.work_minutes + estimate.queue_delay_minutes;
  return estimate;
}

}  // namespace coffee::rules
