#pragma once

#include "app/ports.hpp"
#include "storage/postgres/connection.hpp"

namespace coffee::storage::postgres {

/// Users on one transaction's connection.
class PgUserRepository final : public app::UserRepository {
 public:
  explicit PgUserRepository(Connection& connection) : conn_(connection) {}
  std::optional<domain::User> FindByEmail(std::string_view email) override;
  std::optional<domain::User> FindById(domain::UserId id) override;
  std::optional<domain::User> Create(std::string_view email, std::string_view password_hash,
                                     domain::Role role) override;
  std::vector<domain::User> List(std::int64_t offset, std::int64_t limit) override;
  std::int64_t Count() override;
  bool UpdateRole(domain::UserId id, domain::Role role) override;
  bool UpdatePasswordHash(domain::UserId id, std::string_view password_hash) override;

 private:
  Connection& conn_;
};

/// Refresh tokens on one transaction's connection.
class PgRefreshTokenRepository final : public app::RefreshTokenRepository {
 public:
  explicit PgRefreshTokenRepository(Connection& connection) : conn_(connection) {}
  void Insert(domain::UserId user_id, std::string_view family_id, std::string_view token_hash,
              domain::Instant expires_at) override;
  std::optional<app::RefreshToken> FindByHash(std::string_view token_hash) override;
  bool MarkUsed(std::int64_t id) override;
  void RevokeFamily(std::string_view family_id) override;

 private:
  Connection& conn_;
};

/// The coffee catalog on one transaction's connection.
class PgCoffeeRepository final : public app::CoffeeRepository {
 public:
  explicit PgCoffeeRepository(Connection& connection) : conn_(connection) {}
  std::vector<domain::Coffee> List(const app::CoffeeQuery& query) override;
  std::int64_t Count(const app::CoffeeQuery& query) override;
  std::optional<domain::Coffee> Find(domain::CoffeeId id) override;
  std::optional<domain::Coffee> FindByName(std::string_view name) override;
  std::optional<domain::Coffee> Create(const domain::NewCoffee& coffee) override;
  app::WriteResult Update(domain::CoffeeId id, const domain::CoffeePatch& patch) override;
  app::WriteResult Delete(domain::CoffeeId id) override;
  std::vector<domain::CoffeeId> ExistingIds(const std::vector<domain::CoffeeId>& ids) override;

 private:
  Connection& conn_;
};

/// Business-rule configuration, change log and audit log on one transaction's connection.
class PgRulesRepository final : public app::RulesRepository {
 public:
  explicit PgRulesRepository(Connection& connection) : conn_(connection) {}
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

  void InsertConfigChange(const app::ConfigChange& change) override;
  std::vector<app::ConfigChange> ListConfigChanges(std::int64_t offset,
                                                   std::int64_t limit) override;
  std::int64_t CountConfigChanges() override;

  void InsertAudit(const app::AuditRecord& record) override;
  std::vector<app::AuditRecord> ListAudit(const app::AuditQuery& query) override;
  std::int64_t CountAudit(const app::AuditQuery& query) override;

 private:
  Connection& conn_;
};

}  // namespace coffee::storage::postgres
