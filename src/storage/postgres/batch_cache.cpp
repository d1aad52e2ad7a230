#include "storage/postgres/batch_cache.hpp"

#include <algorithm>
#include <array>

#include "storage/postgres/connection.hpp"

namespace coffee::storage::postgres {

namespace {

// The prepared statements after which the batch's memory is still right: they change neither
// orders (so neither the queue total, which the orders_queue_track trigger keeps) nor coffees
// nor reviews (a review's trigger updates its coffee's rating_sum and review_count), or, for the
// order insert, their caller accounts for the change (OrderRepository calls
// BatchCache::OrderInserted). These are the reads and writes of placing an order, and their
// neighbours. Any statement not listed, or renamed, makes the batch forget: slower, never wrong. A
// statement listed here must keep that promise when it is edited.
constexpr std::array<std::string_view, 18> kUnderstood = {
    "audit_insert",
    "audit_insert_many",
    "coffee_find_many",
    "idempotency_delete_expired",
    "idempotency_delete_expired_key",
    "idempotency_find",
    "idempotency_insert",
    "order_find",
    "order_insert",
    "order_lines_of",
    "order_queued_work",
    "usage_claim_customer",
    "usage_claim_rule",
    "usage_order_delete",
    "usage_order_insert",
    "usage_read",
    "usage_unclaim_customer",
    "usage_unclaim_rule",
};

}  // namespace

void BatchCache::BeforeStatement(std::string_view statement) {
  if (std::find(kUnderstood.begin(), kUnderstood.end(), statement) == kUnderstood.end()) {
    Forget();
  }
}

void BatchCache::Forget() {
  queued_work_.reset();
  coffees_.clear();
}

void BatchCache::OrderInserted(domain::OrderStatus status, std::int64_t prep_work_minutes) {
  if (queued_work_ && domain::IsInQueue(status)) *queued_work_ += prep_work_minutes;
}

const domain::Coffee* BatchCache::FindCoffee(domain::CoffeeId id) const {
  const auto it = coffees_.find(id);
  return it == coffees_.end() ? nullptr : &it->second;
}

void BatchCache::RememberCoffee(const domain::Coffee& coffee) { coffees_[coffee.id] = coffee; }

BatchCache::Attached::Attached(Connection& conn, BatchCache& cache) : conn_(conn) {
  conn_.SetBatchCache(&cache);
}

BatchCache::Attached::~Attached() { conn_.SetBatchCache(nullptr); }

}  // namespace coffee::storage::postgres
