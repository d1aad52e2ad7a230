#include "app/order_service.hpp"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <map>
#include <random>

#include "app/paging.hpp"
#include "app/rules_json.hpp"
#include "rules/availability.hpp"
#include "rules/loyalty.hpp"
#include "rules/promo_code.hpp"
#include "rules/shop_clock.hpp"

namespace coffee::app {

namespace json = boost::json;

namespace {

constexpr std::size_t kMaxLines = 50;
constexpr std::int64_t kMaxQuantity = 99;

AppError OrderNotFound(std::string_view id) {
  return AppError::NotFound("Order " + std::string(id) + " not found");
}

/// The items as one canonical text: what an Idempotency-Key is bound to.
std::string CanonicalItems(std::vector<RequestedItem> items) {
  std::sort(items.begin(), items.end(),
            [](const auto& a, const auto& b) { return a.coffee_item_id < b.coffee_item_id; });
  std::string out;
  for (const auto& i : items) {
    if (!out.empty()) out += ',';
    out += std::to_string(i.coffee_item_id) + "x" + std::to_string(i.quantity);
  }
  return out;
}

/// What an Idempotency-Key is bound to: the items, and the promo code when one was given.
std::string CanonicalRequest(const std::vector<RequestedItem>& items,
                             const std::string& promo_code) {
  std::string out = CanonicalItems(items);
  if (!promo_code.empty()) out += "|promo_code=" + promo_code;
  return out;
}

/// The normalized code of a request: empty when none or blank; an error when no active rule
/// carries it.
Outcome<std::string> ResolvePromoCode(const rules::Snapshot& snapshot,
                                      const std::string& normalized) {
  if (!normalized.empty() && !rules::IsKnownPromoCode(snapshot, normalized)) {
    return AppError::Validation("promo_code", "Unknown promo code");
  }
  return normalized;
}

/// The limited rules whose limit is spent now (for `customer`), as quotes show them.
std::vector<rules::RuleExclusion> SpentRules(Tx& tx, const rules::Snapshot& snapshot,
                                             domain::UserId customer) {
  std::vector<domain::RuleId> limited;
  for (const auto& rule : snapshot.evaluation_rules()) {
    if (rule.limited && rule.valid) limited.push_back(rule.id);
  }
  std::vector<rules::RuleExclusion> spent;
  if (limited.empty()) return spent;
  for (const auto& usage : tx.Usage().Usage(limited, customer)) {
    const auto* rule = snapshot.FindPricingRule(usage.rule_id);
    if (rule == nullptr) continue;
    if (rule->max_uses && usage.uses >= *rule->max_uses) {
      spent.push_back({usage.rule_id, rules::NotAppliedReason::kUsageLimitReached});
    } else if (rule->max_uses_per_customer && usage.customer_uses >= *rule->max_uses_per_customer) {
      spent.push_back({usage.rule_id, rules::NotAppliedReason::kCustomerLimitReached});
    }
  }
  return spent;
}

/// Takes one use of every limited rule that grants `pricing` a discount, in rule-id order (so
/// that concurrent transactions lock the counters in one order). When one cannot be taken, gives
/// back those taken here and returns that rule with why; otherwise `claimed` holds the rules.
std::optional<rules::RuleExclusion> ClaimUses(Tx& tx, const rules::Snapshot& snapshot,
                                              const rules::PricingDecision& pricing,
                                              domain::UserId customer,
                                              std::vector<domain::RuleId>& claimed) {
  claimed.clear();
  std::vector<const domain::PricingRule*> limited;
  for (const auto& applied : pricing.applied) {
    if (applied.discount.cents() <= 0) continue;  // a zero discount is not a use
    const auto* rule = snapshot.FindPricingRule(applied.rule_id);
    if (rule != nullptr && (rule->max_uses || rule->max_uses_per_customer)) {
      limited.push_back(rule);
    }
  }
  std::sort(limited.begin(), limited.end(),
            [](const auto* a, const auto* b) { return a->id < b->id; });
  for (const auto* rule : limited) {
    const ClaimResult result =
        tx.Usage().Claim(rule->id, customer, rule->max_uses, rule->max_uses_per_customer);
    if (result == ClaimResult::kClaimed) {
      claimed.push_back(rule->id);
      continue;
    }
    // Newest first; an index loop, as clang 14 cannot compile libstdc++ 12's views::reverse.
    for (std::size_t i = claimed.size(); i-- > 0;) tx.Usage().Unclaim(claimed[i], customer);
    claimed.clear();
    return rules::RuleExclusion{rule->id, result == ClaimResult::kUsageLimitReached
                                              ? rules::NotAppliedReason::kUsageLimitReached
                                              : rules::NotAppliedReason::kCustomerLimitReached};
  }
  return std::nullopt;
}

AuditRecord Audit(const domain::OrderId& order_id, std::string rule_type,
                  std::optional<std::int64_t> rule_id, const json::object& data,
                  std::string effect) {
  AuditRecord r;
  r.order_id = order_id;
  r.rule_type = std::move(rule_type);
  r.rule_id = rule_id;
  r.rule_data_json = JsonText(data);
  r.effect = std::move(effect);
  return r;
}

json::array UsesJson(const std::vector<domain::RuleId>& rules) {
  json::array out;
  for (const auto rule : rules) out.push_back(rule.value);
  return out;
}

}  // namespace

std::vector<AuditRecord> OrderAuditRecords(const Order& order, const OrderDecision& d) {
  std::vector<AuditRecord> records;
  records.reserve(d.pricing.applied.size() + 3);
  json::array checked;
  for (const auto& line : d.lines) checked.push_back(line.coffee_id.value);
  records.push_back(
      Audit(order.id, "availability", std::nullopt,
            json::object{{"checked_coffee_ids", checked}, {"unavailable", json::array{}}},
            "all items available"));
  for (const auto& rule : d.pricing.applied) {
    records.push_back(Audit(order.id, "pricing_rule", rule.rule_id.value,
                            json::object{{"description", rule.description},
                                         {"discount", rule.discount.ToString()},
                                         {"discount_cents", rule.discount.cents()}},
                            "discount " + rule.discount.ToString()));
  }
  records.push_back(Audit(
      order.id, "pricing_summary", std::nullopt,
      json::object{
          {"base_price", d.pricing.base_price.ToString()},
          {"discount_total", d.pricing.discount_total.ToString()},
          {"final_price", d.pricing.final_price.ToString()},
          {"strategy", domain::ToString(d.pricing.strategy)},
          {"combination", d.pricing.Chosen()},
          {"capped", d.pricing.capped},
          {"max_discount_capped", d.pricing.max_discount_capped},
          {"rules_applied", d.pricing.applied.size()},
          {"rules_not_applied", d.pricing.not_applied_count},
          {"rules_version", d.rules_version},
          {"promo_code", d.promo_code.empty() ? json::value(nullptr) : json::value(d.promo_code)},
          {"uses_claimed", UsesJson(d.uses_claimed)}},
      "final price " + d.pricing.final_price.ToString()));
  records.push_back(Audit(order.id, "prep_time", std::nullopt,
                          json::object{{"work_minutes", d.prep.work_minutes},
                                       {"queue_delay_minutes", d.prep.queue_delay_minutes},
                                       {"baristas", d.baristas},
                                       {"estimated_prep_minutes", d.prep.total_minutes}},
                          std::to_string(d.prep.total_minutes) + " minutes"));
  return records;
}

OrderService::OrderService(Store& store, RulesCache& cache, Metrics& metrics, const Clock& clock)
    : store_(store), cache_(cache), metrics_(metrics), clock_(clock) {}

Outcome<std::vector<RequestedItem>> OrderService::NormalizeItems(
    const std::vector<RequestedItem>& items) {
  if (items.empty()) return AppError::Validation("items", "must contain at least one item");
  if (items.size() > kMaxLines) {
    return AppError::Validation("items", "must contain at most 50 items");
  }
  std::vector<RequestedItem> merged;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto& item = items[i];
    const std::string field = "items[" + std::to_string(i) + "]";
    if (item.coffee_item_id <= 0) {
      return AppError::Validation(field + ".coffee_item_id", "must be a positive integer");
    }
    if (item.quantity < 1 || item.quantity > kMaxQuantity) {
      return AppError::Validation(field + ".quantity", "must be between 1 and 99");
    }
    auto it = std::find_if(merged.begin(), merged.end(), [&](const RequestedItem& m) {
      return m.coffee_item_id == item.coffee_item_id;
    });
    if (it == merged.end()) {
      merged.push_back(item);
    } else {
      it->quantity += item.quantity;
      if (it->quantity > kMaxQuantity) {
        return AppError::Validation(field + ".quantity", "total quantity of coffee " +
                                                             std::to_string(item.coffee_item_id) +
                                                             " must be at most 99");
      }
    }
  }
  return merged;
}

