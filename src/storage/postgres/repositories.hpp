#pragma once

#include "app/ports/store.hpp"
#include "storage/postgres/connection.hpp"

namespace coffee::storage::postgres {

/// Users on one transaction's connection.
class UserRepository final : public app::UserRepository {
 public:
  explicit UserRepository(Connection& connection) : conn_(connection) {}
  std::optional<domain::User> FindByEmail(std::string_view email) override;
  std::optional<domain::User> FindById(domain::UserId id) override;
  std::optional<domain::User> Create(std::string_view email, std::string_view password_hash,
                                     domain::Role role) override;
  std::vector<domain::User> List(std::int64_t offset, std::int64_t limit) override;
  std::int64_t Count() override;
  bool UpdateRole(domain::UserId id, domain::Role role) override;
  bool UpdatePasswordHash(domain::UserId id, std::string_view password_hash) override;
  std::int64_t TokenVersion(domain::UserId id) override;
  std::int64_t BumpTokenVersion(domain::UserId id) override;
  std::vector<std::pair<domain::UserId, std::int64_t>> TokenVersions() override;

 private:
  Connection& conn_;
};

/// Refresh tokens on one transaction's connection.
class RefreshTokenRepository final : public app::RefreshTokenRepository {
 public:
  explicit RefreshTokenRepository(Connection& connection) : conn_(connection) {}
  void Insert(domain::UserId user_id, std::string_view family_id, std::string_view token_hash,
              domain::Instant expires_at) override;
  std::optional<app::RefreshToken> FindByHash(std::string_view token_hash) override;
  bool MarkUsed(std::int64_t id) override;
  void RevokeFamily(std::string_view family_id) override;
  void RevokeUser(domain::UserId user_id) override;

 private:
  Connection& conn_;
};

/// The coffee catalog on one transaction's connection.
class CoffeeRepository final : public app::CoffeeRepository {
 public:
  explicit CoffeeRepository(Connection& connection) : conn_(connection) {}
  std::vector<domain::Coffee> List(const app::CoffeeQuery& query) override;
  std::int64_t Count(const app::CoffeeQuery& query) override;
  std::optional<domain::Coffee> Find(domain::CoffeeId id) override;
  std::vector<domain::Coffee> FindMany(const std::vector<domain::CoffeeId>& ids) override;
  std::optional<domain::Coffee> FindByName(std::string_view name) override;
  std::optional<domain::Coffee> Create(const domain::NewCoffee& coffee) override;
  app::WriteResult Update(domain::CoffeeId id, const domain::CoffeePatch& patch) override;
  app::WriteResult Delete(domain::CoffeeId id) override;
  std::vector<domain::CoffeeId> ExistingIds(const std::vector<domain::CoffeeId>& ids) override;

 private:
  Connection& conn_;
};

/// Business-rule configuration on one transaction's connection.
class RulesRepository final : public app::RulesRepository {
 public:
  explicit RulesRepository(Connection& connection) : conn_(connection) {}
  app::RulesData LoadAll() override;

  std::optional<domain::Availability> FindAvailability(domain::CoffeeId id) override;
  domain::Availability UpsertAvailability(const domain::Availability& a) override;

  std::vector<domain::PricingRule> ListRules(bool include_inactive) override;
  std::optional<domain::PricingRule> FindRule(domain::RuleId id) override;
  domain::PricingRule CreateRule(const domain::PricingRule& rule) override;
  std::optional<domain::PricingRule> ReplaceRule(const domain::PricingRule& rule) override;
  bool DeactivateRule(domain::RuleId id) override;

  domain::PricingSettings GetPricingSettings() override;
  domain::PricingSettings PutPricingSettings(const domain::PricingSettings& s) override;

  std::optional<domain::PrepTimeConfig> FindPrepTime(domain::CoffeeId id) override;
  domain::PrepTimeConfig UpsertPrepTime(const domain::PrepTimeConfig& c) override;
  domain::PrepTimeSettings GetPrepTimeSettings() override;
  domain::PrepTimeSettings PutPrepTimeSettings(const domain::PrepTimeSettings& s) override;

  domain::LoyaltyConfig GetLoyaltyConfig() override;
  domain::LoyaltyConfig PutLoyaltyConfig(const domain::LoyaltyConfig& c) override;

