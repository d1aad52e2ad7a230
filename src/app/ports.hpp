#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/business_rules.hpp"
#include "domain/coffee.hpp"
#include "domain/order_status.hpp"
#include "domain/time.hpp"
#include "domain/user.hpp"

/// Storage ports: what the use cases need from a database. Two adapters implement them
/// (storage/sqlite, storage/postgres) and one contract test suite runs against both.
///
/// Contract for every repository method:
///  * it runs inside the transaction of the Tx it came from;
///  * expected outcomes (not found, unique conflict, still referenced) are return values, and
///    detecting them never poisons the transaction (PostgreSQL adapters use ON CONFLICT or a
///    savepoint), so the caller may go on or roll back;
///  * an unreachable database throws DatabaseUnavailable; anything else unexpected throws
///    StorageError (its message is logged, never sent to a client).
namespace coffee::app {

/// The database cannot be reached (connection refused, lost, pool exhausted past its wait).
class DatabaseUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// An unexpected storage failure (bad SQL, driver error): a bug or an operator problem.
class StorageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// ---------------------------------------------------------------- accounts

class UserRepository {
 public:
  virtual ~UserRepository() = default;
  /// Case-insensitive lookup.
  virtual std::optional<domain::User> FindByEmail(std::string_view email) = 0;
  virtual std::optional<domain::User> FindById(domain::UserId id) = 0;
  /// nullopt when the email exists already (case-insensitively, enforced by a unique index).
  virtual std::optional<domain::User> Create(std::string_view email, std::string_view password_hash,
                                             domain::Role role) = 0;
  /// Ordered by id.
  virtual std::vector<domain::User> List(std::int64_t offset, std::int64_t limit) = 0;
  virtual std::int64_t Count() = 0;
  /// false when no such user.
  virtual bool UpdateRole(domain::UserId id, domain::Role role) = 0;
  /// Replaces the password hash (admin create on an existing email); false when no such user.
  virtual bool UpdatePasswordHash(domain::UserId id, std::string_view password_hash) = 0;
  /// The user's token version (what new access tokens carry); 0 when no such user.
  virtual std::int64_t TokenVersion(domain::UserId id) = 0;
  /// Increments the token version, so tokens issued before stop verifying; the new version, or
  /// 0 when no such user.
  virtual std::int64_t BumpTokenVersion(domain::UserId id) = 0;
  /// Every user whose token version is above 0, with it.
  virtual std::vector<std::pair<domain::UserId, std::int64_t>> TokenVersions() = 0;
};

/// A stored refresh token: only the SHA-256 hash of the opaque token is kept.
struct RefreshToken {
  std::int64_t id = 0;
  domain::UserId user_id;
  std::string family_id;
  std::string token_hash;  // lowercase hex
  domain::Instant expires_at;
  bool used = false;
  bool revoked = false;
  domain::Instant created_at;
};

class RefreshTokenRepository {
 public:
  virtual ~RefreshTokenRepository() = default;
  virtual void Insert(domain::UserId user_id, std::string_view family_id,
                      std::string_view token_hash, domain::Instant expires_at) = 0;
  virtual std::optional<RefreshToken> FindByHash(std::string_view token_hash) = 0;
  /// Marks the token used only if it is neither used nor revoked; true if this call did it
  /// (so of two concurrent refreshes with one token exactly one wins).
  virtual bool MarkUsed(std::int64_t id) = 0;
  /// Revokes every token of the family.
  virtual void RevokeFamily(std::string_view family_id) = 0;
  /// Revokes every refresh token of the user (a password change).
  virtual void RevokeUser(domain::UserId user_id) = 0;
};

// ---------------------------------------------------------------- catalog

enum class CoffeeSort { kId, kPrice, kRating, kName };

struct CoffeeQuery {
  std::optional<std::string> search;       // case-insensitive substring; % and _ are literal
  std::optional<std::string> type_filter;  // case-insensitive exact match
  std::optional<domain::Money> min_price;  // inclusive
  std::optional<domain::Money> max_price;  // inclusive
  CoffeeSort sort = CoffeeSort::kId;
  bool descending = false;  // ties are always broken by id ascending
  std::int64_t offset = 0;
  std::int64_t limit = 10;
};

enum class WriteResult { kOk, kNotFound, kConflict };

class CoffeeRepository {
 public:
  virtual ~CoffeeRepository() = default;
  virtual std::vector<domain::Coffee> List(const CoffeeQuery& query) = 0;
  /// Number of coffees matching the filters of `query` (offset/limit ignored).
  virtual std::int64_t Count(const CoffeeQuery& query) = 0;
  virtual std::optional<domain::Coffee> Find(domain::CoffeeId id) = 0;
  /// The coffees of `ids` that exist, in no particular order. Adapters where a query costs a
  /// network round trip answer it with one statement; the default asks one id at a time.
  virtual std::vector<domain::Coffee> FindMany(const std::vector<domain::CoffeeId>& ids) {
    std::vector<domain::Coffee> found;
    for (const auto id : ids) {
      if (auto coffee = Find(id)) found.push_back(std::move(*coffee));
    }
    return found;
  }
  /// Case-insensitive exact name.
  virtual std::optional<domain::Coffee> FindByName(std::string_view name) = 0;
  /// nullopt when the name exists already (case-insensitively, enforced by a unique index).
  virtual std::optional<domain::Coffee> Create(const domain::NewCoffee& coffee) = 0;
  /// kConflict when the new name is taken by another coffee.
  virtual WriteResult Update(domain::CoffeeId id, const domain::CoffeePatch& patch) = 0;
  /// kConflict when order lines reference the coffee (foreign key).
  virtual WriteResult Delete(domain::CoffeeId id) = 0;
  /// The subset of `ids` that exist, ascending.
  virtual std::vector<domain::CoffeeId> ExistingIds(const std::vector<domain::CoffeeId>& ids) = 0;
};

// ---------------------------------------------------------------- business rules

/// Everything the rules snapshot is built from. Rows that cannot be decoded are skipped and
/// described in `malformed` (one line each) so the caller can log and count them.
struct RulesData {
  std::vector<domain::Availability> availability;
  std::vector<domain::PricingRule> pricing_rules;  // active and inactive, ordered by id
  domain::PricingSettings pricing_settings;
  std::vector<domain::PrepTimeConfig> prep_times;
  domain::PrepTimeSettings prep_time_settings;
  domain::LoyaltyConfig loyalty;
  std::vector<std::string> malformed;
};

/// One configuration change made through the API (who, when, what, before, after).
struct ConfigChange {
  std::int64_t id = 0;
  std::optional<domain::UserId> actor_id;
  std::string entity;     // "pricing_rule", "availability", "pricing_settings", …
  std::string entity_id;  // "12", "3", or "" for singletons
  std::string action;     // "create", "update", "delete"
  std::optional<std::string> before_json;
  std::optional<std::string> after_json;
  domain::Instant created_at;
};

/// One row of rule_audit_log.
struct AuditRecord {
  std::int64_t audit_id = 0;
  std::optional<std::string> order_id;  // UUID
  std::string rule_type;                // "availability", "pricing_rule", "pricing_summary", …
  std::optional<std::int64_t> rule_id;
  std::string rule_data_json;
  std::string effect;
  domain::Instant created_at;
};

struct AuditQuery {
  std::optional<std::string> order_id;
  std::optional<std::string> rule_type;
  std::int64_t offset = 0;
  std::int64_t limit = 10;
};

class RulesRepository {
 public:
  virtual ~RulesRepository() = default;
  virtual RulesData LoadAll() = 0;