std::shared_ptr<const rules::Snapshot> OrderService::CurrentSnapshot() {
  auto snapshot = cache_.Acquire();
  if (!snapshot) throw StorageError("business rules snapshot is not loaded");
  return snapshot;
}

void OrderService::Price(const rules::Snapshot& snapshot, OrderDecision& d,
                         const rules::PricingOptions& options) {
  std::vector<rules::PricingLine> pricing_lines;
  pricing_lines.reserve(d.lines.size());
  for (const auto& line : d.lines) {
    pricing_lines.push_back({line.coffee_id, line.quantity, line.price_snapshot});
  }
  {
    RulesOpTimer timer(&metrics_, RulesOp::kPricing);
    d.pricing = rules::PriceOrder(snapshot, pricing_lines, d.at,
                                  rules::ToShopTime(d.at, snapshot.zone()), options);
  }
  d.promo_code = options.promo_code;
  for (std::size_t i = 0; i < d.lines.size(); ++i) {
    d.lines[i].subtotal = d.pricing.lines[i].subtotal;
    d.lines[i].discount = d.pricing.lines[i].discount;
    d.lines[i].final_amount = d.pricing.lines[i].final_price;
  }
}

Outcome<OrderDecision> OrderService::Decide(Tx& tx, const rules::Snapshot& snapshot,
                                            const std::vector<RequestedItem>& items,
                                            std::int64_t queued_work,
                                            const rules::PricingOptions& options) {
  OrderDecision d;
  std::vector<std::int64_t> unknown;
  std::vector<domain::CoffeeId> wanted;
  wanted.reserve(items.size());
  for (const auto& item : items) wanted.emplace_back(item.coffee_item_id);
  const std::vector<domain::Coffee> found = tx.Coffees().FindMany(wanted);
  for (const auto& item : items) {
    const auto coffee = std::find_if(found.begin(), found.end(), [&](const domain::Coffee& c) {
      return c.id.value == item.coffee_item_id;
    });
    if (coffee == found.end()) {
      unknown.push_back(item.coffee_item_id);
      continue;
    }
    OrderLine line;
    line.coffee_id = coffee->id;
    line.coffee_name = coffee->name;
    line.quantity = static_cast<int>(item.quantity);
    line.price_snapshot = coffee->price;
    d.lines.push_back(std::move(line));
  }
  if (!unknown.empty()) {
    std::string ids;
    for (auto id : unknown) ids += (ids.empty() ? "" : ", ") + std::to_string(id);
    return AppError::Validation("items", "unknown coffee id: " + ids);
  }

  d.at = clock_.Now();
  d.rules_version = snapshot.version();
  const rules::ShopTime shop = rules::ToShopTime(d.at, snapshot.zone());

  std::vector<domain::CoffeeId> ids;
  ids.reserve(d.lines.size());
  for (const auto& line : d.lines) ids.push_back(line.coffee_id);
  std::vector<rules::UnavailableItem> unavailable;
  {
    RulesOpTimer timer(&metrics_, RulesOp::kAvailability);
    unavailable = rules::FindUnavailable(snapshot, ids, shop);
  }
  if (!unavailable.empty()) {
    AppError e{ErrorCode::kItemsUnavailable, "Items unavailable: ", {}, {}};
    for (std::size_t i = 0; i < unavailable.size(); ++i) {
      if (i > 0) e.details += ", ";
      e.details += std::to_string(unavailable[i].coffee_id.value) + ": " + unavailable[i].reason;
      e.unavailable_items.push_back({unavailable[i].coffee_id.value, unavailable[i].reason});
    }
    return e;
  }

  std::vector<rules::PrepLine> prep_lines;
  prep_lines.reserve(d.lines.size());
  for (const auto& line : d.lines) prep_lines.push_back({line.coffee_id, line.quantity});
  Price(snapshot, d, options);
  {
    RulesOpTimer timer(&metrics_, RulesOp::kPrepTime);
    d.prep = rules::EstimatePrepTime(snapshot, prep_lines, queued_work);
  }
  d.baristas = snapshot.prep_settings().baristas;
  return d;
}

