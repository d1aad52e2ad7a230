#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "app/ports/store.hpp"

namespace coffee::storage {

/// One Tx::Announce call, sent when its transaction commits.
struct Announcement {
  std::string channel;
  std::string payload;
};

/// PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; both adapters enforce it.
inline constexpr std::size_t kMaxAnnouncementBytes = 7999;

/// Joins the payloads of several announcements on one channel into one NOTIFY (PostgreSQL
/// serializes every committing transaction that notifies, so a batch of orders sends one per
/// channel, not one per order); a payload therefore never contains it.
inline constexpr char kAnnouncementSeparator = '\n';

/// The repositories of one transaction, each built on the same connection. Both adapters use
/// it with their own connection and repository types, so a repository added to app::Tx is
/// added here once.
template <class Connection, class UsersRepo, class TokensRepo, class CoffeesRepo, class RulesRepo,
          class AuditRepo, class OrdersRepo, class LoyaltyRepo, class IdempotencyRepo,
          class ReviewsRepo, class AnalyticsRepo, class UsageRepo>
class RepositoryTx final : public app::Tx {
 public:
  explicit RepositoryTx(Connection& conn)
      : users_(conn),
        tokens_(conn),
        coffees_(conn),
        rules_(conn),
        audit_(conn),
        orders_(conn),
        loyalty_(conn),
        idempotency_(conn),
        reviews_(conn),
        analytics_(conn),
        usage_(conn) {}
  app::UserRepository& Users() override { return users_; }
  app::RefreshTokenRepository& RefreshTokens() override { return tokens_; }
  app::CoffeeRepository& Coffees() override { return coffees_; }
  app::RulesRepository& Rules() override { return rules_; }
  app::AuditLog& Audit() override { return audit_; }
  app::OrderRepository& Orders() override { return orders_; }
  app::LoyaltyRepository& Loyalty() override { return loyalty_; }
  app::IdempotencyRepository& Idempotency() override { return idempotency_; }
  app::ReviewRepository& Reviews() override { return reviews_; }
  app::AnalyticsRepository& Analytics() override { return analytics_; }
  app::RuleUsageRepository& Usage() override { return usage_; }

  void Announce(std::string_view channel, std::string payload) override {
    if (payload.find(kAnnouncementSeparator) != std::string::npos) {
      throw app::StorageError("announcement on " + std::string(channel) +
                              " contains a newline, which separates joined announcements");
    }
    if (payload.size() > kMaxAnnouncementBytes) {
      throw app::StorageError("announcement on " + std::string(channel) + " is " +
                              std::to_string(payload.size()) + " bytes; the limit is " +
                              std::to_string(kMaxAnnouncementBytes));
    }
    announcements_.push_back({std::string(channel), std::move(payload)});
  }
  /// What this transaction announced so far, in order.
  [[nodiscard]] const std::vector<Announcement>& announcements() const { return announcements_; }
  /// Forgets the announcements after the first `count` (their savepoint was rolled back).
  void KeepAnnouncements(std::size_t count) { announcements_.resize(count); }
  /// Hands the announcements over (after the commit) and forgets them.
  std::vector<Announcement> TakeAnnouncements() { return std::exchange(announcements_, {}); }

 private:
  UsersRepo users_;
  TokensRepo tokens_;
  CoffeesRepo coffees_;
  RulesRepo rules_;
  AuditRepo audit_;
  OrdersRepo orders_;
  LoyaltyRepo loyalty_;
  IdempotencyRepo idempotency_;
  ReviewsRepo reviews_;
  AnalyticsRepo analytics_;
  UsageRepo usage_;
  std::vector<Announcement> announcements_;
};

}  // namespace coffee::storage
