#pragma once

#include "app/ports.hpp"

namespace coffee::storage {

/// The repositories of one transaction, each built on the same connection. Both adapters use
/// it with their own connection and repository types, so a repository added to app::Tx is
/// added here once.
template <class Connection, class UsersRepo, class TokensRepo, class CoffeesRepo, class RulesRepo,
          class OrdersRepo, class LoyaltyRepo, class IdempotencyRepo, class ReviewsRepo,
          class AnalyticsRepo>
class RepositoryTx final : public app::Tx {
 public:
  explicit RepositoryTx(Connection& conn)
      : users_(conn),
        tokens_(conn),
        coffees_(conn),
        rules_(conn),
        orders_(conn),
        loyalty_(conn),
        idempotency_(conn),
        reviews_(conn),
        analytics_(conn) {}
  app::UserRepository& Users() override { return users_; }
  app::RefreshTokenRepository& RefreshTokens() override { return tokens_; }
  app::CoffeeRepository& Coffees() override { return coffees_; }
  app::RulesRepository& Rules() override { return rules_; }
  app::OrderRepository& Orders() override { return orders_; }
  app::LoyaltyRepository& Loyalty() override { return loyalty_; }
  app::IdempotencyRepository& Idempotency() override { return idempotency_; }
  app::ReviewRepository& Reviews() override { return reviews_; }
  app::AnalyticsRepository& Analytics() override { return analytics_; }

 private:
  UsersRepo users_;
  TokensRepo tokens_;
  CoffeesRepo coffees_;
  RulesRepo rules_;
  OrdersRepo orders_;
  LoyaltyRepo loyalty_;
  IdempotencyRepo idempotency_;
  ReviewsRepo reviews_;
  AnalyticsRepo analytics_;
};

}  // namespace coffee::storage