  virtual std::optional<domain::Availability> FindAvailability(domain::CoffeeId id) = 0;
  /// Insert or replace; updated_at is set by the adapter. Returns the stored row.
  virtual domain::Availability UpsertAvailability(const domain::Availability& a) = 0;

  /// Ordered by id.
  virtual std::vector<domain::PricingRule> ListRules(bool include_inactive) = 0;
  virtual std::optional<domain::PricingRule> FindRule(domain::RuleId id) = 0;
  /// Ignores rule.id, created_at, updated_at; returns the stored rule.
  virtual domain::PricingRule CreateRule(const domain::PricingRule& rule) = 0;
  /// Full replacement of every field but id/created_at; nullopt when no such rule.
  virtual std::optional<domain::PricingRule> ReplaceRule(const domain::PricingRule& rule) = 0;
  /// Sets is_active=false; false when no such rule.
  virtual bool DeactivateRule(domain::RuleId id) = 0;

  virtual domain::PricingSettings GetPricingSettings() = 0;
  virtual domain::PricingSettings PutPricingSettings(const domain::PricingSettings& s) = 0;

  virtual std::optional<domain::PrepTimeConfig> FindPrepTime(domain::CoffeeId id) = 0;
  virtual domain::PrepTimeConfig UpsertPrepTime(const domain::PrepTimeConfig& c) = 0;
  virtual domain::PrepTimeSettings GetPrepTimeSettings() = 0;
  virtual domain::PrepTimeSettings PutPrepTimeSettings(const domain::PrepTimeSettings& s) = 0;