Outcome<OrderDecision> OrderService::Quote(const Viewer& viewer,
                                           const std::vector<RequestedItem>& items,
                                           const std::optional<std::string>& promo_code) {
  auto normalized = NormalizeItems(items);
  if (!normalized) return normalized.error();
  const auto snapshot = CurrentSnapshot();
  auto code = ResolvePromoCode(*snapshot, rules::NormalizePromoCode(promo_code.value_or("")));
  if (!code) return code.error();
  std::optional<Outcome<OrderDecision>> result;
  store_.Read([&](Tx& tx) {
    rules::PricingOptions options{*code, SpentRules(tx, *snapshot, viewer.id)};
    result.emplace(Decide(tx, *snapshot, *normalized, tx.Orders().QueuedWorkMinutes(), options));
  });
  if (*result) {
    std::vector<domain::CoffeeId> coffees;
    for (const auto& line : (*result)->lines) coffees.push_back(line.coffee_id);
    (*result)->warnings = rules::SnapshotWarnings(*snapshot, coffees, (*result)->at);
  }
  return std::move(*result);
}

Outcome<PlaceResult> OrderService::Place(
    const Viewer& viewer, const std::vector<RequestedItem>& items,
    const std::optional<std::string>& promo_code, const std::optional<std::string>& idempotency_key,
    const std::function<StoredResponse(const Order&)>& render) {
  auto normalized = NormalizeItems(items);
  if (!normalized) return normalized.error();
  const std::string code = rules::NormalizePromoCode(promo_code.value_or(""));
  const std::string canonical = CanonicalRequest(*normalized, code);
  const auto replay_or_conflict = [&](const IdempotentResponse& stored) -> Outcome<PlaceResult> {
    if (stored.request_hash != canonical) {
      return AppError{ErrorCode::kIdempotencyConflict,
                      "Idempotency-Key was already used with a different request body",
                      {},
                      {}};
    }
    return PlaceResult{std::nullopt, StoredResponse{stored.status_code, stored.response_body}};
  };

  std::optional<Outcome<PlaceResult>> result;
  bool lost_race = false;
  store_.Write([&](Tx& tx) {
    const auto now = clock_.Now();
    if (idempotency_key) {
      if (auto stored = tx.Idempotency().Find(viewer.id, *idempotency_key, now)) {
        result.emplace(replay_or_conflict(*stored));
        return false;
      }
    }
    const auto snapshot = CurrentSnapshot();
    auto known = ResolvePromoCode(*snapshot, code);
    if (!known) {
      result.emplace(known.error());
      return false;
    }
    // An order keeps only the applied rules and how many others there were, not the list the
    // quote shows: pricing then skips the rules the snapshot's index rules out.
    rules::PricingOptions options{.promo_code = code, .list_not_applied = false};
    auto decision = Decide(tx, *snapshot, *normalized, tx.Orders().QueuedWorkMinutes(), options);
    if (!decision) {
      result.emplace(decision.error());
      return false;
    }
    // Each failed claim leaves one more rule out, so this ends within the limited rules.
    while (auto refused =
               ClaimUses(tx, *snapshot, decision->pricing, viewer.id, decision->uses_claimed)) {
      options.exclusions.push_back(*refused);
      Price(*snapshot, *decision, options);
    }
    const OrderDecision& d = *decision;
    Order order;
    order.id = domain::OrderId::New();
    order.user_id = viewer.id;
    order.base_price = d.pricing.base_price;
    order.discount_total = d.pricing.discount_total;
    order.total_price = d.pricing.final_price;
    order.pricing_strategy = d.pricing.strategy;
    order.pricing_combination = d.pricing.Chosen();
    for (const auto& rule : d.pricing.applied) {
      order.applied_rules.push_back({rule.rule_id, rule.description, rule.discount});
    }
    order.prep_work_minutes = static_cast<int>(d.prep.work_minutes);
    order.estimated_prep_minutes = static_cast<int>(d.prep.total_minutes);
    order.created_at = d.at;
    order.updated_at = d.at;
    order.estimated_ready_at = d.at + std::chrono::minutes(d.prep.total_minutes);
    order.items = d.lines;
    order.rules_version = d.rules_version;
    order.promo_code = d.promo_code;
    // The order, its lines and its audit rows together: one round trip on PostgreSQL.
    order = tx.Orders().InsertWithAudits(order, OrderAuditRecords(order, d));
    if (!d.uses_claimed.empty()) tx.Usage().RecordOrderUses(order.id, viewer.id, d.uses_claimed);
    tx.Announce(kOrdersChannel, order.id.str());
    if (idempotency_key) {
      const StoredResponse rendered = render(order);
      IdempotentResponse response{canonical, rendered.status, rendered.body, order.id,
                                  now + kIdempotencyTtl};
      if (!tx.Idempotency().Insert(viewer.id, *idempotency_key, response, now)) {
        lost_race = true;  // a concurrent request with this key committed first
        return false;
      }
    }
    result.emplace(PlaceResult{std::move(order), std::nullopt});
    return true;
  });
  if (lost_race) {
    std::optional<IdempotentResponse> stored;
    store_.Read(
        [&](Tx& tx) { stored = tx.Idempotency().Find(viewer.id, *idempotency_key, clock_.Now()); });
    if (!stored) throw StorageError("idempotency record vanished after a conflict");
    return replay_or_conflict(*stored);
  }
  return std::move(*result);
}