  bool DeleteAvailability(domain::CoffeeId id) override;
  bool DeletePrepTime(domain::CoffeeId id) override;
  void LockVersions() override;
  std::int64_t LatestVersion() override;
  void InsertVersion(const app::RuleSetVersion& version) override;
  std::optional<app::RuleSetVersion> FindVersion(std::int64_t version) override;
  std::vector<app::RuleSetVersion> ListVersions(std::int64_t offset, std::int64_t limit) override;
  std::int64_t CountVersions() override;
  app::ScheduledChange InsertScheduledChange(const app::ScheduledChange& change) override;
  std::optional<app::ScheduledChange> FindScheduledChange(std::int64_t id) override;
  std::vector<app::ScheduledChange> ListScheduledChanges(const std::optional<std::string>& status,
                                                         std::int64_t offset,
                                                         std::int64_t limit) override;
  std::int64_t CountScheduledChanges(const std::optional<std::string>& status) override;
  std::optional<domain::Instant> NextScheduledChange() override;
  std::optional<app::ScheduledChange> ClaimDueScheduledChange(domain::Instant now) override;
  bool SettleScheduledChange(std::int64_t id, std::string_view status,
                             std::optional<domain::UserId> by, std::optional<std::int64_t> version,
                             const std::optional<std::string>& failure,
                             domain::Instant at) override;

 private:
  Connection& conn_;
};

/// The audit log (rule_audit_log) and the configuration change log on one connection.
class AuditLog final : public app::AuditLog {
 public:
  explicit AuditLog(Connection& conn) : conn_(conn) {}
  void InsertConfigChange(const app::ConfigChange& change) override;
  std::vector<app::ConfigChange> ListConfigChanges(std::int64_t offset,
                                                   std::int64_t limit) override;
  std::int64_t CountConfigChanges() override;

  void InsertAudit(const app::AuditRecord& record) override;
  void InsertAudits(const std::vector<app::AuditRecord>& records) override;
  std::vector<app::AuditRecord> ListAudit(const app::AuditQuery& query) override;
  std::int64_t CountAudit(const app::AuditQuery& query) override;

 private:
  Connection& conn_;
};

/// Orders and their lines on one transaction's connection.
class OrderRepository final : public app::OrderRepository {
 public:
  explicit OrderRepository(Connection& connection) : conn_(connection) {}
  app::Order Insert(const app::Order& order) override;
  app::Order InsertWithAudits(const app::Order& order,
                              const std::vector<app::AuditRecord>& audits) override;
  std::optional<app::Order> Find(const domain::OrderId& id) override;
  std::vector<app::Order> List(const app::OrderQuery& query) override;
  std::int64_t Count(const app::OrderQuery& query) override;
  bool UpdateStatus(const domain::OrderId& id, domain::OrderStatus from,
                    domain::OrderStatus to) override;
  bool UpdatePayment(const domain::OrderId& id, domain::PaymentStatus from,
                     domain::PaymentStatus to) override;
  void SetLoyaltyPointsAwarded(const domain::OrderId& id, std::int64_t points) override;
  std::int64_t QueuedWorkMinutes() override;
  std::vector<std::pair<domain::OrderStatus, std::int64_t>> CountByStatus() override;

 private:
  /// Fills the lines of `orders` with one query over all of them.
  void LoadLines(std::vector<app::Order>& orders);

  Connection& conn_;
};

/// Loyalty balances and the points ledger on one transaction's connection.
class LoyaltyRepository final : public app::LoyaltyRepository {
 public:
  explicit LoyaltyRepository(Connection& connection) : conn_(connection) {}
  app::LoyaltyAccount GetAccount(domain::UserId user) override;
  bool Award(domain::UserId user, const domain::OrderId& order_id, std::int64_t points) override;
  std::optional<std::int64_t> Reverse(domain::UserId user, const domain::OrderId& order_id,
                                      std::int64_t points) override;
  std::vector<app::LoyaltyTransaction> Transactions(domain::UserId user,
                                                    std::int64_t limit) override;