  virtual domain::LoyaltyConfig GetLoyaltyConfig() = 0;
  virtual domain::LoyaltyConfig PutLoyaltyConfig(const domain::LoyaltyConfig& c) = 0;

  virtual void InsertConfigChange(const ConfigChange& change) = 0;
  /// Newest first.
  virtual std::vector<ConfigChange> ListConfigChanges(std::int64_t offset, std::int64_t limit) = 0;
  virtual std::int64_t CountConfigChanges() = 0;

  virtual void InsertAudit(const AuditRecord& record) = 0;
  /// Several records in their order; one statement where the adapter can, else one at a time.
  virtual void InsertAudits(const std::vector<AuditRecord>& records) {
    for (const auto& record : records) InsertAudit(record);
  }
  /// Oldest first (audit_id ascending).
  virtual std::vector<AuditRecord> ListAudit(const AuditQuery& query) = 0;
  virtual std::int64_t CountAudit(const AuditQuery& query) = 0;
};

// ---------------------------------------------------------------- orders

/// One line of a stored order: a snapshot of the coffee's name and price when ordered.
struct OrderLine {
  std::int64_t id = 0;  // assigned by Insert
  domain::CoffeeId coffee_id;
  std::string coffee_name;
  int quantity = 0;
  domain::Money price_snapshot;
  domain::Money subtotal;
  domain::Money discount;
  domain::Money final_amount;
};

/// A pricing rule that changed the price of an order.
struct AppliedRule {
  domain::RuleId rule_id;
  std::string description;
  domain::Money discount;
};

/// An order with its lines (SPEC §6).
struct Order {
  std::string id;  // UUID, lower-case, chosen by the caller
  domain::UserId user_id;
  domain::OrderStatus status = domain::OrderStatus::kPending;
  domain::PaymentStatus payment_status = domain::PaymentStatus::kUnpaid;
  domain::Money base_price;
  domain::Money discount_total;
  domain::Money total_price;
  std::string pricing_strategy;
  std::vector<AppliedRule> applied_rules;
  int prep_work_minutes = 0;  // this order's own work, for the queue of later orders
  int estimated_prep_minutes = 0;
  domain::Instant estimated_ready_at;
  std::int64_t loyalty_points_awarded = 0;
  domain::Instant created_at;  // chosen by the caller (the placement instant)
  domain::Instant updated_at;
  std::vector<OrderLine> items;  // in line order
};

struct OrderQuery {
  std::optional<domain::UserId> user_id;
  std::optional<domain::OrderStatus> status;
  std::int64_t offset = 0;
  std::int64_t limit = 10;
};

class OrderRepository {
 public:
  virtual ~OrderRepository() = default;
  /// Inserts the order and its lines; returns it with line ids filled in.
  virtual Order Insert(const Order& order) = 0;
  /// The order with its lines, or nullopt (also for a malformed id).
  virtual std::optional<Order> Find(std::string_view id) = 0;
  /// Newest first (created_at desc, id desc), each with its lines, in a fixed number of
  /// queries whatever the page size (no N+1).
  virtual std::vector<Order> List(const OrderQuery& query) = 0;
  virtual std::int64_t Count(const OrderQuery& query) = 0;
  /// Sets status `to` only if the order is in `from` now (one conditional UPDATE, which also
  /// sets updated_at, and ready_at when `to` is ready); true if this call made the change.
  /// Concurrent callers: exactly one wins.
  virtual bool UpdateStatus(std::string_view id, domain::OrderStatus from,
                            domain::OrderStatus to) = 0;
  /// Same, for payment_status.
  virtual bool UpdatePayment(std::string_view id, domain::PaymentStatus from,
                             domain::PaymentStatus to) = 0;
  virtual void SetLoyaltyPointsAwarded(std::string_view id, std::int64_t points) = 0;
  /// Σ prep_work_minutes of orders in pending, confirmed or preparing: the baristas' queue.
  virtual std::int64_t QueuedWorkMinutes() = 0;
  /// Number of orders per status (statuses without orders are absent).
  virtual std::vector<std::pair<domain::OrderStatus, std::int64_t>> CountByStatus() = 0;
};

// ---------------------------------------------------------------- loyalty

struct LoyaltyAccount {
  std::int64_t points_balance = 0;
  std::int64_t lifetime_points = 0;
};

/// One row of the points ledger.
struct LoyaltyTransaction {
  std::int64_t id = 0;
  std::optional<std::string> order_id;
  std::string kind;         // "award" or "reversal"
  std::int64_t points = 0;  // signed: + award, − reversal
  std::int64_t unrecovered_points = 0;
  domain::Instant created_at;
};

class LoyaltyRepository {
 public:
  virtual ~LoyaltyRepository() = default;
  /// Zeros when the customer has no account row yet.
  virtual LoyaltyAccount GetAccount(domain::UserId user) = 0;
  /// Ledger row "award" for the order + balance and lifetime increased (account created if
  /// missing). false, changing nothing, if the order already has an award (unique per order).
  virtual bool Award(domain::UserId user, std::string_view order_id, std::int64_t points) = 0;
  /// Takes back up to `points` of the order's award without taking the balance below zero:
  /// ledger row "reversal" with points = −taken and unrecovered_points = points − taken;
  /// lifetime is not changed. Returns taken, or nullopt (changing nothing) if the order was
  /// reversed already.
  virtual std::optional<std::int64_t> Reverse(domain::UserId user, std::string_view order_id,
                                              std::int64_t points) = 0;
  /// Newest first.
  virtual std::vector<LoyaltyTransaction> Transactions(domain::UserId user, std::int64_t limit) = 0;
};

// ---------------------------------------------------------------- idempotency

/// The first response to a request made with an Idempotency-Key.
struct IdempotentResponse {
  std::string request_hash;  // hex SHA-256 of method, path and body
  int status_code = 0;
  std::string response_body;
  std::optional<std::string> order_id;
  domain::Instant expires_at;
};

class IdempotencyRepository {
 public:
  virtual ~IdempotencyRepository() = default;
  /// The stored response for (user, key) unless it expired before `now`.
  virtual std::optional<IdempotentResponse> Find(domain::UserId user, std::string_view key,
                                                 domain::Instant now) = 0;
  /// Stores the response; an expired row for the key is replaced. false if an unexpired row
  /// exists (another request with the same key won): the caller rolls back and reads it.
  virtual bool Insert(domain::UserId user, std::string_view key, const IdempotentResponse& response,
                      domain::Instant now) = 0;
  /// Removes rows that expired before `now`; returns how many.
  virtual std::int64_t DeleteExpired(domain::Instant now) = 0;
};

// ---------------------------------------------------------------- reviews

/// A customer's review of a coffee (SPEC §9).
struct Review {
  std::int64_t id = 0;
  domain::UserId user_id;
  domain::CoffeeId coffee_id;
  int rating = 0;  // 1–5
  std::optional<std::string> comment;
  bool hidden = false;
  std::optional<std::string> hidden_reason;
  /// Computed when read: the author has a `completed` order containing the coffee.
  bool verified_purchase = false;
  domain::Instant created_at;
  domain::Instant updated_at;
};

/// What a review insert did: kOk with the review, kConflict when the user already reviewed the
/// coffee (unique index), kNotFound when the coffee or the user does not exist (foreign key).
struct ReviewInsert {
  WriteResult result = WriteResult::kOk;
  std::optional<Review> review;
};

/// Reviews, and the coffee aggregates that the adapter keeps in step with them: each change of
/// a visible review adjusts coffees.rating_sum and review_count in the same transaction, with
/// atomic increments (and the review rollup of the analytics).
class ReviewRepository {
 public:
  virtual ~ReviewRepository() = default;
  /// Inserts a visible review stamped now.
  virtual ReviewInsert Insert(domain::UserId user, domain::CoffeeId coffee, int rating,
                              const std::optional<std::string>& comment) = 0;
  virtual std::optional<Review> Find(std::int64_t id) = 0;
  /// Replaces rating and comment, stamps updated_at; false when no such review.
  virtual bool Update(std::int64_t id, int rating, const std::optional<std::string>& comment) = 0;
  /// Sets hidden and its reason, stamps updated_at; false when no such review.
  virtual bool SetHidden(std::int64_t id, bool hidden,
                         const std::optional<std::string>& reason) = 0;
  /// false when no such review.
  virtual bool Delete(std::int64_t id) = 0;
  /// Visible reviews of the coffee, newest first (created_at desc, id desc).
  virtual std::vector<Review> ListVisible(domain::CoffeeId coffee, std::int64_t offset,
                                          std::int64_t limit) = 0;
  virtual std::int64_t CountVisible(domain::CoffeeId coffee) = 0;
};

// ---------------------------------------------------------------- analytics

/// The rollup levels of migration 0003 (table rollup_levels): buckets of kRollupSeconds[level]
/// seconds since the epoch, UTC. Each size divides the next.
enum class RollupLevel { kQuarterHour = 0, kHour = 1, kDay = 2, kBlock = 3, kLongBlock = 4 };
inline constexpr std::array<std::int64_t, 5> kRollupSeconds{900, 3600, 86400, 16 * 86400,
                                                            64 * 86400};
/// Seconds of one bucket of `level`.
constexpr std::int64_t RollupSeconds(RollupLevel level) {
  return kRollupSeconds.at(static_cast<std::size_t>(level));
}

/// Part of a report's time range: whole rollup buckets [first, last) of one level, or, without a
/// level, the raw rows created in [from, to) (the partial quarter hours at a range's edges).
struct Slice {
  std::optional<RollupLevel> level;
  std::int64_t first = 0;
  std::int64_t last = 0;
  domain::Instant from;
  domain::Instant to;
};

/// Sums over counted orders (completed, payment not refunded): whole orders, or the lines of one
/// coffee. The timed_* fields cover the orders that have a ready_at.
struct SalesSums {
  std::int64_t orders = 0;
  std::int64_t quantity = 0;
  domain::Money gross;
  domain::Money discount;
  domain::Money net;
  std::int64_t timed_orders = 0;
  std::int64_t quoted_minutes = 0;
  std::int64_t actual_seconds = 0;