Outcome<Order> OrderService::Get(const Viewer& viewer, std::string_view id_text) {
  const auto id = domain::OrderId::Parse(id_text);
  if (!id) return OrderNotFound(id_text);
  std::optional<Order> order;
  store_.Read([&](Tx& tx) { order = tx.Orders().Find(*id); });
  if (!order || (!viewer.IsStaff() && order->user_id != viewer.id)) return OrderNotFound(id->str());
  return std::move(*order);
}

Outcome<OrderPage> OrderService::List(const Viewer& viewer, const OrderQuery& query) {
  OrderQuery q = query;
  if (!viewer.IsStaff()) q.user_id = viewer.id;
  OrderPage page;
  store_.Read([&](Tx& tx) {
    page.total = tx.Orders().Count(q);
    page.orders = ReadPage<Order>(page.total, q.offset, q.limit, [&](const PageSlice& slice) {
      OrderQuery read = q;
      read.oldest_first = slice.from_end;
      read.offset = slice.offset;
      read.limit = slice.limit;
      return tx.Orders().List(read);
    });
  });
  return page;
}

Outcome<Order> OrderService::ChangeStatus(const Viewer& actor, std::string_view id_text,
                                          domain::OrderStatus to, bool owner_cancel) {
  using domain::OrderStatus;
  const auto parsed = domain::OrderId::Parse(id_text);
  if (!parsed) return OrderNotFound(id_text);
  const domain::OrderId& id = *parsed;
  // A lost conditional update means another transition won; re-read and decide again.
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::optional<Outcome<Order>> result;
    bool lost = false;
    store_.Write([&](Tx& tx) {
      auto order = tx.Orders().Find(id);
      if (!order || (owner_cancel && order->user_id != actor.id)) {
        result.emplace(OrderNotFound(id.str()));
        return false;
      }
      const OrderStatus from = order->status;
      if (from == to) {
        result.emplace(std::move(*order));
        return false;
      }
      if (owner_cancel && from != OrderStatus::kPending) {
        result.emplace(AppError{ErrorCode::kInvalidTransition,
                                "Only pending orders can be cancelled by the customer (order is " +
                                    std::string(domain::ToString(from)) + ")",
                                {},
                                {}});
        return false;
      }
      if (!domain::IsAllowedTransition(from, to)) {
        result.emplace(AppError{ErrorCode::kInvalidTransition,
                                "Invalid status transition from " +
                                    std::string(domain::ToString(from)) + " to " +
                                    std::string(domain::ToString(to)),
                                {},
                                {}});
        return false;
      }
      if (!tx.Orders().UpdateStatus(id, from, to)) {
        lost = true;
        return false;
      }
      if (to == OrderStatus::kCompleted) {
        const auto snapshot = cache_.Acquire();
        if (!snapshot) throw StorageError("business rules snapshot is not loaded");
        std::vector<rules::LoyaltyLine> lines;
        for (const auto& item : order->items) lines.push_back({item.coffee_id, item.subtotal});
        std::int64_t points = 0;
        {
          RulesOpTimer timer(&metrics_, RulesOp::kLoyalty);
          points = rules::LoyaltyPoints(snapshot->loyalty(), order->total_price, lines);
        }
        if (tx.Loyalty().Award(order->user_id, id, points)) {
          tx.Orders().SetLoyaltyPointsAwarded(id, points);
          tx.Audit().InsertAudit(Audit(
              order->id, "loyalty", std::nullopt,
              json::object{{"points", points},
                           {"points_per_dollar", snapshot->loyalty().points_per_dollar.ToString()},
                           {"final_price", order->total_price.ToString()}},
              "awarded " + std::to_string(points) + " points"));
        }
      } else if (to == OrderStatus::kCancelled && from != OrderStatus::kCompleted) {
        if (const auto released = tx.Usage().ReleaseOrder(id); !released.empty()) {
          tx.Audit().InsertAudit(
              Audit(order->id, "usage_release", std::nullopt,
                    json::object{{"rule_ids", UsesJson(released)}},
                    "gave back " + std::to_string(released.size()) + " rule use(s)"));
        }
      } else if (from == OrderStatus::kCompleted && to == OrderStatus::kCancelled) {
        const std::int64_t awarded = order->loyalty_points_awarded;
        if (auto taken = tx.Loyalty().Reverse(order->user_id, id, awarded)) {
          tx.Audit().InsertAudit(Audit(
              order->id, "loyalty_reversal", std::nullopt,
              json::object{
                  {"points", awarded}, {"taken_back", *taken}, {"unrecovered", awarded - *taken}},
              "took back " + std::to_string(*taken) + " points"));
        }
      }
      result.emplace(*tx.Orders().Find(id));
      tx.Announce(kOrdersChannel, order->id.str());
      return true;
    });
    if (!lost) return std::move(*result);
  }
  return AppError::Conflict("The order is being changed by someone else; retry");
}