 private:
  Connection& conn_;
};

/// Stored first responses of Idempotency-Key requests on one transaction's connection.
class IdempotencyRepository final : public app::IdempotencyRepository {
 public:
  explicit IdempotencyRepository(Connection& connection) : conn_(connection) {}
  std::optional<app::IdempotentResponse> Find(domain::UserId user, std::string_view key,
                                              domain::Instant now) override;
  bool Insert(domain::UserId user, std::string_view key, const app::IdempotentResponse& response,
              domain::Instant now) override;
  std::int64_t DeleteExpired(domain::Instant now) override;

 private:
  Connection& conn_;
};

/// Reviews on one transaction's connection (aggregates and rollups follow through a trigger,
/// migration 0003).
class ReviewRepository final : public app::ReviewRepository {
 public:
  explicit ReviewRepository(Connection& connection) : conn_(connection) {}
  app::ReviewInsert Insert(domain::UserId user, domain::CoffeeId coffee, int rating,
                           const std::optional<std::string>& comment) override;
  std::optional<app::Review> Find(std::int64_t id) override;
  bool Update(std::int64_t id, int rating, const std::optional<std::string>& comment) override;
  bool SetHidden(std::int64_t id, bool hidden, const std::optional<std::string>& reason) override;
  bool Delete(std::int64_t id) override;
  std::vector<app::Review> ListVisible(domain::CoffeeId coffee, std::int64_t offset,
                                       std::int64_t limit, bool oldest_first) override;
  std::int64_t CountVisible(domain::CoffeeId coffee) override;

 private:
  Connection& conn_;
};

/// Analytics rollups, raw edge reads, the rollup rebuild and history bulk writes.
class AnalyticsRepository final : public app::AnalyticsRepository {
 public:
  explicit AnalyticsRepository(Connection& connection) : conn_(connection) {}
  app::SalesSums Sales(const app::Slice& slice, std::int64_t coffee_id) override;
  std::vector<app::CoffeeSales> SalesByCoffee(const app::Slice& slice) override;
  std::vector<app::RuleDiscount> RuleDiscounts(const app::Slice& slice) override;
  std::vector<app::PrepBin> PrepBins(const app::Slice& slice) override;
  std::vector<app::RatingCount> Ratings(const app::Slice& slice) override;
  std::vector<app::KeyedSales> SalesGrouped(const app::GroupedQuery& query) override;
  std::vector<app::KeyedRatings> RatingsGrouped(const app::GroupedQuery& query) override;
  app::LoyaltyTotals Loyalty() override;
  std::vector<std::pair<domain::CoffeeId, std::string>> CoffeeNames() override;
  std::vector<std::pair<domain::RuleId, std::string>> RuleDescriptions() override;
  std::vector<app::RecordedOrder> RecordedOrders(const app::RecordedOrderPage& page) override;
  app::RollupCounts RebuildRollups() override;
  void Analyze() override;
  std::vector<domain::UserId> InsertUsers(const std::vector<std::string>& emails,
                                          std::string_view password_hash) override;
  void InsertOrders(const std::vector<app::HistoricOrder>& orders) override;
  void InsertReviews(const std::vector<app::Review>& reviews) override;
  void SetLoyaltyAccounts(
      const std::vector<std::pair<domain::UserId, app::LoyaltyAccount>>& accounts) override;

 private:
  /// Plans the rest of this transaction's statements for their actual parameters (once).
  void UseCustomPlans();

  Connection& conn_;
  bool custom_plans_ = false;
};

/// Usage counters of limited rules on one transaction's connection.
class RuleUsageRepository final : public app::RuleUsageRepository {
 public:
  explicit RuleUsageRepository(Connection& connection) : conn_(connection) {}
  app::ClaimResult Claim(domain::RuleId rule, domain::UserId customer,
                         std::optional<std::int64_t> max_uses,
                         std::optional<std::int64_t> max_per_customer) override;
  void Unclaim(domain::RuleId rule, domain::UserId customer) override;
  void RecordOrderUses(const domain::OrderId& order, domain::UserId customer,
                       const std::vector<domain::RuleId>& rules) override;
  std::vector<domain::RuleId> ReleaseOrder(const domain::OrderId& order) override;
  std::vector<app::RuleUsage> Usage(const std::vector<domain::RuleId>& rules,
                                    std::optional<domain::UserId> customer) override;

 private:
  Connection& conn_;
};

}  // namespace coffee::storage::postgres