  SalesSums& operator+=(const SalesSums& other) {
    orders += other.orders;
    quantity += other.quantity;
    gross += other.gross;
    discount += other.discount;
    net += other.net;
    timed_orders += other.timed_orders;
    quoted_minutes += other.quoted_minutes;
    actual_seconds += other.actual_seconds;
    return *this;
  }
};

struct CoffeeSales {
  domain::CoffeeId coffee_id;
  SalesSums sums;
};

/// Discount granted by one pricing rule over counted orders.
struct RuleDiscount {
  domain::RuleId rule_id;
  std::int64_t orders = 0;
  domain::Money discount;
  std::int64_t capped_orders = 0;  // orders whose discount max_discount_percent clipped
};

/// Counted orders with a ready_at by lateness: ceil((actual − quoted) / 1 minute).
struct PrepBin {
  std::int64_t coffee_id = 0;  // 0 = every order
  std::int64_t late_minutes = 0;
  std::int64_t orders = 0;
};

/// Visible reviews with one rating.
struct RatingCount {
  std::int64_t coffee_id = 0;  // 0 = every coffee
  int rating = 0;
  std::int64_t reviews = 0;
};

/// Rollup buckets [first, last) of one level for one coffee (0 = whole orders / every coffee),
/// grouped by key = ((bucket × seconds + offset_seconds) / unit_seconds) % modulo: local days
/// or local hours of day when the offset is constant over the buckets.
struct GroupedQuery {
  RollupLevel level = RollupLevel::kQuarterHour;
  std::int64_t first = 0;
  std::int64_t last = 0;
  std::int64_t coffee_id = 0;
  std::int64_t offset_seconds = 0;
  std::int64_t unit_seconds = 86400;
  std::int64_t modulo = std::int64_t{1} << 62;
};

struct KeyedSales {
  std::int64_t key = 0;
  SalesSums sums;
};

struct KeyedRatings {
  std::int64_t key = 0;
  int rating = 0;
  std::int64_t reviews = 0;
};

/// Loyalty points held by customers now.
struct LoyaltyTotals {
  std::int64_t customers = 0;  // accounts with a positive balance
  std::int64_t points_balance = 0;
  std::int64_t lifetime_points = 0;
};

/// An order of a generated history, with the instant it became ready and its audit rows.
struct HistoricOrder {
  Order order;
  std::optional<domain::Instant> ready_at;
  std::vector<AuditRecord> audit;
};

/// Rows written by a rollup rebuild, per table.
struct RollupCounts {
  std::int64_t sales = 0;
  std::int64_t rules = 0;
  std::int64_t prep = 0;
  std::int64_t reviews = 0;
};

/// Reads of the analytics rollups (and of raw rows for the edges of a range), the rebuild of
/// the rollups, and bulk writes of a generated history.
class AnalyticsRepository {
 public:
  virtual ~AnalyticsRepository() = default;
  /// Whole orders (coffee_id 0) or the lines of one coffee.
  virtual SalesSums Sales(const Slice& slice, std::int64_t coffee_id) = 0;
  /// Every coffee with counted lines in the slice (no coffee 0), in no particular order.
  virtual std::vector<CoffeeSales> SalesByCoffee(const Slice& slice) = 0;
  /// Every rule with granted discount in counted orders of the slice.
  virtual std::vector<RuleDiscount> RuleDiscounts(const Slice& slice) = 0;
  /// Lateness bins of coffee 0 and of every coffee.
  virtual std::vector<PrepBin> PrepBins(const Slice& slice) = 0;
  /// Visible reviews by rating, of coffee 0 and of every coffee.
  virtual std::vector<RatingCount> Ratings(const Slice& slice) = 0;
  virtual std::vector<KeyedSales> SalesGrouped(const GroupedQuery& query) = 0;
  virtual std::vector<KeyedRatings> RatingsGrouped(const GroupedQuery& query) = 0;
  virtual LoyaltyTotals Loyalty() = 0;
  /// Every coffee's name, by id.
  virtual std::vector<std::pair<domain::CoffeeId, std::string>> CoffeeNames() = 0;
  /// Every pricing rule's description, by id.
  virtual std::vector<std::pair<domain::RuleId, std::string>> RuleDescriptions() = 0;