Outcome<Order> OrderService::Transition(const Viewer& actor, std::string_view id,
                                        domain::OrderStatus to) {
  return ChangeStatus(actor, id, to, false);
}

Outcome<Order> OrderService::Cancel(const Viewer& owner, std::string_view id) {
  return ChangeStatus(owner, id, domain::OrderStatus::kCancelled, true);
}

Outcome<Order> OrderService::SetPayment(std::string_view id_text, domain::PaymentStatus to) {
  const auto parsed = domain::OrderId::Parse(id_text);
  if (!parsed) return OrderNotFound(id_text);
  const domain::OrderId& id = *parsed;
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::optional<Outcome<Order>> result;
    bool lost = false;
    store_.Write([&](Tx& tx) {
      auto order = tx.Orders().Find(id);
      if (!order) {
        result.emplace(OrderNotFound(id.str()));
        return false;
      }
      const auto from = order->payment_status;
      if (from == to) {
        result.emplace(std::move(*order));
        return false;
      }
      if (!domain::IsAllowedPaymentTransition(from, to)) {
        result.emplace(AppError{ErrorCode::kInvalidTransition,
                                "Invalid payment transition from " +
                                    std::string(domain::ToString(from)) + " to " +
                                    std::string(domain::ToString(to)),
                                {},
                                {}});
        return false;
      }
      if (!tx.Orders().UpdatePayment(id, from, to)) {
        lost = true;
        return false;
      }
      result.emplace(*tx.Orders().Find(id));
      tx.Announce(kOrdersChannel, order->id.str());
      return true;
    });
    if (!lost) return std::move(*result);
  }
  return AppError::Conflict("The order is being changed by someone else; retry");
}

Outcome<LoyaltySummary> OrderService::Loyalty(domain::UserId user) {
  LoyaltySummary out;
  bool exists = false;
  store_.Read([&](Tx& tx) {
    exists = tx.Users().FindById(user).has_value();
    if (!exists) return;
    out.account = tx.Loyalty().GetAccount(user);
    out.transactions = tx.Loyalty().Transactions(user, 100);
  });
  if (!exists)
    return AppError::NotFound("User with id " + std::to_string(user.value) + " not found");
  return out;
}

}  // namespace coffee::app
