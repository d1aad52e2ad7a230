#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "domain/coffee.hpp"
#include "domain/order_status.hpp"

namespace coffee::storage::postgres {

class Connection;

/// What one group-commit batch remembers between its fns, so that an order costs one round trip
/// instead of four: the baristas' queue total and the coffees looked up. What it remembers is
/// what the batch's first read saw plus the batch's own changes: each statement of the batch
/// either keeps the memory right (an order insert adds its work, as the orders_queue_track
/// trigger does) or makes it forget: any statement not known to leave orders, coffees and
/// reviews alone, any raw SQL (which includes a reconnect), and a fn rolled back to its
/// savepoint. Forgotten values are read again on next use. Writes that other lanes (or other
/// instances) commit while the batch runs are not seen until its next batch: their requests
/// ran at the same time as the batch's, so either order is one the callers could have seen
/// (as for two concurrent one-order transactions under READ COMMITTED); every write acknowledged
/// before a batch started is seen by it. Lives for one batch on the leader's thread; reads
/// outside write batches never see it.
class BatchCache {
 public:
  /// Called by the connection before each prepared statement it runs in the batch: forgets
  /// everything unless `statement` (its name) is known to change neither orders nor coffees
  /// nor reviews, or is the order insert (whose caller reports it: OrderInserted).
  void BeforeStatement(std::string_view statement);
  /// Forgets everything (raw SQL, a fn rolled back to its savepoint).
  void Forget();

  /// The queue total (Σ prep_queue_shards) as the batch's next statement would read it, if known.
  [[nodiscard]] std::optional<std::int64_t> QueuedWork() const { return queued_work_; }
  /// Remembers the queue total just read.
  void RememberQueuedWork(std::int64_t minutes) { queued_work_ = minutes; }
  /// Adds what inserting an order did to the queue total, as orders_queue_track does: its
  /// prep_work_minutes when it was inserted in a queued status (domain::IsInQueue).
  void OrderInserted(domain::OrderStatus status, std::int64_t prep_work_minutes);

  /// The coffee as last read in this batch, or null when not remembered (absence is never
  /// remembered: an unknown id is asked again).
  [[nodiscard]] const domain::Coffee* FindCoffee(domain::CoffeeId id) const;
  /// Remembers a coffee row just read.
  void RememberCoffee(const domain::Coffee& coffee);

  /// Attaches a cache to a connection for one batch (Connection::batch_cache), and detaches it
  /// when destroyed, before the connection goes back to the pool.
  class Attached {
   public:
    Attached(Connection& conn, BatchCache& cache);
    ~Attached();
    Attached(const Attached&) = delete;
    Attached& operator=(const Attached&) = delete;
    Attached(Attached&&) = delete;
    Attached& operator=(Attached&&) = delete;

   private:
    Connection& conn_;
  };

 private:
  std::optional<std::int64_t> queued_work_;
  std::unordered_map<domain::CoffeeId, domain::Coffee> coffees_;
};

}  // namespace coffee::storage::postgres
