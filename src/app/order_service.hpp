#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/errors.hpp"
#include "app/metrics.hpp"
#include "app/ports/auth.hpp"
#include "app/ports/store.hpp"
#include "app/rules_cache.hpp"
#include "rules/prep_time.hpp"
#include "rules/pricing.hpp"
#include "rules/warnings.hpp"

namespace coffee::app {

/// One requested line, as sent by the client (prices are never taken from the client).
struct RequestedItem {
  std::int64_t coffee_item_id = 0;
  std::int64_t quantity = 0;
};

/// Who is asking: the signed-in user and their role.
struct Viewer {
  domain::UserId id;
  domain::Role role = domain::Role::kUser;
  [[nodiscard]] bool IsStaff() const { return domain::RoleAtLeast(role, domain::Role::kStaff); }
};

/// The rules decision for an order, before anything is stored (also what a quote returns).
struct OrderDecision {
  std::vector<OrderLine> lines;  // merged, in first-seen order, with prices
  rules::PricingDecision pricing;
  rules::PrepEstimate prep;
  int baristas = 1;
  domain::Instant at;
  std::int64_t rules_version = 0;            // the rule-set version of the snapshot used
  std::string promo_code;                    // the code priced with, normalized; empty = none
  std::vector<domain::RuleId> uses_claimed;  // limited rules whose use the order took (by id)
  std::vector<rules::RuleWarning> warnings;  // quotes: about the active rules of its coffees
};

/// A stored first response of an idempotent request, replayed as is.
struct StoredResponse {
  int status = 0;
  std::string body;
};

/// What placing an order produced: a new order, or the replay of an earlier identical request.
struct PlaceResult {
  std::optional<Order> order;
  std::optional<StoredResponse> replay;
};

struct OrderPage {
  std::vector<Order> orders;
  std::int64_t total = 0;
};

/// A customer's points (SPEC §5.4).
struct LoyaltySummary {
  LoyaltyAccount account;
  std::vector<LoyaltyTransaction> transactions;
};

/// Orders through the rules engine (SPEC §6). Blocking: runs on a worker thread.
class OrderService {
 public:
  static constexpr std::chrono::hours kIdempotencyTtl{24};

  OrderService(Store& store, RulesCache& cache, Metrics& metrics, const Clock& clock);

  /// Validates and merges lines: 1–50 lines, quantity 1–99 (also after merging).
  static Outcome<std::vector<RequestedItem>> NormalizeItems(
      const std::vector<RequestedItem>& items);

  /// Availability, pricing and prep time for the items now; nothing is stored. A rule whose
  /// usage limit (in all, or for `viewer`) is spent is priced as not applying.
  /// `promo_code` (trimmed, any case; blank = none) must be carried by an active rule. The
  /// quote also carries the warnings about the active rules of its coffees.
  Outcome<OrderDecision> Quote(const Viewer& viewer, const std::vector<RequestedItem>& items,
                               const std::optional<std::string>& promo_code = std::nullopt);

  /// Places an order in one transaction (order, lines, audit rows, idempotency record, one use
  /// of every limited rule that discounts it). A limited rule whose use cannot be taken (its
  /// limit was reached) is left out and the order priced again without it.
  /// With an idempotency key, a repeat of the same items and code returns the first response
  /// and a different body is a conflict. `render` turns the new order into the response (status
  /// and body) that is stored for replays.
  Outcome<PlaceResult> Place(const Viewer& viewer, const std::vector<RequestedItem>& items,
                             const std::optional<std::string>& promo_code,
                             const std::optional<std::string>& idempotency_key,
                             const std::function<StoredResponse(const Order&)>& render);

  /// Owner, staff or admin; anyone else gets 404 as if it did not exist. Ids are taken as the
  /// client wrote them (any case); one that is not a UUID is not found.
  Outcome<Order> Get(const Viewer& viewer, std::string_view id);
  /// Own orders for customers; all (optionally one user's) for staff and admin; newest first
  /// (query.oldest_first is not read). The total is counted first and a page nearer the end
  /// is read from there, in the same read transaction (app/paging.hpp).
  Outcome<OrderPage> List(const Viewer& viewer, const OrderQuery& query);

  /// Staff/admin status change per the SPEC §6 table; completion awards loyalty points once,
  /// cancelling a completed order takes them back, cancelling one before completion gives back
  /// the uses of limited rules it took.
  Outcome<Order> Transition(const Viewer& actor, std::string_view id, domain::OrderStatus to);
  /// The owner cancels their own pending order.
  Outcome<Order> Cancel(const Viewer& owner, std::string_view id);
  /// Admin: unpaid → paid, paid → refunded.
  Outcome<Order> SetPayment(std::string_view id, domain::PaymentStatus to);

  Outcome<LoyaltySummary> Loyalty(domain::UserId user);

 private:
  Outcome<OrderDecision> Decide(Tx& tx, const rules::Snapshot& snapshot,
                                const std::vector<RequestedItem>& items, std::int64_t queued_work,
                                const rules::PricingOptions& options);
  /// Prices `d`'s lines again under `options` (a rule left out at its limit).
  void Price(const rules::Snapshot& snapshot, OrderDecision& d,
             const rules::PricingOptions& options);
  std::shared_ptr<const rules::Snapshot> CurrentSnapshot();
  Outcome<Order> ChangeStatus(const Viewer& actor, std::string_view id, domain::OrderStatus to,
                              bool owner_cancel);

  Store& store_;
  RulesCache& cache_;
  Metrics& metrics_;
  const Clock& clock_;
};

/// The audit rows of a placed order (SPEC §5.5): availability, one per applied pricing rule
/// (with its discount in cents), the pricing summary (with max_discount_capped and the
/// rules_version it was priced with), prep time.
std::vector<AuditRecord> OrderAuditRecords(const Order& order, const OrderDecision& decision);

}  // namespace coffee::app
