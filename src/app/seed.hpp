#pragma once

#include <string>
#include <vector>

#include "app/ports/auth.hpp"
#include "app/ports/store.hpp"

namespace coffee::app {

/// A demo account that `seed --demo` ensures exists.
struct DemoAccount {
  std::string email;
  std::string password;
  domain::Role role;
};

/// The demo accounts (SPEC §8). Never created in production.
const std::vector<DemoAccount>& DemoAccounts();

/// What one seed run created; all zero on a second run.
struct SeedReport {
  int coffees = 0;
  int availability = 0;
  int prep_times = 0;
  int pricing_rules = 0;
  int demo_users = 0;
};

/// Loads the 12-coffee catalog, availability, prep times and the two default pricing rules
/// (SPEC §8) and, with `demo`, the demo accounts; one transaction, idempotent.
SeedReport Seed(Store& store, PasswordHasher& hasher, const Clock& clock, bool demo);

/// The same catalog, availability, prep times and default rules as Seed() (never demo
/// accounts) as one idempotent PostgreSQL transaction for psql: the repository's seed_data.sql.
std::string SeedSql();

}  // namespace coffee::app