  /// Empties the rollups and recomputes them from orders, lines, audit rows and reviews.
  virtual RollupCounts RebuildRollups() = 0;
  /// Updates the planner's statistics (ANALYZE).
  virtual void Analyze() = 0;
  /// Inserts users that cannot log in (the hash verifies no password); returns their ids.
  virtual std::vector<domain::UserId> InsertUsers(const std::vector<std::string>& emails,
                                                  std::string_view password_hash) = 0;
  /// Inserts orders as they are (status, payment, ready_at, times), with lines and audit rows.
  /// Inserting does not touch the rollups: rebuild them afterwards.
  virtual void InsertOrders(const std::vector<HistoricOrder>& orders) = 0;
  /// Inserts reviews as they are (created_at, hidden); the aggregates and review rollups follow.
  virtual void InsertReviews(const std::vector<Review>& reviews) = 0;
  /// Creates or replaces the customers' loyalty accounts.
  virtual void SetLoyaltyAccounts(
      const std::vector<std::pair<domain::UserId, LoyaltyAccount>>& accounts) = 0;
};

// ---------------------------------------------------------------- unit of work

/// The channels of the change feed: PostgreSQL NOTIFY channel names (lowercase identifiers).
/// Rules keep the channel of earlier versions, so instances of both can run side by side.
inline constexpr std::string_view kRulesChannel = "coffee_rules_changed";
inline constexpr std::string_view kOrdersChannel = "coffee_orders";

/// What a change-feed listener hears.
struct ChangeNotice {
  std::string payload;
  /// Announcements may have been missed (the feed lost its connection and is back); the
  /// payload is empty. Reload whatever is followed.
  bool missed = false;
};

/// Announcements of committed changes to every instance that shares the database, this one
/// included. A write transaction announces with Tx::Announce; listeners hear it once that
/// transaction commits, and never when it rolls back.
class ChangeFeed {
 public:
  using Listener = std::function<void(const ChangeNotice&)>;
  virtual ~ChangeFeed() = default;
  /// Calls `listener` from a background thread for every announcement on `channel`. It must
  /// not block (hand work to another thread). Several listeners may follow one channel.
  virtual void Listen(std::string_view channel, Listener listener) = 0;
  /// Stops every listener; none is called once this returns.
  virtual void StopListening() = 0;
};

/// The repositories of one open transaction.
class Tx {
 public:
  virtual ~Tx() = default;
  /// Announces `payload` (at most 7999 bytes) on `channel` (see ChangeFeed) when this write
  /// transaction commits; nothing is announced if it rolls back. PostgreSQL sends it with the
  /// COMMIT (a NOTIFY in the transaction), so it is never lost between commit and announcement.
  virtual void Announce(std::string_view channel, std::string payload) = 0;
  virtual UserRepository& Users() = 0;
  virtual RefreshTokenRepository& RefreshTokens() = 0;
  virtual CoffeeRepository& Coffees() = 0;
  virtual RulesRepository& Rules() = 0;
  virtual OrderRepository& Orders() = 0;
  virtual LoyaltyRepository& Loyalty() = 0;
  virtual IdempotencyRepository& Idempotency() = 0;
  virtual ReviewRepository& Reviews() = 0;
  virtual AnalyticsRepository& Analytics() = 0;
};

/// A database. Blocking: call it from a worker thread, never from an I/O thread.
class Store {
 public:
  virtual ~Store() = default;
  /// Runs fn in one read-write transaction. Commits if fn returns true, rolls back if it
  /// returns false or throws (the exception propagates).
  virtual void Write(const std::function<bool(Tx&)>& fn) = 0;
  /// Runs fn in a read-only transaction (one consistent view).
  virtual void Read(const std::function<void(Tx&)>& fn) = 0;
  /// True if the database answers now.
  virtual bool Ping() = 0;
  /// "sqlite" or "postgres".
  [[nodiscard]] virtual std::string_view Backend() const = 0;
};

}  // namespace coffee::app
