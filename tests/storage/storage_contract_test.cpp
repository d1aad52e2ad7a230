// The storage contract: every adapter of app/ports.hpp must pass these tests, unchanged.
// Rows edited behind the adapter's back use SQL that is valid on SQLite and PostgreSQL.

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "app/coffee_service.hpp"
#include "app/ports/store.hpp"
#include "storage/database.hpp"
#include "test_database.hpp"

namespace coffee {
namespace {

using app::CoffeeQuery;
using app::CoffeeSort;
using app::Tx;
using app::WriteResult;
using domain::CoffeeId;
using domain::Money;
using testing::AllBackends;
using testing::TestDatabase;

/// A well-formed order id (the tests only write ones that parse).
domain::OrderId Oid(std::string_view text) { return domain::OrderId::Parse(text).value(); }

const domain::OrderId kOrderId = Oid("6f1d1c2e-3b4a-4c5d-8e9f-0a1b2c3d4e5f");
const domain::OrderId kOtherOrderId = Oid("0c9a8b7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d");

domain::Instant At(std::int64_t micros_since_epoch) {
  return domain::Instant{std::chrono::microseconds{micros_since_epoch}};
}

/// JSON text without whitespace, so `{"a": 1}` (jsonb output) equals `{"a":1}`.
std::string Compact(std::string_view json) {
  std::string out;
  bool in_string = false;
  for (std::size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < json.size()) {
        out += json[++i];
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
      out += c;
    } else if (c != ' ' && c != '\n' && c != '\t') {
      out += c;
    }
  }
  return out;
}

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

std::vector<std::string> Names(const std::vector<domain::Coffee>& coffees) {
  std::vector<std::string> names;
  names.reserve(coffees.size());
  for (const auto& c : coffees) names.push_back(c.name);
  return names;
}

/// `text` with ASCII letters lowered (what both backends' lower() does to ASCII).
std::string AsciiLower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

/// What a CoffeeQuery's filters select, written out: the reference the statements must match.
bool MatchesFilters(const domain::Coffee& coffee, const CoffeeQuery& q) {
  if (q.search && AsciiLower(coffee.name).find(AsciiLower(*q.search)) == std::string::npos) {
    return false;
  }
  if (q.type_filter && AsciiLower(coffee.coffee_type) != AsciiLower(*q.type_filter)) return false;
  if (q.min_price && coffee.price.cents() < q.min_price->cents()) return false;
  return !(q.max_price && coffee.price.cents() > q.max_price->cents());
}

domain::PricingRule TimeRule() {
  domain::PricingRule r;
  r.rule_type = domain::RuleType::kTimeBased;
  r.description = "Happy hour";
  r.discount_type = domain::DiscountType::kPercentage;
  r.discount_value = domain::Fixed2{1500};
  r.priority = 90;
  r.is_active = true;
  r.valid_from = At(1'767'225'600'123'456);  // 2026-01-01T00:00:00.123456Z
  r.valid_until = At(1'798'761'600'000'000);
  r.time_ranges = {{domain::TimeOfDay{14 * 60}, domain::TimeOfDay{16 * 60}},
                   {domain::TimeOfDay{23 * 60}, domain::TimeOfDay{60}}};
  r.days_of_week = {1, 2, 3, 4, 5};
  return r;
}

domain::PricingRule QuantityRule() {
  domain::PricingRule r;
  r.rule_type = domain::RuleType::kQuantityBased;
  r.description = "Three or more";
  r.discount_type = domain::DiscountType::kFixedAmount;
  r.discount_value = domain::Fixed2{250};
  r.priority = 100;
  r.valid_from = At(1'767'225'600'000'000);
  r.min_quantity = 3;
  return r;
}

void ExpectSameRule(const domain::PricingRule& actual, const domain::PricingRule& expected) {
  EXPECT_EQ(actual.rule_type, expected.rule_type);
  EXPECT_EQ(actual.description, expected.description);
  EXPECT_EQ(actual.discount_type, expected.discount_type);
  EXPECT_EQ(actual.discount_value, expected.discount_value);
  EXPECT_EQ(actual.priority, expected.priority);
  EXPECT_EQ(actual.is_active, expected.is_active);
  EXPECT_EQ(actual.valid_from, expected.valid_from);
  EXPECT_EQ(actual.valid_until, expected.valid_until);
  EXPECT_EQ(actual.coffee_ids, expected.coffee_ids);
  EXPECT_EQ(actual.time_ranges, expected.time_ranges);
  EXPECT_EQ(actual.days_of_week, expected.days_of_week);
  EXPECT_EQ(actual.min_quantity, expected.min_quantity);
}

/// A valid lower-case UUID that differs by `n`.
domain::OrderId OrderUuid(int n) {
  std::array<char, 37> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "00000000-0000-4000-8000-%012d", n);
  return Oid(buffer.data());
}

/// 2026-01-01T10:00:00Z plus `minutes`.
domain::Instant OrderTime(int minutes) {
  return At(1'767'261'600'000'000 + std::int64_t{minutes} * 60'000'000);
}

/// An order of `lines` (coffee, quantity, unit price in cents) with exact totals and no rules.
app::Order MakeOrder(const domain::OrderId& id, domain::UserId user,
                     const std::vector<std::tuple<domain::Coffee, int, std::int64_t>>& lines,
                     domain::Instant created_at,
                     domain::OrderStatus status = domain::OrderStatus::kPending) {
  app::Order o;
  o.id = id;
  o.user_id = user;
  o.status = status;
  o.pricing_strategy = domain::CombinationStrategy::kAdditive;
  o.pricing_combination = "additive";
  o.created_at = created_at;
  o.updated_at = created_at;
  o.estimated_ready_at = created_at + std::chrono::minutes(5);
  o.prep_work_minutes = 3;
  o.estimated_prep_minutes = 5;
  for (const auto& [coffee, quantity, cents] : lines) {
    app::OrderLine line;
    line.coffee_id = coffee.id;
    line.coffee_name = coffee.name;
    line.quantity = quantity;
    line.price_snapshot = Money::FromCents(cents);
    line.subtotal = Money::FromCents(cents * quantity);
    line.final_amount = line.subtotal;
    o.base_price += line.subtotal;
    o.items.push_back(line);
  }
  o.total_price = o.base_price;
  return o;
}

std::vector<domain::OrderId> Ids(const std::vector<app::Order>& orders) {
  std::vector<domain::OrderId> ids;
  ids.reserve(orders.size());
  for (const auto& o : orders) ids.push_back(o.id);
  return ids;
}

void ExpectSameLine(const app::OrderLine& actual, const app::OrderLine& expected) {
  EXPECT_EQ(actual.coffee_id, expected.coffee_id);
  EXPECT_EQ(actual.coffee_name, expected.coffee_name);
  EXPECT_EQ(actual.quantity, expected.quantity);
  EXPECT_EQ(actual.price_snapshot, expected.price_snapshot);
  EXPECT_EQ(actual.subtotal, expected.subtotal);
  EXPECT_EQ(actual.discount, expected.discount);
  EXPECT_EQ(actual.final_amount, expected.final_amount);
}

void ExpectSameOrder(const app::Order& actual, const app::Order& expected) {
  EXPECT_EQ(actual.id, expected.id);
  EXPECT_EQ(actual.user_id, expected.user_id);
  EXPECT_EQ(actual.status, expected.status);
  EXPECT_EQ(actual.payment_status, expected.payment_status);
  EXPECT_EQ(actual.base_price, expected.base_price);
  EXPECT_EQ(actual.discount_total, expected.discount_total);
  EXPECT_EQ(actual.total_price, expected.total_price);
  EXPECT_EQ(actual.pricing_strategy, expected.pricing_strategy);
  EXPECT_EQ(actual.pricing_combination, expected.pricing_combination);
  ASSERT_EQ(actual.applied_rules.size(), expected.applied_rules.size());
  for (std::size_t i = 0; i < actual.applied_rules.size(); ++i) {
    EXPECT_EQ(actual.applied_rules[i].rule_id, expected.applied_rules[i].rule_id);
    EXPECT_EQ(actual.applied_rules[i].description, expected.applied_rules[i].description);
    EXPECT_EQ(actual.applied_rules[i].discount, expected.applied_rules[i].discount);
  }
  EXPECT_EQ(actual.prep_work_minutes, expected.prep_work_minutes);
  EXPECT_EQ(actual.estimated_prep_minutes, expected.estimated_prep_minutes);
  EXPECT_EQ(actual.estimated_ready_at, expected.estimated_ready_at);
  EXPECT_EQ(actual.loyalty_points_awarded, expected.loyalty_points_awarded);
  EXPECT_EQ(actual.created_at, expected.created_at);
  EXPECT_EQ(actual.updated_at, expected.updated_at);
  ASSERT_EQ(actual.items.size(), expected.items.size());
  for (std::size_t i = 0; i < actual.items.size(); ++i) {
    ExpectSameLine(actual.items[i], expected.items[i]);
  }
}

class StorageContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    test_db_ = std::make_unique<TestDatabase>(GetParam());
    db_ = storage::Open({test_db_->url(), 4});
    ASSERT_GT(db_->Migrate(), 0);
  }

  /// Runs fn in a committed write transaction and returns its result.
  template <typename Fn>
  auto Write(Fn&& fn) {
    using Result = std::invoke_result_t<Fn&, Tx&>;
    if constexpr (std::is_void_v<Result>) {
      db_->Write([&](Tx& tx) {
        fn(tx);
        return true;
      });
    } else {
      std::optional<Result> out;
      db_->Write([&](Tx& tx) {
        out.emplace(fn(tx));
        return true;
      });
      return std::move(*out);
    }
  }

  /// Runs fn in a read transaction and returns its result.
  template <typename Fn>
  auto Read(Fn&& fn) {
    using Result = std::invoke_result_t<Fn&, Tx&>;
    std::optional<Result> out;
    db_->Read([&](Tx& tx) { out.emplace(fn(tx)); });
    return std::move(*out);
  }

  domain::User AddUser(const std::string& email, domain::Role role = domain::Role::kUser) {
    auto user = Write([&](Tx& tx) { return tx.Users().Create(email, "hash:" + email, role); });
    EXPECT_TRUE(user.has_value()) << email;
    return user.value_or(domain::User{});
  }

  domain::Coffee AddCoffee(const std::string& name, std::int64_t cents, double rating = 4.5,
                           const std::string& type = "Single Shot") {
    auto coffee = Write([&](Tx& tx) {
      return tx.Coffees().Create(
          {name, type, Money::FromCents(cents), rating, "https://img.example/" + name});
    });
    EXPECT_TRUE(coffee.has_value()) << name;
    return coffee.value_or(domain::Coffee{});
  }

  /// Inserts an order with one line of `coffee`, directly in SQL.
  void InsertOrderWith(const domain::OrderId& order_id, domain::UserId user, CoffeeId coffee) {
    const std::string& id = order_id.str();
    test_db_->Exec(
        "INSERT INTO orders (id, user_id, base_price_cents, discount_total_cents, "
        "total_price_cents, pricing_strategy, prep_work_minutes, estimated_prep_minutes, "
        "estimated_ready_at, created_at, updated_at) VALUES ('" +
        id + "', " + std::to_string(user.value) +
        ", 350, 0, 350, 'additive', 2, 2, '2026-01-01T10:02:00.000000Z', "
        "'2026-01-01T10:00:00.000000Z', '2026-01-01T10:00:00.000000Z')");
    test_db_->Exec(
        "INSERT INTO order_items (order_id, coffee_id, coffee_name, quantity, "
        "price_snapshot_cents, subtotal_cents, discount_cents, final_cents) VALUES ('" +
        id + "', " + std::to_string(coffee.value) + ", 'x', 1, 350, 350, 0, 350)");
  }

  /// Inserts `order` through the port in its own transaction.
  app::Order PlaceOrder(const app::Order& order) {
    return Write([&](Tx& tx) { return tx.Orders().Insert(order); });
  }

  std::optional<app::Order> FindOrder(const domain::OrderId& id) {
    return Read([&](Tx& tx) { return tx.Orders().Find(id); });
  }

  /// Runs `attempt` in `threads` concurrent write transactions; returns how many returned true.
  template <typename Fn>
  int ConcurrentWins(int threads, Fn attempt) {
    std::atomic<int> wins{0};
    std::atomic<int> errors{0};
    std::atomic<int> ready{0};
    std::vector<std::thread> workers;
    workers.reserve(static_cast<std::size_t>(threads));
    for (int i = 0; i < threads; ++i) {
      workers.emplace_back([&] {
        ready.fetch_add(1);
        while (ready.load() < threads) std::this_thread::yield();
        try {
          db_->Write([&](Tx& tx) {
            if (attempt(tx)) wins.fetch_add(1);
            return true;
          });
        } catch (const std::exception&) {
          errors.fetch_add(1);
        }
      });
    }
    for (auto& w : workers) w.join();
    EXPECT_EQ(errors.load(), 0);
    return wins.load();
  }

  /// Undoes migration `version` as if it had never run (its objects dropped by the backend's
  /// script, its row gone), so that a test can write rows first and then run it.
  void UnapplyMigration(int version, const std::string& sqlite_drop,
                        const std::string& postgres_drop) {
    test_db_->Exec(GetParam() == "sqlite" ? sqlite_drop : postgres_drop);
    test_db_->Exec("DELETE FROM schema_migrations WHERE version = " + std::to_string(version));
  }

  std::int64_t CountCoffees() {
    return Read([](Tx& tx) { return tx.Coffees().Count(CoffeeQuery{}); });
  }

  /// 23 coffees whose names sort in an order unrelated to their ids, tied with each other on
  /// price and on rating, of two types.
  void AddTiedCoffees() {
    const std::array<std::int64_t, 3> prices = {350, 450, 500};
    const std::array<double, 2> ratings = {4.5, 4.8};
    for (int i = 0; i < 23; ++i) {
      const int n = (i * 5) % 23;
      AddCoffee(
          std::string("Blend ") + static_cast<char>('a' + n / 10) + static_cast<char>('a' + n % 10),
          prices.at(static_cast<std::size_t>(i % 3)), ratings.at(static_cast<std::size_t>(i % 2)),
          i % 4 == 0 ? "Milk" : "Black");
    }
  }

  std::unique_ptr<TestDatabase> test_db_;
  std::unique_ptr<storage::Database> db_;
};

TEST_P(StorageContract, SecondMigrateAppliesNothing) {
  EXPECT_EQ(db_->Migrate(), 0);
  EXPECT_EQ(db_->Migrate(), 0);
}

TEST_P(StorageContract, MigrationInfoListsEveryEmbeddedMigrationAsApplied) {
  const auto embedded = storage::EmbeddedMigrations(db_->Backend());
  const auto info = db_->MigrationInfo();
  ASSERT_EQ(info.size(), embedded.size());
  for (std::size_t i = 0; i < info.size(); ++i) {
    EXPECT_EQ(info[i].version, embedded[i].version);
    EXPECT_EQ(info[i].name, embedded[i].name);
    EXPECT_EQ(info[i].checksum, storage::MigrationChecksum(embedded[i].sql));
    EXPECT_TRUE(info[i].applied);
    ASSERT_TRUE(info[i].applied_at.has_value());
    EXPECT_TRUE(domain::ParseTimestamp(*info[i].applied_at).has_value()) << *info[i].applied_at;
    EXPECT_FALSE(info[i].checksum_mismatch);
  }
}

TEST_P(StorageContract, MigrationInfoOnFreshDatabaseShowsPending) {
  TestDatabase fresh(GetParam());
  auto db = storage::Open({fresh.url(), 2});
  const auto info = db->MigrationInfo();
  ASSERT_FALSE(info.empty());
  for (const auto& m : info) {
    EXPECT_FALSE(m.applied);
    EXPECT_FALSE(m.applied_at.has_value());
  }
  EXPECT_EQ(db->Migrate(), static_cast<int>(info.size()));
}

TEST_P(StorageContract, ChangedMigrationIsDetectedByChecksum) {
  test_db_->Exec("UPDATE schema_migrations SET checksum = 'tampered' WHERE version = 1");
  try {
    db_->Migrate();
    FAIL() << "Migrate accepted a changed migration";
  } catch (const storage::MigrationError& e) {
    EXPECT_TRUE(Contains(e.what(), "migration 1")) << e.what();
    EXPECT_TRUE(Contains(e.what(), "changed")) << e.what();
  }
  const auto info = db_->MigrationInfo();
  ASSERT_FALSE(info.empty());
  EXPECT_TRUE(info[0].checksum_mismatch);
}

TEST_P(StorageContract, CreatedUserIsFoundByEmailIgnoringCase) {
  const auto created = AddUser("Alice@Example.com", domain::Role::kStaff);
  EXPECT_GT(created.id.value, 0);
  EXPECT_EQ(created.email, "Alice@Example.com");
  EXPECT_EQ(created.role, domain::Role::kStaff);
  EXPECT_EQ(created.password_hash, "hash:Alice@Example.com");

  const auto found = Read([](Tx& tx) { return tx.Users().FindByEmail("alice@EXAMPLE.COM"); });
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, created.id);
  EXPECT_EQ(found->email, "Alice@Example.com");
  EXPECT_EQ(found->role, domain::Role::kStaff);
  EXPECT_EQ(found->created_at, created.created_at);

  const auto by_id = Read([&](Tx& tx) { return tx.Users().FindById(created.id); });
  ASSERT_TRUE(by_id.has_value());
  EXPECT_EQ(by_id->email, "Alice@Example.com");
}

TEST_P(StorageContract, UnknownUserIsNotFound) {
  AddUser("bob@example.com");
  EXPECT_FALSE(Read([](Tx& tx) { return tx.Users().FindByEmail("nobody@example.com"); }));
  EXPECT_FALSE(Read([](Tx& tx) { return tx.Users().FindById(domain::UserId{999}); }));
}

TEST_P(StorageContract, DuplicateEmailReturnsNullopt) {
  AddUser("carol@example.com");
  const auto again = Write(
      [](Tx& tx) { return tx.Users().Create("carol@example.com", "other", domain::Role::kUser); });
  EXPECT_FALSE(again.has_value());
}

TEST_P(StorageContract, DuplicateEmailDiffersOnlyInCase) {
  AddUser("dave@example.com");
  const auto result = Write([](Tx& tx) {
    auto duplicate = tx.Users().Create("DAVE@Example.COM", "other", domain::Role::kUser);
    // The transaction must still be usable after the conflict.
    auto other = tx.Users().Create("erin@example.com", "h", domain::Role::kUser);
    return std::pair{duplicate.has_value(), other.has_value()};
  });
  EXPECT_FALSE(result.first);
  EXPECT_TRUE(result.second);
  EXPECT_EQ(Read([](Tx& tx) { return tx.Users().Count(); }), 2);
  EXPECT_TRUE(Read([](Tx& tx) { return tx.Users().FindByEmail("erin@example.com"); }));
}

TEST_P(StorageContract, UsersAreListedByIdWithPaginationAndCounted) {
  const auto a = AddUser("a@example.com");
  const auto b = AddUser("b@example.com");
  const auto c = AddUser("c@example.com");
  const auto all = Read([](Tx& tx) { return tx.Users().List(0, 10); });
  ASSERT_EQ(all.size(), 3U);
  EXPECT_EQ(all[0].id, a.id);
  EXPECT_EQ(all[1].id, b.id);
  EXPECT_EQ(all[2].id, c.id);
  const auto page = Read([](Tx& tx) { return tx.Users().List(1, 1); });
  ASSERT_EQ(page.size(), 1U);
  EXPECT_EQ(page[0].id, b.id);
  EXPECT_EQ(Read([](Tx& tx) { return tx.Users().Count(); }), 3);
}

TEST_P(StorageContract, UpdateRoleChangesRoleAndReportsMissingUser) {
  const auto user = AddUser("frank@example.com");
  EXPECT_TRUE(Write([&](Tx& tx) { return tx.Users().UpdateRole(user.id, domain::Role::kAdmin); }));
  EXPECT_EQ(Read([&](Tx& tx) { return tx.Users().FindById(user.id); })->role, domain::Role::kAdmin);
  EXPECT_FALSE(Write(
      [](Tx& tx) { return tx.Users().UpdateRole(domain::UserId{999}, domain::Role::kAdmin); }));
}

TEST_P(StorageContract, UpdatePasswordHashReplacesHash) {
  const auto user = AddUser("gina@example.com");
  EXPECT_TRUE(Write([&](Tx& tx) { return tx.Users().UpdatePasswordHash(user.id, "new-hash"); }));
  EXPECT_EQ(Read([&](Tx& tx) { return tx.Users().FindById(user.id); })->password_hash, "new-hash");
  EXPECT_FALSE(
      Write([](Tx& tx) { return tx.Users().UpdatePasswordHash(domain::UserId{999}, "x"); }));
}

TEST_P(StorageContract, TokenVersionStartsAtZeroAndEachBumpRaisesItByOne) {
  const auto a = AddUser("tv-a@example.com");
  const auto b = AddUser("tv-b@example.com");
  EXPECT_EQ(Read([&](Tx& tx) { return tx.Users().TokenVersion(a.id); }), 0);
  EXPECT_TRUE(Read([](Tx& tx) { return tx.Users().TokenVersions(); }).empty());
  EXPECT_EQ(Write([&](Tx& tx) { return tx.Users().BumpTokenVersion(a.id); }), 1);
  EXPECT_EQ(Write([&](Tx& tx) { return tx.Users().BumpTokenVersion(a.id); }), 2);
  EXPECT_EQ(Write([&](Tx& tx) { return tx.Users().BumpTokenVersion(b.id); }), 1);
  EXPECT_EQ(Write([](Tx& tx) { return tx.Users().BumpTokenVersion(domain::UserId{999999}); }), 0);
  EXPECT_EQ(Read([&](Tx& tx) { return tx.Users().TokenVersion(a.id); }), 2);
  EXPECT_EQ(Read([](Tx& tx) { return tx.Users().TokenVersion(domain::UserId{999999}); }), 0);
  const auto versions = Read([](Tx& tx) { return tx.Users().TokenVersions(); });
  EXPECT_EQ(versions, (std::vector<std::pair<domain::UserId, std::int64_t>>{{a.id, 2}, {b.id, 1}}));
}

TEST_P(StorageContract, RefreshTokenIsFoundByHash) {
  const auto user = AddUser("hal@example.com");
  const auto expires = At(1'798'761'600'654'321);
  Write([&](Tx& tx) { tx.RefreshTokens().Insert(user.id, "family-1", "abc123", expires); });
  const auto token = Read([](Tx& tx) { return tx.RefreshTokens().FindByHash("abc123"); });
  ASSERT_TRUE(token.has_value());
  EXPECT_GT(token->id, 0);
  EXPECT_EQ(token->user_id, user.id);
  EXPECT_EQ(token->family_id, "family-1");
  EXPECT_EQ(token->token_hash, "abc123");
  EXPECT_EQ(token->expires_at, expires);
  EXPECT_FALSE(token->used);
  EXPECT_FALSE(token->revoked);
  EXPECT_FALSE(Read([](Tx& tx) { return tx.RefreshTokens().FindByHash("unknown"); }));
}

TEST_P(StorageContract, MarkUsedSucceedsExactlyOnce) {
  const auto user = AddUser("ivy@example.com");
  Write(
      [&](Tx& tx) { tx.RefreshTokens().Insert(user.id, "fam", "h1", At(1'798'761'600'000'000)); });
  const auto id = Read([](Tx& tx) { return tx.RefreshTokens().FindByHash("h1")->id; });
  EXPECT_TRUE(Write([&](Tx& tx) { return tx.RefreshTokens().MarkUsed(id); }));
  EXPECT_FALSE(Write([&](Tx& tx) { return tx.RefreshTokens().MarkUsed(id); }));
  EXPECT_TRUE(Read([](Tx& tx) { return tx.RefreshTokens().FindByHash("h1")->used; }));
}

TEST_P(StorageContract, RevokeUserRevokesEveryFamilyOfThatUserOnly) {
  const auto user = AddUser("kim@example.com");
  const auto other = AddUser("lee@example.com");
  Write([&](Tx& tx) {
    tx.RefreshTokens().Insert(user.id, "f1", "u1", At(1'798'761'600'000'000));
    tx.RefreshTokens().Insert(user.id, "f2", "u2", At(1'798'761'600'000'000));
    tx.RefreshTokens().Insert(other.id, "f3", "o1", At(1'798'761'600'000'000));
  });
  Write([&](Tx& tx) { tx.RefreshTokens().RevokeUser(user.id); });
  EXPECT_TRUE(Read([](Tx& tx) { return tx.RefreshTokens().FindByHash("u1")->revoked; }));
  EXPECT_TRUE(Read([](Tx& tx) { return tx.RefreshTokens().FindByHash("u2")->revoked; }));
  EXPECT_FALSE(Read([](Tx& tx) { return tx.RefreshTokens().FindByHash("o1")->revoked; }));
}

TEST_P(StorageContract, RevokedFamilyCannotBeMarkedUsed) {
  const auto user = AddUser("jack@example.com");
  Write([&](Tx& tx) {
    tx.RefreshTokens().Insert(user.id, "stolen", "s1", At(1'798'761'600'000'000));
    tx.RefreshTokens().Insert(user.id, "stolen", "s2", At(1'798'761'600'000'000));
    tx.RefreshTokens().Insert(user.id, "safe", "k1", At(1'798'761'600'000'000));
  });
  Write([](Tx& tx) { tx.RefreshTokens().RevokeFamily("stolen"); });
  const auto s1 = Read([](Tx& tx) { return *tx.RefreshTokens().FindByHash("s1"); });
  const auto s2 = Read([](Tx& tx) { return *tx.RefreshTokens().FindByHash("s2"); });
  const auto k1 = Read([](Tx& tx) { return *tx.RefreshTokens().FindByHash("k1"); });
  EXPECT_TRUE(s1.revoked);
  EXPECT_TRUE(s2.revoked);
  EXPECT_FALSE(k1.revoked);
  EXPECT_FALSE(Write([&](Tx& tx) { return tx.RefreshTokens().MarkUsed(s1.id); }));
  EXPECT_TRUE(Write([&](Tx& tx) { return tx.RefreshTokens().MarkUsed(k1.id); }));
}

TEST_P(StorageContract, CreatedCoffeeIsFoundByIdAndByNameIgnoringCase) {
  const auto created = AddCoffee("Flat White", 425, 4.8, "With Steamed Milk");
  EXPECT_GT(created.id.value, 0);
  EXPECT_EQ(created.price, Money::FromCents(425));
  const auto found = Read([&](Tx& tx) { return tx.Coffees().Find(created.id); });
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->name, "Flat White");
  EXPECT_EQ(found->coffee_type, "With Steamed Milk");
  EXPECT_EQ(found->price, Money::FromCents(425));
  EXPECT_DOUBLE_EQ(found->rating, 4.8);
  EXPECT_EQ(found->image_url, "https://img.example/Flat White");
  const auto by_name = Read([](Tx& tx) { return tx.Coffees().FindByName("fLAT wHITE"); });
  ASSERT_TRUE(by_name.has_value());
  EXPECT_EQ(by_name->id, created.id);
  EXPECT_FALSE(Read([](Tx& tx) { return tx.Coffees().FindByName("Flat"); }));
  EXPECT_FALSE(Read([](Tx& tx) { return tx.Coffees().Find(CoffeeId{999}); }));
}

TEST_P(StorageContract, DuplicateCoffeeNameDiffersOnlyInCase) {
  AddCoffee("Mocha", 500);
  const auto result = Write([](Tx& tx) {
    auto duplicate = tx.Coffees().Create({"MOCHA", "x", Money::FromCents(100), 1, ""});
    auto other = tx.Coffees().Create({"Latte", "x", Money::FromCents(400), 1, ""});
    return std::pair{duplicate.has_value(), other.has_value()};
  });
  EXPECT_FALSE(result.first);
  EXPECT_TRUE(result.second);
  EXPECT_EQ(CountCoffees(), 2);
}

TEST_P(StorageContract, CoffeesWithoutSortAreOrderedById) {
  AddCoffee("Zeta", 300);
  AddCoffee("Alpha", 200);
  AddCoffee("Mid", 100);
  const auto list = Read([](Tx& tx) { return tx.Coffees().List(CoffeeQuery{}); });
  EXPECT_EQ(Names(list), (std::vector<std::string>{"Zeta", "Alpha", "Mid"}));
}

TEST_P(StorageContract, SearchIsCaseInsensitiveSubstringOfName) {
  AddCoffee("Iced Latte", 475);
  AddCoffee("Latte", 400);
  AddCoffee("Espresso", 350);
  CoffeeQuery q;
  q.search = "LAT";
  EXPECT_EQ(Names(Read([&](Tx& tx) { return tx.Coffees().List(q); })),
            (std::vector<std::string>{"Iced Latte", "Latte"}));
  EXPECT_EQ(Read([&](Tx& tx) { return tx.Coffees().Count(q); }), 2);
}

TEST_P(StorageContract, SearchTreatsPercentAndUnderscoreLiterally) {
  AddCoffee("100% Arabica", 500);
  AddCoffee("Cold_Brew", 450);
  AddCoffee("Coldxbrew", 450);
  AddCoffee("Plain", 300);
  CoffeeQuery percent;
  percent.search = "%";
  EXPECT_EQ(Names(Read([&](Tx& tx) { return tx.Coffees().List(percent); })),
            (std::vector<std::string>{"100% Arabica"}));
  CoffeeQuery underscore;
  underscore.search = "d_b";
  EXPECT_EQ(Names(Read([&](Tx& tx) { return tx.Coffees().List(underscore); })),
            (std::vector<std::string>{"Cold_Brew"}));
  CoffeeQuery backslash;
  backslash.search = "\\";
  EXPECT_TRUE(Read([&](Tx& tx) { return tx.Coffees().List(backslash); }).empty());
  EXPECT_EQ(Read([&](Tx& tx) { return tx.Coffees().Count(percent); }), 1);
}

TEST_P(StorageContract, TypeFilterIsCaseInsensitiveExactMatch) {
  AddCoffee("Latte", 400, 4.7, "With Milk");
  AddCoffee("Cortado", 350, 4.7, "Espresso with Milk");
  AddCoffee("Flat White", 425, 4.8, "WITH MILK");
  CoffeeQuery q;
  q.type_filter = "with milk";
  EXPECT_EQ(Names(Read([&](Tx& tx) { return tx.Coffees().List(q); })),
            (std::vector<std::string>{"Latte", "Flat White"}));
  EXPECT_EQ(Read([&](Tx& tx) { return tx.Coffees().Count(q); }), 2);
}

TEST_P(StorageContract, PriceRangeIsInclusive) {
  AddCoffee("A", 300);
  AddCoffee("B", 350);
  AddCoffee("C", 400);
  AddCoffee("D", 450);
  CoffeeQuery q;
  q.min_price = Money::FromCents(350);
  q.max_price = Money::FromCents(400);
  EXPECT_EQ(Names(Read([&](Tx& tx) { return tx.Coffees().List(q); })),
            (std::vector<std::string>{"B", "C"}));
  CoffeeQuery only_min;
  only_min.min_price = Money::FromCents(401);
  EXPECT_EQ(Names(Read([&](Tx& tx) { return tx.Coffees().List(only_min); })),
            (std::vector<std::string>{"D"}));
  CoffeeQuery only_max;
  only_max.max_price = Money::FromCents(300);
  EXPECT_EQ(Read([&](Tx& tx) { return tx.Coffees().Count(only_max); }), 1);
}

// Searches of 1 and 2 characters scan; 3 and more go through the trigram index (migration
// 0011): every length must select exactly the names a case-insensitive substring test does.
TEST_P(StorageContract, SearchOfEveryLengthMatchesExactlyTheNamesContainingIt) {
  const std::vector<std::string> names = {
      "Latte",     "Iced Latte", "Latte Macchiato",     "Caff\u00e8 Latte",     "100% Arabica",
      "Cold_Brew", "Coldxbrew",  "Back\\slash Brew",    "Say \"Cheese\" Mocha", "Flat White",
      "Mocha",     "Ab",         "Caf\u00e9 Cr\u00e8me"};
  for (const auto& name : names) AddCoffee(name, 400);
  const auto all = Read([](Tx& tx) {
    CoffeeQuery everything;
    everything.limit = 100;
    return tx.Coffees().List(everything);
  });
  ASSERT_EQ(all.size(), names.size());
  const std::vector<std::string> searches = {
      "l",    "LA",  "lat",        "ATTE",   "latte m",    "tte ",      "%",         "0% a",
      "% ar", "_",   "d_b",        "D_B",    "_bre",       "\\",        "k\\s",      "\\sl",
      "\"",   "\"c", "\"cheese\"", "\u00e8", "caff\u00e8", "\u00e9 cr", "CAF",       "ab",
      "ABC",  "xyz", "e L",        "a M",    "Mocha",      "cold_brew", "coldXbrew", "  "};
  for (const auto& search : searches) {
    CoffeeQuery q;
    q.search = search;
    q.limit = 100;
    std::vector<std::string> expected;
    for (const auto& coffee : all) {
      if (MatchesFilters(coffee, q)) expected.push_back(coffee.name);
    }
    EXPECT_EQ(Names(Read([&](Tx& tx) { return tx.Coffees().List(q); })), expected) << search;
    EXPECT_EQ(Read([&](Tx& tx) { return tx.Coffees().Count(q); }),
              static_cast<std::int64_t>(expected.size()))
        << search;
  }
}

TEST_P(StorageContract, SearchFollowsCreateRenameAndDelete) {
  const auto caramel = AddCoffee("Caramel Latte", 450);
  AddCoffee("Vanilla Latte", 450);
  const auto search = [this](const std::string& text) {
    CoffeeQuery q;
    q.search = text;
    const auto names = Names(Read([&](Tx& tx) { return tx.Coffees().List(q); }));
    EXPECT_EQ(Read([&](Tx& tx) { return tx.Coffees().Count(q); }),
              static_cast<std::int64_t>(names.size()))
        << text;
    return names;
  };
  // The search index of SQLite is checked against the coffees table after every change: an
  // entry left behind by a rename or delete would not change what the searches return (the
  // final instr() check drops it), but the index would no longer describe the table.
  const auto check_index = [this] {
    if (GetParam() == "sqlite") {
      test_db_->Exec(
          "INSERT INTO coffee_name_search (coffee_name_search, rank) "
          "VALUES ('integrity-check', 1)");
    }
  };
  EXPECT_EQ(search("caramel"), (std::vector<std::string>{"Caramel Latte"}));
  EXPECT_EQ(search("ARA"), (std::vector<std::string>{"Caramel Latte"}));
  check_index();

  domain::CoffeePatch rename;
  rename.name = "Hazelnut Mocha";
  ASSERT_EQ(Write([&](Tx& tx) { return tx.Coffees().Update(caramel.id, rename); }),
            WriteResult::kOk);
  EXPECT_TRUE(search("caramel").empty());
  EXPECT_EQ(search("nut mo"), (std::vector<std::string>{"Hazelnut Mocha"}));
  EXPECT_EQ(search("latte"), (std::vector<std::string>{"Vanilla Latte"}));
  check_index();

  domain::CoffeePatch reprice;
  reprice.price = Money::FromCents(475);
  ASSERT_EQ(Write([&](Tx& tx) { return tx.Coffees().Update(caramel.id, reprice); }),
            WriteResult::kOk);
  EXPECT_EQ(search("hazelnut"), (std::vector<std::string>{"Hazelnut Mocha"}));
  check_index();

  domain::CoffeePatch recase;
  recase.name = "HAZELNUT MOCHA";
  ASSERT_EQ(Write([&](Tx& tx) { return tx.Coffees().Update(caramel.id, recase); }),
            WriteResult::kOk);
  EXPECT_EQ(search("zelnut"), (std::vector<std::string>{"HAZELNUT MOCHA"}));
  check_index();

  ASSERT_EQ(Write([&](Tx& tx) { return tx.Coffees().Delete(caramel.id); }), WriteResult::kOk);
  EXPECT_TRUE(search("hazel").empty());
  EXPECT_TRUE(search("mocha").empty());
  check_index();

  AddCoffee("Caramel Latte", 500);
  EXPECT_EQ(search("caramel"), (std::vector<std::string>{"Caramel Latte"}));
  EXPECT_EQ(search("latte"), (std::vector<std::string>{"Vanilla Latte", "Caramel Latte"}));
  check_index();
}

// Migration 0011 indexes the coffees that exist when it runs: it is undone here, coffees are
// added without it, and it runs again.
TEST_P(StorageContract, NameSearchMigrationIndexesExistingCoffees) {
  UnapplyMigration(
      11,
      "DROP TRIGGER coffee_name_search_insert; DROP TRIGGER coffee_name_search_update; "
      "DROP TRIGGER coffee_name_search_delete; DROP TABLE coffee_name_search",
      "DROP EXTENSION pg_trgm CASCADE");
  AddCoffee("Caramel Latte", 450);
  AddCoffee("Flat White", 400);
  EXPECT_EQ(db_->Migrate(), 1);
  CoffeeQuery q;
  q.search = "AMEL LAT";
  EXPECT_EQ(Names(Read([&](Tx& tx) { return tx.Coffees().List(q); })),
            (std::vector<std::string>{"Caramel Latte"}));
  EXPECT_EQ(Read([&](Tx& tx) { return tx.Coffees().Count(q); }), 1);
  AddCoffee("Iced Caramel Latte", 500);
  EXPECT_EQ(Names(Read([&](Tx& tx) { return tx.Coffees().List(q); })),
            (std::vector<std::string>{"Caramel Latte", "Iced Caramel Latte"}));
}

// Every combination of filters has a statement of its own (only the filters given in its
// WHERE), under every sort: each must select and order what the unfiltered list does.
TEST_P(StorageContract, EveryFilterCombinationUnderEverySortSelectsWhatTheFiltersSay) {
  AddCoffee("Latte", 400, 4.7, "With Milk");
  AddCoffee("Iced Latte", 475, 4.8, "Cold");
  AddCoffee("Big Latte", 600, 4.1, "With Milk");
  AddCoffee("Espresso", 350, 4.7, "Black");
  AddCoffee("Oat Latte", 500, 3.9, "WITH MILK");
  AddCoffee("Lungo", 400, 4.1, "Black");
  AddCoffee("latte_art", 450, 5.0, "With Milk");
  AddCoffee("Flat White", 425, 4.8, "With Milk");
  const std::vector<std::optional<std::string>> searches = {std::nullopt, "l",     "LA",
                                                            "att",        "LATTE", "e_a"};
  const std::vector<std::optional<std::string>> types = {std::nullopt, "with milk"};
  const std::vector<std::optional<Money>> mins = {std::nullopt, Money::FromCents(425)};
  const std::vector<std::optional<Money>> maxes = {std::nullopt, Money::FromCents(500)};
  for (const auto sort :
       {CoffeeSort::kId, CoffeeSort::kPrice, CoffeeSort::kRating, CoffeeSort::kName}) {
    for (const bool descending : {false, true}) {
      CoffeeQuery unfiltered;
      unfiltered.sort = sort;
      unfiltered.descending = descending;
      unfiltered.limit = 100;
      const auto all = Read([&](Tx& tx) { return tx.Coffees().List(unfiltered); });
      ASSERT_EQ(all.size(), 8U);
      for (const auto& search : searches) {
        for (const auto& type : types) {
          for (const auto& min : mins) {
            for (const auto& max : maxes) {
              CoffeeQuery q = unfiltered;
              q.search = search;
              q.type_filter = type;
              q.min_price = min;
              q.max_price = max;
              std::vector<std::string> expected;
              for (const auto& coffee : all) {
                if (MatchesFilters(coffee, q)) expected.push_back(coffee.name);
              }
              const std::string what = "sort " + std::to_string(static_cast<int>(sort)) +
                                       (descending ? " desc" : " asc") + " search " +
                                       search.value_or("-") + " type " + type.value_or("-") +
                                       " min " + (min ? "425" : "-") + " max " +
                                       (max ? "500" : "-");
              EXPECT_EQ(Names(Read([&](Tx& tx) { return tx.Coffees().List(q); })), expected)
                  << what;
              EXPECT_EQ(Read([&](Tx& tx) { return tx.Coffees().Count(q); }),
                        static_cast<std::int64_t>(expected.size()))
                  << what;
              if (expected.size() > 2) {
                q.offset = 1;
                q.limit = 2;
                EXPECT_EQ(Names(Read([&](Tx& tx) { return tx.Coffees().List(q); })),
                          (std::vector<std::string>{expected[1], expected[2]}))
                    << what << " page";
              }
            }
          }
        }
      }
    }
  }
}

TEST_P(StorageContract, FiltersCombine) {
  AddCoffee("Latte", 400, 4.7, "With Milk");
  AddCoffee("Iced Latte", 475, 4.8, "Cold Latte");
  AddCoffee("Big Latte", 600, 4.1, "With Milk");
  CoffeeQuery q;
  q.search = "latte";
  q.type_filter = "With Milk";
  q.max_price = Money::FromCents(500);
  EXPECT_EQ(Names(Read([&](Tx& tx) { return tx.Coffees().List(q); })),
            (std::vector<std::string>{"Latte"}));
  EXPECT_EQ(Read([&](Tx& tx) { return tx.Coffees().Count(q); }), 1);
}

TEST_P(StorageContract, SortByPriceBreaksTiesByIdAscending) {
  AddCoffee("First", 400);
  AddCoffee("Cheap", 300);
  AddCoffee("Second", 400);
  AddCoffee("Dear", 500);
  CoffeeQuery asc;
  asc.sort = CoffeeSort::kPrice;
  EXPECT_EQ(Names(Read([&](Tx& tx) { return tx.Coffees().List(asc); })),
            (std::vector<std::string>{"Cheap", "First", "Second", "Dear"}));
  CoffeeQuery desc = asc;
  desc.descending = true;
  EXPECT_EQ(Names(Read([&](Tx& tx) { return tx.Coffees().List(desc); })),
            (std::vector<std::string>{"Dear", "First", "Second", "Cheap"}));
}

TEST_P(StorageContract, SortByRatingAscendingAndDescending) {
  AddCoffee("Good", 300, 4.5);
  AddCoffee("Best", 300, 5.0);
  AddCoffee("Okay", 300, 3.9);
  AddCoffee("AlsoGood", 300, 4.5);
  CoffeeQuery asc;
  asc.sort = CoffeeSort::kRating;
  EXPECT_EQ(Names(Read([&](Tx& tx) { return tx.Coffees().List(asc); })),
            (std::vector<std::string>{"Okay", "Good", "AlsoGood", "Best"}));
  CoffeeQuery desc = asc;
  desc.descending = true;
  EXPECT_EQ(Names(Read([&](Tx& tx) { return tx.Coffees().List(desc); })),
            (std::vector<std::string>{"Best", "Good", "AlsoGood", "Okay"}));
}

TEST_P(StorageContract, SortByNameAscendingAndDescending) {
  AddCoffee("mocha", 300);
  AddCoffee("Americano", 300);
  AddCoffee("Latte", 300);
  CoffeeQuery asc;
  asc.sort = CoffeeSort::kName;
  EXPECT_EQ(Names(Read([&](Tx& tx) { return tx.Coffees().List(asc); })),
            (std::vector<std::string>{"Americano", "Latte", "mocha"}));
  CoffeeQuery desc = asc;
  desc.descending = true;
  EXPECT_EQ(Names(Read([&](Tx& tx) { return tx.Coffees().List(desc); })),
            (std::vector<std::string>{"mocha", "Latte", "Americano"}));
}

TEST_P(StorageContract, PaginationAppliesOffsetAndLimitWhileCountIgnoresThem) {
  for (int i = 1; i <= 5; ++i) AddCoffee("Coffee " + std::to_string(i), std::int64_t{100} * i);
  CoffeeQuery q;
  q.offset = 1;
  q.limit = 2;
  EXPECT_EQ(Names(Read([&](Tx& tx) { return tx.Coffees().List(q); })),
            (std::vector<std::string>{"Coffee 2", "Coffee 3"}));
  q.offset = 4;
  EXPECT_EQ(Names(Read([&](Tx& tx) { return tx.Coffees().List(q); })),
            (std::vector<std::string>{"Coffee 5"}));
  q.offset = 10;
  EXPECT_TRUE(Read([&](Tx& tx) { return tx.Coffees().List(q); }).empty());
  EXPECT_EQ(Read([&](Tx& tx) { return tx.Coffees().Count(q); }), 5);
}

/// The catalog queries the paging tests walk: every sort and direction with each kind of filter.
std::vector<CoffeeQuery> TiedCoffeeQueries() {
  std::vector<CoffeeQuery> queries;
  for (const auto sort :
       {CoffeeSort::kId, CoffeeSort::kPrice, CoffeeSort::kRating, CoffeeSort::kName}) {
    for (const bool descending : {false, true}) {
      for (int filter = 0; filter < 5; ++filter) {
        CoffeeQuery q;
        q.sort = sort;
        q.descending = descending;
        if (filter == 1) q.type_filter = "milk";
        if (filter == 2) {
          q.min_price = Money::FromCents(400);
          q.max_price = Money::FromCents(500);
        }
        if (filter == 3) q.search = "b";        // too short for the trigram index: a scan
        if (filter == 4) q.search = "blend a";  // the trigram index
        queries.push_back(q);
      }
    }
  }
  return queries;
}

std::string Describe(const CoffeeQuery& q) {
  return "sort " + std::to_string(static_cast<int>(q.sort)) + (q.descending ? " desc" : " asc") +
         " type " + q.type_filter.value_or("-") + " search " + q.search.value_or("-") +
         (q.min_price ? " priced" : "") + " offset " + std::to_string(q.offset) + " limit " +
         std::to_string(q.limit);
}

// CoffeeService reads a page near the end of the list in the reversed order: that order must be
// the forward one backwards, ties on price and rating included, whatever the sort and filters.
TEST_P(StorageContract, ReversedCoffeeListIsTheForwardListBackwards) {
  AddTiedCoffees();
  for (CoffeeQuery q : TiedCoffeeQueries()) {
    q.limit = 100;
    const auto forward = Names(Read([&](Tx& tx) { return tx.Coffees().List(q); }));
    EXPECT_FALSE(forward.empty()) << Describe(q);
    q.reversed = true;
    auto backward = Names(Read([&](Tx& tx) { return tx.Coffees().List(q); }));
    std::reverse(backward.begin(), backward.end());
    EXPECT_EQ(backward, forward) << Describe(q);
    if (forward.size() < 6) continue;
    q.offset = 2;
    q.limit = 3;
    EXPECT_EQ(Names(Read([&](Tx& tx) { return tx.Coffees().List(q); })),
              (std::vector<std::string>{forward[forward.size() - 3], forward[forward.size() - 4],
                                        forward[forward.size() - 5]}))
        << Describe(q);
  }
}

// Through the service every page, near either end, past the middle, the last partial one and
// one past the end, is the slice of the whole list, with its total.
TEST_P(StorageContract, EveryCoffeeServicePageIsTheSliceOfTheWholeList) {
  AddTiedCoffees();
  app::CoffeeService service(*db_);
  for (CoffeeQuery q : TiedCoffeeQueries()) {
    q.limit = 100;
    const auto whole = service.List(q);
    ASSERT_TRUE(whole.ok());
    const auto all = Names(whole->coffees);
    EXPECT_EQ(whole->total, static_cast<std::int64_t>(all.size())) << Describe(q);
    for (const std::int64_t limit : {1, 3, 10, 100}) {
      const auto size = static_cast<std::int64_t>(all.size());
      for (std::int64_t offset = 0; offset <= size; offset += limit) {
        q.offset = offset;
        q.limit = limit;
        const auto page = service.List(q);
        ASSERT_TRUE(page.ok());
        EXPECT_EQ(page->total, size) << Describe(q);
        EXPECT_EQ(Names(page->coffees),
                  std::vector<std::string>(all.begin() + offset,
                                           all.begin() + std::min(size, offset + limit)))
            << Describe(q);
      }
    }
  }
}

TEST_P(StorageContract, UpdateCoffeeChangesOnlyGivenFields) {
  const auto coffee = AddCoffee("Cortado", 350, 4.7, "Espresso with Milk");
  domain::CoffeePatch patch;
  patch.price = Money::FromCents(375);
  patch.rating = 4.9;
  EXPECT_EQ(Write([&](Tx& tx) { return tx.Coffees().Update(coffee.id, patch); }), WriteResult::kOk);
  const auto updated = Read([&](Tx& tx) { return *tx.Coffees().Find(coffee.id); });
  EXPECT_EQ(updated.name, "Cortado");
  EXPECT_EQ(updated.coffee_type, "Espresso with Milk");
  EXPECT_EQ(updated.price, Money::FromCents(375));
  EXPECT_DOUBLE_EQ(updated.rating, 4.9);
  EXPECT_EQ(updated.image_url, coffee.image_url);

  domain::CoffeePatch rename;
  rename.name = "Cortado Doble";
  rename.coffee_type = "Double";
  rename.image_url = "https://img.example/doble";
  EXPECT_EQ(Write([&](Tx& tx) { return tx.Coffees().Update(coffee.id, rename); }),
            WriteResult::kOk);
  const auto renamed = Read([&](Tx& tx) { return *tx.Coffees().Find(coffee.id); });
  EXPECT_EQ(renamed.name, "Cortado Doble");
  EXPECT_EQ(renamed.coffee_type, "Double");
  EXPECT_EQ(renamed.image_url, "https://img.example/doble");
  EXPECT_EQ(renamed.price, Money::FromCents(375));
}

TEST_P(StorageContract, UpdateCoffeeToAnotherCoffeesNameConflicts) {
  AddCoffee("Latte", 400);
  const auto mocha = AddCoffee("Mocha", 500);
  domain::CoffeePatch patch;
  patch.name = "LATTE";
  patch.price = Money::FromCents(999);
  const auto result = Write([&](Tx& tx) {
    const auto r = tx.Coffees().Update(mocha.id, patch);
    // Still usable after the conflict.
    tx.Coffees().Create({"Macchiato", "x", Money::FromCents(375), 4.6, ""});
    return r;
  });
  EXPECT_EQ(result, WriteResult::kConflict);
  const auto unchanged = Read([&](Tx& tx) { return *tx.Coffees().Find(mocha.id); });
  EXPECT_EQ(unchanged.name, "Mocha");
  EXPECT_EQ(unchanged.price, Money::FromCents(500));
  EXPECT_EQ(CountCoffees(), 3);
}

TEST_P(StorageContract, UpdateCoffeeToItsOwnNameInOtherCaseIsAllowed) {
  const auto mocha = AddCoffee("Mocha", 500);
  domain::CoffeePatch patch;
  patch.name = "MOCHA";
  EXPECT_EQ(Write([&](Tx& tx) { return tx.Coffees().Update(mocha.id, patch); }), WriteResult::kOk);
  EXPECT_EQ(Read([&](Tx& tx) { return tx.Coffees().Find(mocha.id)->name; }), "MOCHA");
}

TEST_P(StorageContract, UpdateMissingCoffeeIsNotFound) {
  domain::CoffeePatch patch;
  patch.price = Money::FromCents(100);
  EXPECT_EQ(Write([&](Tx& tx) { return tx.Coffees().Update(CoffeeId{999}, patch); }),
            WriteResult::kNotFound);
}

TEST_P(StorageContract, DeleteCoffeeRemovesItOnceThenNotFound) {
  const auto coffee = AddCoffee("Affogato", 550);
  EXPECT_EQ(Write([&](Tx& tx) { return tx.Coffees().Delete(coffee.id); }), WriteResult::kOk);
  EXPECT_FALSE(Read([&](Tx& tx) { return tx.Coffees().Find(coffee.id); }));
  EXPECT_EQ(Write([&](Tx& tx) { return tx.Coffees().Delete(coffee.id); }), WriteResult::kNotFound);
}

TEST_P(StorageContract, DeleteCoffeeAlsoRemovesItsRuleRows) {
  const auto coffee = AddCoffee("Seasonal", 550);
  Write([&](Tx& tx) {
    domain::Availability a;
    a.coffee_id = coffee.id;
    a.status = domain::AvailabilityStatus::kOutOfStock;
    tx.Rules().UpsertAvailability(a);
    tx.Rules().UpsertPrepTime({coffee.id, 4, 2, {}});
  });
  EXPECT_EQ(Write([&](Tx& tx) { return tx.Coffees().Delete(coffee.id); }), WriteResult::kOk);
  EXPECT_FALSE(Read([&](Tx& tx) { return tx.Rules().FindAvailability(coffee.id); }));
  EXPECT_FALSE(Read([&](Tx& tx) { return tx.Rules().FindPrepTime(coffee.id); }));
}

TEST_P(StorageContract, DeleteCoffeeReferencedByOrderLinesConflicts) {
  const auto user = AddUser("kim@example.com");
  const auto ordered = AddCoffee("Espresso", 350);
  const auto spare = AddCoffee("Americano", 300);
  InsertOrderWith(kOrderId, user.id, ordered.id);
  const auto results = Write([&](Tx& tx) {
    const auto first = tx.Coffees().Delete(ordered.id);
    // Still usable after the refused delete.
    const auto second = tx.Coffees().Delete(spare.id);
    return std::pair{first, second};
  });
  EXPECT_EQ(results.first, WriteResult::kConflict);
  EXPECT_EQ(results.second, WriteResult::kOk);
  EXPECT_TRUE(Read([&](Tx& tx) { return tx.Coffees().Find(ordered.id); }));
  EXPECT_FALSE(Read([&](Tx& tx) { return tx.Coffees().Find(spare.id); }));
}

TEST_P(StorageContract, ExistingIdsReturnsTheSubsetThatExistsAscending) {
  const auto a = AddCoffee("A", 100);
  AddCoffee("B", 100);
  const auto c = AddCoffee("C", 100);
  const auto ids = Read([&](Tx& tx) {
    return tx.Coffees().ExistingIds({c.id, CoffeeId{999}, a.id, c.id});
  });
  EXPECT_EQ(ids, (std::vector<CoffeeId>{a.id, c.id}));
  EXPECT_TRUE(Read([](Tx& tx) { return tx.Coffees().ExistingIds({}); }).empty());
}

TEST_P(StorageContract, AvailabilityUpsertInsertsThenReplaces) {
  const auto coffee = AddCoffee("Cold Brew", 450);
  EXPECT_FALSE(Read([&](Tx& tx) { return tx.Rules().FindAvailability(coffee.id); }));

  domain::Availability seasonal;
  seasonal.coffee_id = coffee.id;
  seasonal.status = domain::AvailabilityStatus::kSeasonal;
  seasonal.reason = "Summer only";
  seasonal.available_from = domain::TimeOfDay{22 * 60};
  seasonal.available_until = domain::TimeOfDay{2 * 60 + 30};
  const auto before = std::chrono::system_clock::now() - std::chrono::seconds(5);
  const auto stored = Write([&](Tx& tx) { return tx.Rules().UpsertAvailability(seasonal); });
  EXPECT_GT(stored.updated_at, before);

  const auto found = Read([&](Tx& tx) { return tx.Rules().FindAvailability(coffee.id); });
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->status, domain::AvailabilityStatus::kSeasonal);
  EXPECT_EQ(found->reason, "Summer only");
  EXPECT_EQ(found->available_from, domain::TimeOfDay{22 * 60});
  EXPECT_EQ(found->available_until, domain::TimeOfDay{2 * 60 + 30});
  EXPECT_EQ(found->updated_at, stored.updated_at);

  domain::Availability out;
  out.coffee_id = coffee.id;
  out.status = domain::AvailabilityStatus::kOutOfStock;
  Write([&](Tx& tx) { return tx.Rules().UpsertAvailability(out); });
  const auto replaced = Read([&](Tx& tx) { return *tx.Rules().FindAvailability(coffee.id); });
  EXPECT_EQ(replaced.status, domain::AvailabilityStatus::kOutOfStock);
  EXPECT_FALSE(replaced.reason.has_value());
  EXPECT_FALSE(replaced.available_from.has_value());
  EXPECT_FALSE(replaced.available_until.has_value());
}

TEST_P(StorageContract, CreatedRuleRoundTripsEveryField) {
  const auto a = AddCoffee("A", 100);
  const auto b = AddCoffee("B", 100);
  auto rule = TimeRule();
  rule.coffee_ids = std::vector<CoffeeId>{a.id, b.id};
  rule.id = domain::RuleId{12345};
  const auto created = Write([&](Tx& tx) { return tx.Rules().CreateRule(rule); });
  EXPECT_GT(created.id.value, 0);
  EXPECT_NE(created.id.value, 12345);
  ExpectSameRule(created, rule);
  EXPECT_EQ(created.created_at, created.updated_at);

  const auto found = Read([&](Tx& tx) { return tx.Rules().FindRule(created.id); });
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, created.id);
  ExpectSameRule(*found, rule);
  EXPECT_EQ(found->created_at, created.created_at);
  EXPECT_EQ(found->updated_at, created.updated_at);

  const auto quantity = Write([](Tx& tx) { return tx.Rules().CreateRule(QuantityRule()); });
  const auto found_quantity = Read([&](Tx& tx) { return *tx.Rules().FindRule(quantity.id); });
  ExpectSameRule(found_quantity, QuantityRule());
  EXPECT_FALSE(found_quantity.coffee_ids.has_value());
  EXPECT_FALSE(found_quantity.valid_until.has_value());
  EXPECT_TRUE(found_quantity.time_ranges.empty());
  EXPECT_TRUE(found_quantity.days_of_week.empty());

  EXPECT_FALSE(Read([](Tx& tx) { return tx.Rules().FindRule(domain::RuleId{999}); }));
}

TEST_P(StorageContract, ListRulesHidesInactiveUnlessAsked) {
  const auto first = Write([](Tx& tx) { return tx.Rules().CreateRule(TimeRule()); });
  auto inactive_rule = QuantityRule();
  inactive_rule.is_active = false;
  const auto second = Write([&](Tx& tx) { return tx.Rules().CreateRule(inactive_rule); });
  const auto third = Write([](Tx& tx) { return tx.Rules().CreateRule(QuantityRule()); });

  const auto active = Read([](Tx& tx) { return tx.Rules().ListRules(false); });
  ASSERT_EQ(active.size(), 2U);
  EXPECT_EQ(active[0].id, first.id);
  EXPECT_EQ(active[1].id, third.id);

  const auto all = Read([](Tx& tx) { return tx.Rules().ListRules(true); });
  ASSERT_EQ(all.size(), 3U);
  EXPECT_EQ(all[0].id, first.id);
  EXPECT_EQ(all[1].id, second.id);
  EXPECT_FALSE(all[1].is_active);
  EXPECT_EQ(all[2].id, third.id);
}

TEST_P(StorageContract, ReplaceRuleKeepsIdAndCreatedAt) {
  const auto created = Write([](Tx& tx) { return tx.Rules().CreateRule(TimeRule()); });
  auto replacement = QuantityRule();
  replacement.id = created.id;
  replacement.description = "Replaced";
  replacement.coffee_ids = std::vector<CoffeeId>{};
  const auto replaced = Write([&](Tx& tx) { return tx.Rules().ReplaceRule(replacement); });
  ASSERT_TRUE(replaced.has_value());
  EXPECT_EQ(replaced->id, created.id);
  ExpectSameRule(*replaced, replacement);
  EXPECT_EQ(replaced->created_at, created.created_at);
  EXPECT_GE(replaced->updated_at, created.updated_at);

  const auto found = Read([&](Tx& tx) { return *tx.Rules().FindRule(created.id); });
  ExpectSameRule(found, replacement);

  auto missing = QuantityRule();
  missing.id = domain::RuleId{999};
  EXPECT_FALSE(Write([&](Tx& tx) { return tx.Rules().ReplaceRule(missing); }));
}

TEST_P(StorageContract, DeactivateRuleSetsInactive) {
  const auto created = Write([](Tx& tx) { return tx.Rules().CreateRule(TimeRule()); });
  EXPECT_TRUE(Write([&](Tx& tx) { return tx.Rules().DeactivateRule(created.id); }));
  EXPECT_FALSE(Read([&](Tx& tx) { return tx.Rules().FindRule(created.id)->is_active; }));
  EXPECT_TRUE(Read([](Tx& tx) { return tx.Rules().ListRules(false); }).empty());
  EXPECT_FALSE(Write([](Tx& tx) { return tx.Rules().DeactivateRule(domain::RuleId{999}); }));
}

TEST_P(StorageContract, PricingSettingsStartAtDefaultsAndCanBeReplaced) {
  const auto defaults = Read([](Tx& tx) { return tx.Rules().GetPricingSettings(); });
  EXPECT_EQ(defaults.combination_strategy, domain::CombinationStrategy::kBestPrice);
  EXPECT_EQ(defaults.max_discount_percent, domain::Fixed2{10000});

  domain::PricingSettings s;
  s.combination_strategy = domain::CombinationStrategy::kMultiplicative;
  s.max_discount_percent = domain::Fixed2{2550};
  const auto stored = Write([&](Tx& tx) { return tx.Rules().PutPricingSettings(s); });
  EXPECT_EQ(stored.combination_strategy, domain::CombinationStrategy::kMultiplicative);
  const auto read = Read([](Tx& tx) { return tx.Rules().GetPricingSettings(); });
  EXPECT_EQ(read.combination_strategy, domain::CombinationStrategy::kMultiplicative);
  EXPECT_EQ(read.max_discount_percent, domain::Fixed2{2550});
  EXPECT_EQ(read.updated_at, stored.updated_at);
}

TEST_P(StorageContract, PrepTimeUpsertInsertsThenReplaces) {
  const auto coffee = AddCoffee("Mocha", 500);
  EXPECT_FALSE(Read([&](Tx& tx) { return tx.Rules().FindPrepTime(coffee.id); }));
  Write([&](Tx& tx) { return tx.Rules().UpsertPrepTime({coffee.id, 5, 2, {}}); });
  auto found = Read([&](Tx& tx) { return tx.Rules().FindPrepTime(coffee.id); });
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->base_minutes, 5);
  EXPECT_EQ(found->per_additional_item, 2);
  const auto stored = Write([&](Tx& tx) {
    return tx.Rules().UpsertPrepTime({coffee.id, 7, 0, {}});
  });
  found = Read([&](Tx& tx) { return tx.Rules().FindPrepTime(coffee.id); });
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->base_minutes, 7);
  EXPECT_EQ(found->per_additional_item, 0);
  EXPECT_EQ(found->updated_at, stored.updated_at);
}

TEST_P(StorageContract, PrepTimeSettingsStartAtDefaultsAndCanBeReplaced) {
  const auto defaults = Read([](Tx& tx) { return tx.Rules().GetPrepTimeSettings(); });
  EXPECT_EQ(defaults.default_base_minutes, 3);
  EXPECT_EQ(defaults.default_per_additional_item, 1);
  EXPECT_EQ(defaults.baristas, 1);
  Write([](Tx& tx) { return tx.Rules().PutPrepTimeSettings({4, 2, 3, {}}); });
  const auto read = Read([](Tx& tx) { return tx.Rules().GetPrepTimeSettings(); });
  EXPECT_EQ(read.default_base_minutes, 4);
  EXPECT_EQ(read.default_per_additional_item, 2);
  EXPECT_EQ(read.baristas, 3);
}

// Both adapters encode JSON columns with one codec (storage/json_columns), so a value is
// stored as the same JSON on every backend: the same numbers, and decimals as the same strings
// ("1.25", never "1.2500"). PostgreSQL's jsonb normalizes spacing and key order, so the stored
// text is compared as a JSON value whose scalars must match exactly.
TEST_P(StorageContract, JsonColumnsStoreTheSameValueOnEveryBackend) {
  const auto stored_as = [this](const std::string& sql) {
    return boost::json::parse(test_db_->QueryValue(sql));
  };
  domain::LoyaltyConfig c;
  c.points_per_dollar = domain::Fixed4{15000};
  c.bonus_multipliers = {{CoffeeId{1}, domain::Fixed4{20000}},
                         {CoffeeId{5}, domain::Fixed4{12500}},
                         {CoffeeId{12}, domain::Fixed4{12345}}};
  Write([&](Tx& tx) { return tx.Rules().PutLoyaltyConfig(c); });
  EXPECT_EQ(stored_as("SELECT bonus_multipliers FROM loyalty_config"),
            boost::json::parse(R"({"1":"2.0","5":"1.25","12":"1.2345"})"));

  const auto a = AddCoffee("Alpha", 300);
  const auto b = AddCoffee("Beta", 400);
  auto rule = TimeRule();
  rule.coffee_ids = std::vector<CoffeeId>{b.id, a.id};
  const auto created = Write([&](Tx& tx) { return tx.Rules().CreateRule(rule); });
  const std::string where =
      " FROM pricing_rules WHERE rule_id = " + std::to_string(created.id.value);
  EXPECT_EQ(stored_as("SELECT coffee_ids" + where),
            boost::json::parse("[" + std::to_string(b.id.value) + "," + std::to_string(a.id.value) +
                               "]"));
  EXPECT_EQ(
      stored_as("SELECT time_ranges" + where),
      boost::json::parse(R"([{"start":"14:00","end":"16:00"},{"start":"23:00","end":"01:00"}])"));
  EXPECT_EQ(stored_as("SELECT days_of_week" + where), boost::json::parse("[1,2,3,4,5]"));
}

TEST_P(StorageContract, LoyaltyConfigRoundTripsMultipliers) {
  const auto defaults = Read([](Tx& tx) { return tx.Rules().GetLoyaltyConfig(); });
  EXPECT_EQ(defaults.points_per_dollar, domain::Fixed4{10000});
  EXPECT_TRUE(defaults.bonus_multipliers.empty());

  domain::LoyaltyConfig c;
  c.points_per_dollar = domain::Fixed4{15000};
  c.bonus_multipliers = {{CoffeeId{1}, domain::Fixed4{20000}},
                         {CoffeeId{5}, domain::Fixed4{15000}},
                         {CoffeeId{12}, domain::Fixed4{12345}}};
  const auto stored = Write([&](Tx& tx) { return tx.Rules().PutLoyaltyConfig(c); });
  const auto read = Read([](Tx& tx) { return tx.Rules().GetLoyaltyConfig(); });
  EXPECT_EQ(read.points_per_dollar, domain::Fixed4{15000});
  EXPECT_EQ(read.bonus_multipliers, c.bonus_multipliers);
  EXPECT_EQ(read.updated_at, stored.updated_at);

  c.bonus_multipliers.clear();
  Write([&](Tx& tx) { return tx.Rules().PutLoyaltyConfig(c); });
  EXPECT_TRUE(Read([](Tx& tx) { return tx.Rules().GetLoyaltyConfig(); }).bonus_multipliers.empty());
}

TEST_P(StorageContract, ConfigChangesAreListedNewestFirstAndCounted) {
  const auto admin = AddUser("admin@example.com", domain::Role::kAdmin);
  Write([&](Tx& tx) {
    tx.Audit().InsertConfigChange(
        {0, admin.id, "pricing_rule", "1", "create", std::nullopt, R"({"priority":100})", {}, {}});
  });
  Write([&](Tx& tx) {
    tx.Audit().InsertConfigChange({0,
                                   std::nullopt,
                                   "pricing_settings",
                                   "",
                                   "update",
                                   R"({"strategy":"best_price"})",
                                   R"({"strategy":"additive"})",
                                   {},
                                   {}});
  });
  Write([&](Tx& tx) {
    tx.Audit().InsertConfigChange(
        {0, admin.id, "availability", "3", "update", std::nullopt, std::nullopt, {}, {}});
  });
  EXPECT_EQ(Read([](Tx& tx) { return tx.Audit().CountConfigChanges(); }), 3);
  const auto all = Read([](Tx& tx) { return tx.Audit().ListConfigChanges(0, 10); });
  ASSERT_EQ(all.size(), 3U);
  EXPECT_EQ(all[0].entity, "availability");
  EXPECT_EQ(all[1].entity, "pricing_settings");
  EXPECT_EQ(all[2].entity, "pricing_rule");
  EXPECT_GE(all[0].created_at, all[1].created_at);
  EXPECT_GE(all[1].created_at, all[2].created_at);

  EXPECT_EQ(all[2].actor_id, admin.id);
  EXPECT_EQ(all[2].entity_id, "1");
  EXPECT_EQ(all[2].action, "create");
  EXPECT_FALSE(all[2].before_json.has_value());
  ASSERT_TRUE(all[2].after_json.has_value());
  EXPECT_EQ(Compact(*all[2].after_json), R"({"priority":100})");

  EXPECT_FALSE(all[1].actor_id.has_value());
  EXPECT_EQ(all[1].entity_id, "");
  ASSERT_TRUE(all[1].before_json.has_value());
  EXPECT_EQ(Compact(*all[1].before_json), R"({"strategy":"best_price"})");

  const auto page = Read([](Tx& tx) { return tx.Audit().ListConfigChanges(1, 1); });
  ASSERT_EQ(page.size(), 1U);
  EXPECT_EQ(page[0].entity, "pricing_settings");
}

TEST_P(StorageContract, AuditRecordsAreListedOldestFirstAndFiltered) {
  const auto user = AddUser("lee@example.com");
  const auto coffee = AddCoffee("Espresso", 350);
  InsertOrderWith(kOrderId, user.id, coffee.id);
  InsertOrderWith(kOtherOrderId, user.id, coffee.id);
  const domain::OrderId order = kOrderId;
  const domain::OrderId other = kOtherOrderId;
  Write([&](Tx& tx) {
    tx.Audit().InsertAudit(
        {0, order, "availability", std::nullopt, R"({"ok":true})", "allowed", {}});
    tx.Audit().InsertAudit({0, order, "pricing_rule", 7, R"({"discount":"1.05"})", "applied", {}});
    tx.Audit().InsertAudit({0, other, "pricing_rule", 8, R"({"discount":"0.50"})", "applied", {}});
    tx.Audit().InsertAudit({0, std::nullopt, "pricing_summary", std::nullopt, "{}", "quote", {}});
  });

  const auto all = Read([](Tx& tx) { return tx.Audit().ListAudit({}); });
  ASSERT_EQ(all.size(), 4U);
  EXPECT_LT(all[0].audit_id, all[1].audit_id);
  EXPECT_EQ(all[0].order_id, order);
  EXPECT_EQ(all[0].rule_type, "availability");
  EXPECT_FALSE(all[0].rule_id.has_value());
  EXPECT_EQ(Compact(all[0].rule_data_json), R"({"ok":true})");
  EXPECT_EQ(all[0].effect, "allowed");
  EXPECT_EQ(all[1].rule_id, 7);
  EXPECT_FALSE(all[3].order_id.has_value());
  EXPECT_EQ(Read([](Tx& tx) { return tx.Audit().CountAudit({}); }), 4);

  app::AuditQuery by_order;
  by_order.order_id = order;
  const auto mine = Read([&](Tx& tx) { return tx.Audit().ListAudit(by_order); });
  ASSERT_EQ(mine.size(), 2U);
  EXPECT_EQ(mine[0].rule_type, "availability");
  EXPECT_EQ(mine[1].rule_type, "pricing_rule");
  EXPECT_EQ(Read([&](Tx& tx) { return tx.Audit().CountAudit(by_order); }), 2);

  app::AuditQuery by_type;
  by_type.rule_type = "pricing_rule";
  EXPECT_EQ(Read([&](Tx& tx) { return tx.Audit().CountAudit(by_type); }), 2);
  const auto typed = Read([&](Tx& tx) { return tx.Audit().ListAudit(by_type); });
  ASSERT_EQ(typed.size(), 2U);
  EXPECT_EQ(typed[0].rule_id, 7);
  EXPECT_EQ(typed[1].rule_id, 8);
  by_type.order_id = other;
  const auto both = Read([&](Tx& tx) { return tx.Audit().ListAudit(by_type); });
  ASSERT_EQ(both.size(), 1U);
  EXPECT_EQ(both[0].rule_id, 8);
  EXPECT_EQ(Read([&](Tx& tx) { return tx.Audit().CountAudit(by_type); }), 1);
  by_type.rule_type = "availability";
  EXPECT_TRUE(Read([&](Tx& tx) { return tx.Audit().ListAudit(by_type); }).empty());
  EXPECT_EQ(Read([&](Tx& tx) { return tx.Audit().CountAudit(by_type); }), 0);

  // Paging within a filter: the offset and limit follow the filters' parameters.
  by_order.offset = 1;
  by_order.limit = 1;
  const auto mine_second = Read([&](Tx& tx) { return tx.Audit().ListAudit(by_order); });
  ASSERT_EQ(mine_second.size(), 1U);
  EXPECT_EQ(mine_second[0].rule_id, 7);

  app::AuditQuery page;
  page.offset = 1;
  page.limit = 2;
  const auto second_page = Read([&](Tx& tx) { return tx.Audit().ListAudit(page); });
  ASSERT_EQ(second_page.size(), 2U);
  EXPECT_EQ(second_page[0].audit_id, all[1].audit_id);
  EXPECT_EQ(second_page[1].audit_id, all[2].audit_id);
}

// RulesAdminService reads an audit page near the end of the log newest first: the log
// backwards, for every filter.
TEST_P(StorageContract, AuditNewestFirstIsTheLogBackwardsForEveryFilter) {
  const auto user = AddUser("lee@example.com");
  const auto coffee = AddCoffee("Espresso", 350);
  InsertOrderWith(kOrderId, user.id, coffee.id);
  Write([&](Tx& tx) {
    for (int i = 0; i < 23; ++i) {
      tx.Audit().InsertAudit({0,
                              i % 3 == 0 ? std::optional(kOrderId) : std::nullopt,
                              i % 2 == 0 ? "pricing_rule" : "availability",
                              i,
                              "{}",
                              "effect " + std::to_string(i),
                              {}});
    }
  });
  std::vector<app::AuditQuery> queries(4);
  queries[1].order_id = kOrderId;
  queries[2].rule_type = "availability";
  queries[3].order_id = kOrderId;
  queries[3].rule_type = "pricing_rule";
  for (app::AuditQuery q : queries) {
    q.limit = 100;
    auto ids = [&](const app::AuditQuery& query) {
      std::vector<std::int64_t> out;
      for (const auto& r : Read([&](Tx& tx) { return tx.Audit().ListAudit(query); })) {
        out.push_back(r.audit_id);
      }
      return out;
    };
    const auto oldest = ids(q);
    EXPECT_FALSE(oldest.empty());
    q.newest_first = true;
    auto newest = ids(q);
    std::reverse(newest.begin(), newest.end());
    EXPECT_EQ(newest, oldest);
    q.offset = 1;
    q.limit = 2;
    EXPECT_EQ(ids(q),
              (std::vector<std::int64_t>{oldest[oldest.size() - 2], oldest[oldest.size() - 3]}));
  }
}

/// What a change-feed listener heard, waited for from the test thread.
class Heard {
 public:
  app::ChangeFeed::Listener Listener() {
    return [this](const app::ChangeNotice& notice) {
      const std::lock_guard lock(mu_);
      if (!notice.missed) payloads_.push_back(notice.payload);
      cv_.notify_all();
    };
  }
  /// The payloads heard once `count` arrived, or what was heard after 5 s.
  std::vector<std::string> WaitFor(std::size_t count) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(5), [&] { return payloads_.size() >= count; });
    return payloads_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> payloads_;
};

TEST_P(StorageContract, AnnouncementsAreHeardOnlyWhenTheirTransactionCommits) {
  Heard heard;
  db_->Listen("coffee_test_feed", heard.Listener());
  Heard other_channel;
  db_->Listen("coffee_test_other", other_channel.Listener());

  Write([](Tx& tx) { tx.Announce("coffee_test_feed", "committed"); });
  db_->Write([](Tx& tx) {
    tx.Announce("coffee_test_feed", "rolled back");
    return false;
  });
  EXPECT_THROW(db_->Write([](Tx& tx) -> bool {
    tx.Announce("coffee_test_feed", "thrown");
    throw std::runtime_error("the write fails");
  }),
               std::runtime_error);
  // One transaction, two announcements, delivered in order; a rolled-back write in between
  // (same SQLite batch or not) loses only its own.
  Write([](Tx& tx) {
    tx.Announce("coffee_test_feed", "second");
    tx.Announce("coffee_test_other", "elsewhere");
    tx.Announce("coffee_test_feed", "third");
  });
  EXPECT_EQ(heard.WaitFor(3), (std::vector<std::string>{"committed", "second", "third"}));
  EXPECT_EQ(other_channel.WaitFor(1), std::vector<std::string>{"elsewhere"});

  db_->StopListening();
  Write([](Tx& tx) { tx.Announce("coffee_test_feed", "after stop"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(heard.WaitFor(3).size(), 3U) << "no listener is called after StopListening";
}

TEST_P(StorageContract, AnnouncementsAreRefusedInReadsAndBeyondThePayloadLimit) {
  EXPECT_THROW(db_->Read([](Tx& tx) { tx.Announce("coffee_test_feed", "in a read"); }),
               app::StorageError);
  EXPECT_THROW(Write([](Tx& tx) { tx.Announce("coffee_test_feed", std::string(8000, 'x')); }),
               app::StorageError);
  Heard heard;
  db_->Listen("coffee_test_feed", heard.Listener());
  EXPECT_THROW(Write([](Tx& tx) { tx.Announce("coffee_test_feed", "two\nlines"); }),
               app::StorageError);
  const std::string largest(7999, 'y');
  Write([&](Tx& tx) { tx.Announce("coffee_test_feed", largest); });
  EXPECT_EQ(heard.WaitFor(1), std::vector<std::string>{largest});
  db_->StopListening();  // before `heard` goes away
}

TEST_P(StorageContract, ManyAnnouncementsOfOneTransactionAreEachHeardInOrder) {
  // PostgreSQL joins a channel's announcements into as few NOTIFYs as the payload limit allows;
  // listeners still hear each one, in order, whole (here more than two NOTIFYs' worth).
  Heard heard;
  db_->Listen("coffee_test_feed", heard.Listener());
  std::vector<std::string> sent;
  for (int i = 0; i < 40; ++i)
    sent.push_back(std::to_string(i) + std::string(i % 7 == 0 ? 3000 : 10, 'z'));
  sent.emplace_back("");
  sent.emplace_back("last");
  Write([&](Tx& tx) {
    for (const auto& payload : sent) tx.Announce("coffee_test_feed", payload);
  });
  EXPECT_EQ(heard.WaitFor(sent.size()), sent);
  db_->StopListening();
}

TEST_P(StorageContract, LoadAllReturnsEveryRuleTable) {
  const auto a = AddCoffee("A", 100);
  const auto b = AddCoffee("B", 200);
  domain::LoyaltyConfig loyalty;
  loyalty.points_per_dollar = domain::Fixed4{15000};
  loyalty.bonus_multipliers = {{a.id, domain::Fixed4{20000}}};
  Write([&](Tx& tx) {
    domain::Availability av;
    av.coffee_id = b.id;
    av.status = domain::AvailabilityStatus::kDiscontinued;
    tx.Rules().UpsertAvailability(av);
    av.coffee_id = a.id;
    av.status = domain::AvailabilityStatus::kAvailable;
    tx.Rules().UpsertAvailability(av);
    tx.Rules().CreateRule(TimeRule());
    auto inactive = QuantityRule();
    inactive.is_active = false;
    tx.Rules().CreateRule(inactive);
    tx.Rules().UpsertPrepTime({b.id, 4, 1, {}});
    tx.Rules().PutPricingSettings(
        {domain::CombinationStrategy::kAdditive, domain::Fixed2{5000}, {}});
    tx.Rules().PutPrepTimeSettings({2, 1, 2, {}});
    tx.Rules().PutLoyaltyConfig(loyalty);
  });

  const auto data = Read([](Tx& tx) { return tx.Rules().LoadAll(); });
  EXPECT_TRUE(data.malformed.empty());
  ASSERT_EQ(data.availability.size(), 2U);
  EXPECT_EQ(data.availability[0].coffee_id, a.id);
  EXPECT_EQ(data.availability[1].status, domain::AvailabilityStatus::kDiscontinued);
  ASSERT_EQ(data.pricing_rules.size(), 2U);
  EXPECT_LT(data.pricing_rules[0].id, data.pricing_rules[1].id);
  ExpectSameRule(data.pricing_rules[0], TimeRule());
  EXPECT_FALSE(data.pricing_rules[1].is_active);
  ASSERT_EQ(data.prep_times.size(), 1U);
  EXPECT_EQ(data.prep_times[0].coffee_id, b.id);
  EXPECT_EQ(data.prep_times[0].base_minutes, 4);
  EXPECT_EQ(data.pricing_settings.combination_strategy, domain::CombinationStrategy::kAdditive);
  EXPECT_EQ(data.pricing_settings.max_discount_percent, domain::Fixed2{5000});
  EXPECT_EQ(data.prep_time_settings.baristas, 2);
  EXPECT_EQ(data.loyalty.points_per_dollar, domain::Fixed4{15000});
  EXPECT_EQ(data.loyalty.bonus_multipliers, loyalty.bonus_multipliers);
}

TEST_P(StorageContract, LoadAllSkipsAndDescribesMalformedRule) {
  const auto good = Write([](Tx& tx) { return tx.Rules().CreateRule(TimeRule()); });
  // PostgreSQL's jsonb refuses text that is not JSON, so there the bad row holds valid JSON
  // with an impossible time of day.
  const std::string bad_ranges =
      GetParam() == "sqlite" ? "not json" : R"([{"start":"25:00","end":"26:00"}])";
  test_db_->Exec(
      "INSERT INTO pricing_rules (rule_type, description, discount_type, "
      "discount_value_hundredths, valid_from, time_ranges, created_at, updated_at) VALUES "
      "('time_based', 'broken', 'percentage', 1000, '2026-01-01T00:00:00.000000Z', '" +
      bad_ranges + "', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')");
  test_db_->Exec(
      "INSERT INTO pricing_rules (rule_type, description, discount_type, "
      "discount_value_hundredths, valid_from, created_at, updated_at) VALUES "
      "('bogus_type', 'unknown', 'percentage', 1000, '2026-01-01T00:00:00.000000Z', "
      "'2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')");
  const auto bad_id =
      test_db_->QueryValue("SELECT rule_id FROM pricing_rules WHERE description = 'broken'");
  const auto unknown_id =
      test_db_->QueryValue("SELECT rule_id FROM pricing_rules WHERE description = 'unknown'");

  const auto data = Read([](Tx& tx) { return tx.Rules().LoadAll(); });
  ASSERT_EQ(data.pricing_rules.size(), 1U);
  EXPECT_EQ(data.pricing_rules[0].id, good.id);
  ASSERT_EQ(data.malformed.size(), 2U);
  EXPECT_TRUE(Contains(data.malformed[0], "pricing_rules")) << data.malformed[0];
  EXPECT_TRUE(Contains(data.malformed[0], "rule_id=" + bad_id)) << data.malformed[0];
  EXPECT_TRUE(Contains(data.malformed[0], "time_ranges")) << data.malformed[0];
  EXPECT_TRUE(Contains(data.malformed[1], "rule_id=" + unknown_id)) << data.malformed[1];
  EXPECT_TRUE(Contains(data.malformed[1], "bogus_type")) << data.malformed[1];
}

TEST_P(StorageContract, LoadAllSkipsAndDescribesMalformedAvailability) {
  const auto good = AddCoffee("Good", 100);
  const auto bad = AddCoffee("Bad", 100);
  Write([&](Tx& tx) {
    domain::Availability av;
    av.coffee_id = good.id;
    tx.Rules().UpsertAvailability(av);
  });
  test_db_->Exec(
      "INSERT INTO coffee_availability (coffee_id, status, available_from, updated_at) VALUES (" +
      std::to_string(bad.id.value) + ", 'available', '25:99', '2026-01-01T00:00:00.000000Z')");
  const auto data = Read([](Tx& tx) { return tx.Rules().LoadAll(); });
  ASSERT_EQ(data.availability.size(), 1U);
  EXPECT_EQ(data.availability[0].coffee_id, good.id);
  ASSERT_EQ(data.malformed.size(), 1U);
  EXPECT_TRUE(Contains(data.malformed[0], "coffee_availability")) << data.malformed[0];
  EXPECT_TRUE(Contains(data.malformed[0], std::to_string(bad.id.value))) << data.malformed[0];
}

TEST_P(StorageContract, WriteRollsBackWhenFnReturnsFalse) {
  AddCoffee("Kept", 100);
  db_->Write([](Tx& tx) {
    tx.Coffees().Create({"Discarded", "x", Money::FromCents(100), 1, ""});
    tx.Users().Create("gone@example.com", "h", domain::Role::kUser);
    return false;
  });
  EXPECT_EQ(CountCoffees(), 1);
  EXPECT_EQ(Read([](Tx& tx) { return tx.Users().Count(); }), 0);
  EXPECT_FALSE(Read([](Tx& tx) { return tx.Coffees().FindByName("Discarded"); }));
}

TEST_P(StorageContract, WriteRollsBackWhenFnThrowsAndRethrows) {
  AddCoffee("Kept", 100);
  EXPECT_THROW(db_->Write([](Tx& tx) -> bool {
    tx.Coffees().Create({"Discarded", "x", Money::FromCents(100), 1, ""});
    throw std::runtime_error("boom");
  }),
               std::runtime_error);
  EXPECT_EQ(CountCoffees(), 1);
  // The store is still usable afterwards.
  AddCoffee("After", 100);
  EXPECT_EQ(CountCoffees(), 2);
}

TEST_P(StorageContract, WriteSeesItsOwnChangesBeforeCommit) {
  const auto seen = Write([](Tx& tx) {
    const auto created = tx.Coffees().Create({"Fresh", "x", Money::FromCents(100), 1, ""});
    return tx.Coffees().Find(created->id).has_value();
  });
  EXPECT_TRUE(seen);
}

TEST_P(StorageContract, ReadPropagatesExceptions) {
  EXPECT_THROW(db_->Read([](Tx&) { throw std::logic_error("bad"); }), std::logic_error);
  EXPECT_EQ(CountCoffees(), 0);
}

TEST_P(StorageContract, PingAnswersAndBackendIsNamed) {
  EXPECT_TRUE(db_->Ping());
  EXPECT_EQ(db_->Backend(), GetParam());
}

TEST_P(StorageContract, InsertedOrderIsFoundWithLinesAndAppliedRulesExactly) {
  const auto user = AddUser("olga@example.com");
  const auto latte = AddCoffee("Latte", 350);
  const auto mocha = AddCoffee("Mocha", 499);
  auto order =
      MakeOrder(kOrderId, user.id, {{latte, 3, 350}, {mocha, 1, 499}}, At(1'767'261'600'123'456));
  order.discount_total = Money::FromCents(263);
  order.total_price = order.base_price - order.discount_total;
  order.pricing_strategy = domain::CombinationStrategy::kBestPrice;
  order.pricing_combination = "rule:9";
  order.applied_rules = {{domain::RuleId{7}, "Three or more \"10%\" — café", Money::FromCents(105)},
                         {domain::RuleId{9}, "Happy hour", Money::FromCents(158)}};
  order.items[0].discount = Money::FromCents(263);
  order.items[0].final_amount = order.items[0].subtotal - Money::FromCents(263);
  order.prep_work_minutes = 7;
  order.estimated_prep_minutes = 19;
  order.estimated_ready_at = At(1'767'262'740'654'321);
  order.updated_at = At(1'767'261'600'999'999);

  const auto inserted = PlaceOrder(order);
  ExpectSameOrder(inserted, order);
  ASSERT_EQ(inserted.items.size(), 2U);
  EXPECT_GT(inserted.items[0].id, 0);
  EXPECT_GT(inserted.items[1].id, inserted.items[0].id);

  const auto found = FindOrder(kOrderId);
  ASSERT_TRUE(found.has_value());
  ExpectSameOrder(*found, order);
  EXPECT_EQ(found->base_price, Money::FromCents(1549));
  EXPECT_EQ(found->total_price, Money::FromCents(1286));
  EXPECT_EQ(found->items[0].id, inserted.items[0].id);
  EXPECT_EQ(found->items[1].id, inserted.items[1].id);
}

TEST_P(StorageContract, InsertWithAuditsWritesTheSameRowsAsInsertThenInsertAudits) {
  const auto user = AddUser("omar@example.com");
  const auto latte = AddCoffee("Latte", 350);
  const auto mocha = AddCoffee("Mocha", 499);
  auto order = MakeOrder(kOrderId, user.id, {{latte, 3, 350}, {mocha, 1, 499}}, OrderTime(0));
  order.discount_total = Money::FromCents(105);
  order.total_price = order.base_price - order.discount_total;
  order.pricing_combination = "rule:7";
  order.applied_rules = {
      {domain::RuleId{7}, "Three or more \"10%\" — café", Money::FromCents(105)}};
  order.items[0].discount = Money::FromCents(105);
  order.items[0].final_amount = order.items[0].subtotal - Money::FromCents(105);
  app::Order twin = order;
  twin.id = kOtherOrderId;
  // The records OrderAuditRecords writes for such an order: nested arrays, null, booleans,
  // escaped quotes and non-ASCII text in the JSON.
  const auto records_of = [](const domain::OrderId& id) {
    return std::vector<app::AuditRecord>{
        {0,
         id,
         "availability",
         std::nullopt,
         R"({"checked_coffee_ids":[1,2],"unavailable":[]})",
         "all items available",
         {}},
        {0,
         id,
         "pricing_rule",
         7,
         R"({"description":"Three or more \"10%\" — café","discount":"1.05","discount_cents":105})",
         "discount 1.05",
         {}},
        {0,
         id,
         "pricing_summary",
         std::nullopt,
         R"({"base_price":"15.49","capped":false,"promo_code":null,"uses_claimed":[],"rules_version":3})",
         "final price 14.44",
         {}},
        {0,
         id,
         "prep_time",
         std::nullopt,
         R"({"work_minutes":3,"queue_delay_minutes":0})",
         "5 minutes",
         {}}};
  };
  const auto now = [] {
    return std::chrono::floor<std::chrono::microseconds>(std::chrono::system_clock::now());
  };
  const domain::Instant before = now() - std::chrono::seconds(1);
  const auto inserted = Write([&](Tx& tx) {
    tx.Orders().Insert(twin);
    tx.Audit().InsertAudits(records_of(twin.id));
    return tx.Orders().InsertWithAudits(order, records_of(order.id));
  });
  const domain::Instant after = now() + std::chrono::seconds(1);

  ExpectSameOrder(inserted, order);
  ASSERT_EQ(inserted.items.size(), 2U);
  EXPECT_GT(inserted.items[0].id, 0);
  EXPECT_GT(inserted.items[1].id, inserted.items[0].id);
  const auto found = FindOrder(kOrderId);
  ASSERT_TRUE(found.has_value());
  ExpectSameOrder(*found, order);
  EXPECT_EQ(found->items[0].id, inserted.items[0].id);
  EXPECT_EQ(found->items[1].id, inserted.items[1].id);

  app::AuditQuery mine;
  mine.order_id = kOrderId;
  const auto audits = Read([&](Tx& tx) { return tx.Audit().ListAudit(mine); });
  const auto expected = records_of(kOrderId);
  ASSERT_EQ(audits.size(), expected.size());
  for (std::size_t i = 0; i < audits.size(); ++i) {
    SCOPED_TRACE(expected[i].rule_type);
    if (i > 0) {
      EXPECT_GT(audits[i].audit_id, audits[i - 1].audit_id);
    }
    EXPECT_EQ(audits[i].order_id, kOrderId);
    EXPECT_EQ(audits[i].rule_type, expected[i].rule_type);
    EXPECT_EQ(audits[i].rule_id, expected[i].rule_id);
    // As a value: PostgreSQL's jsonb keeps its own key order.
    EXPECT_EQ(boost::json::parse(audits[i].rule_data_json),
              boost::json::parse(expected[i].rule_data_json));
    EXPECT_EQ(audits[i].effect, expected[i].effect);
    EXPECT_GE(audits[i].created_at, before);
    EXPECT_LE(audits[i].created_at, after);
  }
  // As stored, column by column, against the same records written the way orders were before.
  std::vector<std::string> columns = {"rule_type", "rule_id", "rule_data", "effect"};
  // PostgreSQL stamps both with the transaction's start; SQLite with each statement's clock.
  if (GetParam() == "postgres") columns.emplace_back("created_at");
  for (std::size_t i = 0; i < expected.size(); ++i) {
    for (const auto& column : columns) {
      const auto stored = [&](const domain::OrderId& id) {
        return test_db_->QueryValue("SELECT CAST(" + column + " AS TEXT) FROM rule_audit_log " +
                                    "WHERE order_id = '" + id.str() +
                                    "' ORDER BY audit_id LIMIT 1 OFFSET " + std::to_string(i));
      };
      EXPECT_EQ(stored(kOrderId), stored(kOtherOrderId)) << column << " of row " << i;
    }
  }
}

TEST_P(StorageContract, InsertWithAuditsOfNoRecordsInsertsTheOrderAlone) {
  const auto user = AddUser("pia@example.com");
  const auto latte = AddCoffee("Latte", 350);
  const auto order = MakeOrder(kOrderId, user.id, {{latte, 2, 350}}, OrderTime(0));
  const auto inserted = Write([&](Tx& tx) { return tx.Orders().InsertWithAudits(order, {}); });
  ExpectSameOrder(inserted, order);
  const auto found = FindOrder(kOrderId);
  ASSERT_TRUE(found.has_value());
  ExpectSameOrder(*found, order);
  EXPECT_EQ(Read([](Tx& tx) { return tx.Audit().CountAudit({}); }), 0);
}

TEST_P(StorageContract, OrderWithoutAppliedRulesRoundTripsEmpty) {
  const auto user = AddUser("pia@example.com");
  const auto latte = AddCoffee("Latte", 350);
  PlaceOrder(MakeOrder(kOrderId, user.id, {{latte, 1, 350}}, OrderTime(0)));
  const auto found = FindOrder(kOrderId);
  ASSERT_TRUE(found.has_value());
  EXPECT_TRUE(found->applied_rules.empty());
  ASSERT_EQ(found->items.size(), 1U);
}

TEST_P(StorageContract, UnknownOrderIdIsNotFoundAndMalformedOnesNeverReachTheStore) {
  const auto user = AddUser("quinn@example.com");
  const auto latte = AddCoffee("Latte", 350);
  PlaceOrder(MakeOrder(kOrderId, user.id, {{latte, 1, 350}}, OrderTime(0)));
  EXPECT_FALSE(FindOrder(kOtherOrderId));
  // A malformed id cannot be made, so no repository ever sees one.
  EXPECT_FALSE(domain::OrderId::Parse("not-a-uuid"));
  EXPECT_FALSE(domain::OrderId::Parse(""));
  EXPECT_FALSE(domain::OrderId::Parse("6f1d1c2e-3b4a-4c5d-8e9f-0a1b2c3d4e5f-extra"));
  EXPECT_FALSE(domain::OrderId::Parse("zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz"));
  // Any case parses to the stored lower-case id: both find the order in one transaction.
  const auto both = Read([](Tx& tx) {
    const bool upper = tx.Orders().Find(Oid("6F1D1C2E-3B4A-4C5D-8E9F-0A1B2C3D4E5F")).has_value();
    const bool lower = tx.Orders().Find(kOrderId).has_value();
    return std::pair{upper, lower};
  });
  EXPECT_TRUE(both.first);
  EXPECT_TRUE(both.second);
}

TEST_P(StorageContract, OrdersAreListedNewestFirstWithTheirLinesAndFilters) {
  const auto ann = AddUser("ann@example.com");
  const auto ben = AddUser("ben@example.com");
  const auto latte = AddCoffee("Latte", 350);
  const auto mocha = AddCoffee("Mocha", 500);
  using domain::OrderStatus;
  // Orders 2 and 3 share created_at: the larger id comes first.
  PlaceOrder(MakeOrder(OrderUuid(1), ann.id, {{latte, 1, 350}}, OrderTime(0)));
  PlaceOrder(
      MakeOrder(OrderUuid(2), ben.id, {{mocha, 2, 500}}, OrderTime(5), OrderStatus::kConfirmed));
  PlaceOrder(MakeOrder(OrderUuid(3), ann.id, {{latte, 1, 350}, {mocha, 1, 500}}, OrderTime(5)));
  PlaceOrder(
      MakeOrder(OrderUuid(4), ann.id, {{mocha, 3, 500}}, OrderTime(9), OrderStatus::kCompleted));
  PlaceOrder(MakeOrder(OrderUuid(5), ben.id, {{latte, 4, 350}}, OrderTime(2)));

  const auto all = Read([](Tx& tx) { return tx.Orders().List({}); });
  EXPECT_EQ(Ids(all), (std::vector<domain::OrderId>{OrderUuid(4), OrderUuid(3), OrderUuid(2),
                                                    OrderUuid(5), OrderUuid(1)}));
  ASSERT_EQ(all.size(), 5U);
  // Each order carries exactly its own lines, in line order.
  ASSERT_EQ(all[0].items.size(), 1U);
  EXPECT_EQ(all[0].items[0].coffee_id, mocha.id);
  EXPECT_EQ(all[0].items[0].quantity, 3);
  ASSERT_EQ(all[1].items.size(), 2U);
  EXPECT_EQ(all[1].items[0].coffee_id, latte.id);
  EXPECT_EQ(all[1].items[1].coffee_id, mocha.id);
  EXPECT_LT(all[1].items[0].id, all[1].items[1].id);
  ASSERT_EQ(all[3].items.size(), 1U);
  EXPECT_EQ(all[3].items[0].quantity, 4);
  EXPECT_EQ(all[3].items[0].subtotal, Money::FromCents(1400));
  EXPECT_EQ(all[3].status, OrderStatus::kPending);
  EXPECT_EQ(all[0].status, OrderStatus::kCompleted);
  EXPECT_EQ(Read([](Tx& tx) { return tx.Orders().Count({}); }), 5);

  app::OrderQuery mine;
  mine.user_id = ann.id;
  EXPECT_EQ(Ids(Read([&](Tx& tx) { return tx.Orders().List(mine); })),
            (std::vector<domain::OrderId>{OrderUuid(4), OrderUuid(3), OrderUuid(1)}));
  EXPECT_EQ(Read([&](Tx& tx) { return tx.Orders().Count(mine); }), 3);

  app::OrderQuery pending;
  pending.status = OrderStatus::kPending;
  EXPECT_EQ(Ids(Read([&](Tx& tx) { return tx.Orders().List(pending); })),
            (std::vector<domain::OrderId>{OrderUuid(3), OrderUuid(5), OrderUuid(1)}));
  EXPECT_EQ(Read([&](Tx& tx) { return tx.Orders().Count(pending); }), 3);

  app::OrderQuery ann_pending = pending;
  ann_pending.user_id = ann.id;
  EXPECT_EQ(Ids(Read([&](Tx& tx) { return tx.Orders().List(ann_pending); })),
            (std::vector<domain::OrderId>{OrderUuid(3), OrderUuid(1)}));
  EXPECT_EQ(Read([&](Tx& tx) { return tx.Orders().Count(ann_pending); }), 2);

  app::OrderQuery none;
  none.status = OrderStatus::kCancelled;
  EXPECT_TRUE(Read([&](Tx& tx) { return tx.Orders().List(none); }).empty());
  EXPECT_EQ(Read([&](Tx& tx) { return tx.Orders().Count(none); }), 0);
}

TEST_P(StorageContract, OrderPaginationAppliesOffsetAndLimitWhileCountIgnoresThem) {
  const auto user = AddUser("cleo@example.com");
  const auto latte = AddCoffee("Latte", 350);
  for (int i = 1; i <= 5; ++i) {
    PlaceOrder(MakeOrder(OrderUuid(i), user.id, {{latte, i, 350}}, OrderTime(i)));
  }
  app::OrderQuery page;
  page.offset = 1;
  page.limit = 2;
  const auto second = Read([&](Tx& tx) { return tx.Orders().List(page); });
  EXPECT_EQ(Ids(second), (std::vector<domain::OrderId>{OrderUuid(4), OrderUuid(3)}));
  ASSERT_EQ(second.size(), 2U);
  ASSERT_EQ(second[0].items.size(), 1U);
  EXPECT_EQ(second[0].items[0].quantity, 4);
  ASSERT_EQ(second[1].items.size(), 1U);
  EXPECT_EQ(second[1].items[0].quantity, 3);
  page.offset = 4;
  EXPECT_EQ(Ids(Read([&](Tx& tx) { return tx.Orders().List(page); })),
            (std::vector<domain::OrderId>{OrderUuid(1)}));
  page.offset = 10;
  EXPECT_TRUE(Read([&](Tx& tx) { return tx.Orders().List(page); }).empty());
  EXPECT_EQ(Read([&](Tx& tx) { return tx.Orders().Count(page); }), 5);
}

// OrderService reads a page near the end of the list oldest first: that order must be newest
// first backwards, ties in created_at included, each order with its own lines, for every filter.
TEST_P(StorageContract, OrdersOldestFirstAreNewestFirstBackwardsForEveryFilter) {
  const auto ann = AddUser("ann@example.com");
  const auto ben = AddUser("ben@example.com");
  const auto latte = AddCoffee("Latte", 350);
  using domain::OrderStatus;
  const std::array<OrderStatus, 3> statuses = {OrderStatus::kPending, OrderStatus::kCompleted,
                                               OrderStatus::kCancelled};
  for (int i = 0; i < 23; ++i) {
    // Three orders per instant, their ids in an order unrelated to their creation.
    PlaceOrder(MakeOrder(OrderUuid(((i * 7) % 23) + 1), i % 2 == 0 ? ann.id : ben.id,
                         {{latte, i + 1, 350}}, OrderTime(i / 3),
                         statuses.at(static_cast<std::size_t>(i % 3))));
  }
  std::vector<app::OrderQuery> queries(5);
  queries[1].user_id = ann.id;
  queries[2].status = OrderStatus::kCompleted;
  queries[3].user_id = ben.id;
  queries[3].status = OrderStatus::kCancelled;
  queries[4].status = OrderStatus::kPending;
  for (app::OrderQuery q : queries) {
    const std::string what = std::string("user ") + (q.user_id ? "yes" : "no") + " status " +
                             (q.status ? std::string(domain::ToString(*q.status)) : "-");
    q.limit = 100;
    const auto newest = Read([&](Tx& tx) { return tx.Orders().List(q); });
    EXPECT_FALSE(newest.empty()) << what;
    q.oldest_first = true;
    auto oldest = Read([&](Tx& tx) { return tx.Orders().List(q); });
    std::reverse(oldest.begin(), oldest.end());
    ASSERT_EQ(Ids(oldest), Ids(newest)) << what;
    for (std::size_t i = 0; i < oldest.size(); ++i) {
      ASSERT_EQ(oldest[i].items.size(), 1U) << what;
      EXPECT_EQ(oldest[i].items[0].quantity, newest[i].items[0].quantity) << what;
    }
    if (newest.size() < 6) continue;
    q.offset = 2;
    q.limit = 3;
    EXPECT_EQ(
        Ids(Read([&](Tx& tx) { return tx.Orders().List(q); })),
        (std::vector<domain::OrderId>{newest[newest.size() - 3].id, newest[newest.size() - 4].id,
                                      newest[newest.size() - 5].id}))
        << what;
  }
}

TEST_P(StorageContract, UpdateStatusChangesOnlyFromTheExpectedStatus) {
  const auto user = AddUser("dan@example.com");
  const auto latte = AddCoffee("Latte", 350);
  const auto placed = PlaceOrder(MakeOrder(kOrderId, user.id, {{latte, 1, 350}}, OrderTime(0)));
  using domain::OrderStatus;
  EXPECT_FALSE(Write([](Tx& tx) {
    return tx.Orders().UpdateStatus(kOrderId, OrderStatus::kConfirmed, OrderStatus::kPreparing);
  }));
  auto found = FindOrder(kOrderId);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->status, OrderStatus::kPending);
  EXPECT_EQ(found->updated_at, placed.updated_at);

  EXPECT_TRUE(Write([](Tx& tx) {
    return tx.Orders().UpdateStatus(kOrderId, OrderStatus::kPending, OrderStatus::kConfirmed);
  }));
  found = FindOrder(kOrderId);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->status, OrderStatus::kConfirmed);
  EXPECT_GT(found->updated_at, placed.updated_at);
  EXPECT_EQ(found->created_at, placed.created_at);
  EXPECT_EQ(found->payment_status, domain::PaymentStatus::kUnpaid);

  EXPECT_FALSE(Write([](Tx& tx) {
    return tx.Orders().UpdateStatus(kOtherOrderId, OrderStatus::kPending, OrderStatus::kConfirmed);
  }));
}

TEST_P(StorageContract, ConcurrentStatusUpdatesHaveExactlyOneWinner) {
  const auto user = AddUser("eve@example.com");
  const auto latte = AddCoffee("Latte", 350);
  PlaceOrder(MakeOrder(kOrderId, user.id, {{latte, 1, 350}}, OrderTime(0)));
  using domain::OrderStatus;
  const int wins = ConcurrentWins(8, [](Tx& tx) {
    return tx.Orders().UpdateStatus(kOrderId, OrderStatus::kPending, OrderStatus::kCancelled);
  });
  EXPECT_EQ(wins, 1);
  EXPECT_EQ(FindOrder(kOrderId)->status, OrderStatus::kCancelled);
}

TEST_P(StorageContract, UpdatePaymentChangesOnlyFromTheExpectedStatus) {
  const auto user = AddUser("fay@example.com");
  const auto latte = AddCoffee("Latte", 350);
  const auto placed = PlaceOrder(MakeOrder(kOrderId, user.id, {{latte, 1, 350}}, OrderTime(0)));
  using domain::PaymentStatus;
  EXPECT_FALSE(Write([](Tx& tx) {
    return tx.Orders().UpdatePayment(kOrderId, PaymentStatus::kPaid, PaymentStatus::kRefunded);
  }));
  auto found = FindOrder(kOrderId);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->payment_status, PaymentStatus::kUnpaid);
  EXPECT_EQ(found->updated_at, placed.updated_at);

  EXPECT_TRUE(Write([](Tx& tx) {
    return tx.Orders().UpdatePayment(kOrderId, PaymentStatus::kUnpaid, PaymentStatus::kPaid);
  }));
  found = FindOrder(kOrderId);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->payment_status, PaymentStatus::kPaid);
  EXPECT_EQ(found->status, domain::OrderStatus::kPending);
  EXPECT_GT(found->updated_at, placed.updated_at);
  EXPECT_FALSE(Write([](Tx& tx) {
    return tx.Orders().UpdatePayment(kOtherOrderId, PaymentStatus::kUnpaid, PaymentStatus::kPaid);
  }));
}

TEST_P(StorageContract, ConcurrentPaymentUpdatesHaveExactlyOneWinner) {
  const auto user = AddUser("gus@example.com");
  const auto latte = AddCoffee("Latte", 350);
  PlaceOrder(MakeOrder(kOrderId, user.id, {{latte, 1, 350}}, OrderTime(0)));
  using domain::PaymentStatus;
  const int wins = ConcurrentWins(8, [](Tx& tx) {
    return tx.Orders().UpdatePayment(kOrderId, PaymentStatus::kUnpaid, PaymentStatus::kPaid);
  });
  EXPECT_EQ(wins, 1);
  EXPECT_EQ(FindOrder(kOrderId)->payment_status, PaymentStatus::kPaid);
}

TEST_P(StorageContract, SetLoyaltyPointsAwardedIsStoredOnTheOrder) {
  const auto user = AddUser("hana@example.com");
  const auto latte = AddCoffee("Latte", 350);
  PlaceOrder(MakeOrder(kOrderId, user.id, {{latte, 1, 350}}, OrderTime(0)));
  PlaceOrder(MakeOrder(kOtherOrderId, user.id, {{latte, 1, 350}}, OrderTime(1)));
  Write([](Tx& tx) { tx.Orders().SetLoyaltyPointsAwarded(kOrderId, 33); });
  EXPECT_EQ(FindOrder(kOrderId)->loyalty_points_awarded, 33);
  EXPECT_EQ(FindOrder(kOtherOrderId)->loyalty_points_awarded, 0);
}

TEST_P(StorageContract, QueuedWorkMinutesSumsOnlyQueuedStatuses) {
  const auto user = AddUser("ivan@example.com");
  const auto latte = AddCoffee("Latte", 350);
  EXPECT_EQ(Read([](Tx& tx) { return tx.Orders().QueuedWorkMinutes(); }), 0);
  using domain::OrderStatus;
  const std::vector<std::pair<OrderStatus, int>> orders = {
      {OrderStatus::kPending, 1},       {OrderStatus::kConfirmed, 20},
      {OrderStatus::kPreparing, 300},   {OrderStatus::kReady, 4000},
      {OrderStatus::kCompleted, 50000}, {OrderStatus::kCancelled, 600000},
      {OrderStatus::kPending, 7000000}};
  int n = 0;
  for (const auto& [status, minutes] : orders) {
    ++n;
    auto o = MakeOrder(OrderUuid(n), user.id, {{latte, 1, 350}}, OrderTime(n), status);
    o.prep_work_minutes = minutes;
    PlaceOrder(o);
  }
  EXPECT_EQ(Read([](Tx& tx) { return tx.Orders().QueuedWorkMinutes(); }), 7000321);
  EXPECT_TRUE(Write([](Tx& tx) {
    return tx.Orders().UpdateStatus(OrderUuid(3), OrderStatus::kPreparing, OrderStatus::kReady);
  }));
  EXPECT_EQ(Read([](Tx& tx) { return tx.Orders().QueuedWorkMinutes(); }), 7000021);
}

TEST_P(StorageContract, CountByStatusListsOnlyStatusesWithOrders) {
  const auto user = AddUser("jill@example.com");
  const auto latte = AddCoffee("Latte", 350);
  EXPECT_TRUE(Read([](Tx& tx) { return tx.Orders().CountByStatus(); }).empty());
  using domain::OrderStatus;
  const std::vector<OrderStatus> statuses = {OrderStatus::kPending, OrderStatus::kPending,
                                             OrderStatus::kCompleted, OrderStatus::kPending,
                                             OrderStatus::kCancelled};
  int n = 0;
  for (const auto status : statuses) {
    ++n;
    PlaceOrder(MakeOrder(OrderUuid(n), user.id, {{latte, 1, 350}}, OrderTime(n), status));
  }
  const auto counts = Read([](Tx& tx) { return tx.Orders().CountByStatus(); });
  const std::map<OrderStatus, std::int64_t> by_status(counts.begin(), counts.end());
  EXPECT_EQ(counts.size(), by_status.size()) << "a status appears twice";
  EXPECT_EQ(by_status, (std::map<OrderStatus, std::int64_t>{{OrderStatus::kPending, 3},
                                                            {OrderStatus::kCompleted, 1},
                                                            {OrderStatus::kCancelled, 1}}));
}

// The totals without a customer (GET /api/orders for staff, the audit log without an order)
// are read from rows triggers keep (migration 0012), not counted. They must equal the rows
// there are after every kind of change: through the ports, rolled back, and directly in SQL.
TEST_P(StorageContract, ListTotalsEqualTheRowsAfterEveryChange) {
  const auto user = AddUser("totals@example.com");
  const auto latte = AddCoffee("Latte", 350);
  using domain::OrderStatus;
  const std::vector<OrderStatus> all_statuses = {OrderStatus::kPending,   OrderStatus::kConfirmed,
                                                 OrderStatus::kPreparing, OrderStatus::kReady,
                                                 OrderStatus::kCompleted, OrderStatus::kCancelled};
  const std::vector<std::string> rule_types = {"availability", "pricing_rule", "pricing_summary"};
  // Compares every total with the rows listed (limit above the rows there are).
  const auto expect_totals_match_rows = [&](const std::string& when) {
    SCOPED_TRACE(when);
    app::OrderQuery orders;
    orders.limit = 1000;
    const auto listed = Read([&](Tx& tx) { return tx.Orders().List(orders); });
    EXPECT_EQ(Read([&](Tx& tx) { return tx.Orders().Count(orders); }),
              static_cast<std::int64_t>(listed.size()));
    std::map<OrderStatus, std::int64_t> by_status;
    for (const auto status : all_statuses) {
      orders.status = status;
      const auto rows =
          static_cast<std::int64_t>(Read([&](Tx& tx) { return tx.Orders().List(orders); }).size());
      EXPECT_EQ(Read([&](Tx& tx) { return tx.Orders().Count(orders); }), rows)
          << domain::ToString(status);
      if (rows > 0) by_status[status] = rows;
    }
    const auto counts = Read([](Tx& tx) { return tx.Orders().CountByStatus(); });
    const std::map<OrderStatus, std::int64_t> counted(counts.begin(), counts.end());
    EXPECT_EQ(counted, by_status);
    EXPECT_EQ(counts.size(), by_status.size());
    app::AuditQuery audit;
    audit.limit = 1000;
    EXPECT_EQ(Read([&](Tx& tx) { return tx.Audit().CountAudit(audit); }),
              static_cast<std::int64_t>(
                  Read([&](Tx& tx) { return tx.Audit().ListAudit(audit); }).size()));
    for (const auto& type : rule_types) {
      audit.rule_type = type;
      EXPECT_EQ(Read([&](Tx& tx) { return tx.Audit().CountAudit(audit); }),
                static_cast<std::int64_t>(
                    Read([&](Tx& tx) { return tx.Audit().ListAudit(audit); }).size()))
          << type;
    }
  };
  const auto records_of = [](const domain::OrderId& id) {
    return std::vector<app::AuditRecord>{
        {0, id, "availability", std::nullopt, "{}", "allowed", {}},
        {0, id, "pricing_rule", 7, "{}", "applied", {}},
        {0, id, "pricing_rule", 8, "{}", "applied", {}},
        {0, id, "pricing_summary", std::nullopt, "{}", "quote", {}}};
  };
  expect_totals_match_rows("empty");

  for (int n = 1; n <= 6; ++n) {
    const auto order = MakeOrder(OrderUuid(n), user.id, {{latte, 1, 350}}, OrderTime(n),
                                 all_statuses.at(static_cast<std::size_t>(n % 3)));
    Write([&](Tx& tx) { return tx.Orders().InsertWithAudits(order, records_of(order.id)); });
  }
  Write([&](Tx& tx) {
    tx.Audit().InsertAudit({0, std::nullopt, "pricing_summary", std::nullopt, "{}", "quote", {}});
  });
  InsertOrderWith(OrderUuid(7), user.id, latte.id);
  expect_totals_match_rows("after inserts");
  EXPECT_EQ(Read([](Tx& tx) { return tx.Orders().Count({}); }), 7);
  EXPECT_EQ(Read([](Tx& tx) { return tx.Audit().CountAudit({}); }), 25);

  EXPECT_TRUE(Write([](Tx& tx) {
    return tx.Orders().UpdateStatus(OrderUuid(3), OrderStatus::kPending, OrderStatus::kConfirmed);
  }));
  EXPECT_TRUE(Write([](Tx& tx) {
    return tx.Orders().UpdateStatus(OrderUuid(1), OrderStatus::kConfirmed, OrderStatus::kCancelled);
  }));
  // Changes that leave the status alone, and one that is not made (wrong expected status).
  EXPECT_TRUE(Write([](Tx& tx) {
    return tx.Orders().UpdatePayment(OrderUuid(2), domain::PaymentStatus::kUnpaid,
                                     domain::PaymentStatus::kPaid);
  }));
  Write([](Tx& tx) { tx.Orders().SetLoyaltyPointsAwarded(OrderUuid(2), 40); });
  EXPECT_FALSE(Write([](Tx& tx) {
    return tx.Orders().UpdateStatus(OrderUuid(6), OrderStatus::kReady, OrderStatus::kCompleted);
  }));
  expect_totals_match_rows("after status changes");

  // A transaction rolled back takes its total changes with it.
  db_->Write([&](Tx& tx) {
    const auto order = MakeOrder(OrderUuid(8), user.id, {{latte, 1, 350}}, OrderTime(8));
    tx.Orders().InsertWithAudits(order, records_of(order.id));
    EXPECT_TRUE(
        tx.Orders().UpdateStatus(OrderUuid(4), OrderStatus::kConfirmed, OrderStatus::kPreparing));
    return false;
  });
  expect_totals_match_rows("after a rollback");
  EXPECT_EQ(Read([](Tx& tx) { return tx.Orders().Count({}); }), 7);

  // Edits made directly in SQL: a status set by hand, an order deleted (its lines and audit
  // rows go with it), audit rows retyped and deleted.
  test_db_->Exec("UPDATE orders SET status = 'ready' WHERE id = '" + OrderUuid(5).str() + "'");
  test_db_->Exec("DELETE FROM order_items WHERE order_id = '" + OrderUuid(6).str() + "'");
  test_db_->Exec("DELETE FROM orders WHERE id = '" + OrderUuid(6).str() + "'");
  test_db_->Exec("UPDATE rule_audit_log SET rule_type = 'availability' WHERE rule_id = 8");
  test_db_->Exec("DELETE FROM rule_audit_log WHERE order_id IS NULL");
  expect_totals_match_rows("after edits in SQL");
  EXPECT_EQ(Read([](Tx& tx) { return tx.Orders().Count({}); }), 6);
  EXPECT_EQ(Read([](Tx& tx) { return tx.Audit().CountAudit({}); }), 20);
}

// Migration 0012 starts its totals from the rows a database already has.
TEST_P(StorageContract, ListTotalsMigrationCountsExistingRows) {
  UnapplyMigration(12,
                   "DROP TRIGGER orders_total_insert; DROP TRIGGER orders_total_update; "
                   "DROP TRIGGER orders_total_delete; DROP TRIGGER rule_audit_total_insert; "
                   "DROP TRIGGER rule_audit_total_update; DROP TRIGGER rule_audit_total_delete; "
                   "DROP TABLE order_status_totals; DROP TABLE rule_audit_totals",
                   "DROP TABLE order_status_totals, rule_audit_totals; DROP FUNCTION "
                   "order_totals_add, order_totals_move, rule_audit_totals_add, "
                   "rule_audit_totals_move CASCADE; DROP FUNCTION total_shard");
  const auto user = AddUser("before@example.com");
  const auto latte = AddCoffee("Latte", 350);
  using domain::OrderStatus;
  PlaceOrder(MakeOrder(OrderUuid(1), user.id, {{latte, 1, 350}}, OrderTime(1)));
  PlaceOrder(MakeOrder(OrderUuid(2), user.id, {{latte, 1, 350}}, OrderTime(2)));
  PlaceOrder(
      MakeOrder(OrderUuid(3), user.id, {{latte, 1, 350}}, OrderTime(3), OrderStatus::kCompleted));
  Write([](Tx& tx) {
    tx.Audit().InsertAudit({0, OrderUuid(1), "pricing_rule", 7, "{}", "applied", {}});
    tx.Audit().InsertAudit({0, std::nullopt, "pricing_summary", std::nullopt, "{}", "quote", {}});
  });
  EXPECT_EQ(db_->Migrate(), 1);
  EXPECT_EQ(Read([](Tx& tx) { return tx.Orders().Count({}); }), 3);
  app::OrderQuery pending;
  pending.status = OrderStatus::kPending;
  EXPECT_EQ(Read([&](Tx& tx) { return tx.Orders().Count(pending); }), 2);
  EXPECT_EQ(Read([](Tx& tx) { return tx.Audit().CountAudit({}); }), 2);
  app::AuditQuery priced;
  priced.rule_type = "pricing_rule";
  EXPECT_EQ(Read([&](Tx& tx) { return tx.Audit().CountAudit(priced); }), 1);
  // ... and keeps them from then on.
  PlaceOrder(MakeOrder(OrderUuid(4), user.id, {{latte, 1, 350}}, OrderTime(4)));
  EXPECT_EQ(Read([&](Tx& tx) { return tx.Orders().Count(pending); }), 3);
}

// The unfiltered catalog's total is read from a row triggers keep (migration 0013), not
// counted. It must equal the coffees listed after every kind of change, including SQL edits and
// changes that fail.
TEST_P(StorageContract, CoffeeTotalEqualsTheRowsAfterEveryChange) {
  const auto expect_total_matches_rows = [&](const std::string& when) {
    SCOPED_TRACE(when);
    CoffeeQuery all;
    all.limit = 1000;
    EXPECT_EQ(CountCoffees(), static_cast<std::int64_t>(
                                  Read([&](Tx& tx) { return tx.Coffees().List(all); }).size()));
  };
  expect_total_matches_rows("empty");
  const auto latte = AddCoffee("Latte", 350);
  const auto mocha = AddCoffee("Mocha", 500);
  AddCoffee("Flat White", 425);
  expect_total_matches_rows("after three creates");
  EXPECT_EQ(CountCoffees(), 3);

  // A duplicate name fails; a write that returns false is rolled back with what it created.
  EXPECT_FALSE(Write([](Tx& tx) {
    return tx.Coffees().Create({"LATTE", "x", Money::FromCents(1), 1, ""}).has_value();
  }));
  db_->Write([](Tx& tx) {
    EXPECT_TRUE(tx.Coffees().Create({"Cortado", "x", Money::FromCents(300), 1, ""}).has_value());
    return false;
  });
  expect_total_matches_rows("after a failed create and a rolled-back one");
  EXPECT_EQ(CountCoffees(), 3);

  // An ordered coffee cannot be deleted: the failed delete leaves the total alone.
  const auto user = AddUser("total@example.com");
  PlaceOrder(MakeOrder(kOrderId, user.id, {{latte, 1, 350}}, OrderTime(0)));
  EXPECT_EQ(Write([&](Tx& tx) { return tx.Coffees().Delete(latte.id); }), WriteResult::kConflict);
  EXPECT_EQ(Write([&](Tx& tx) { return tx.Coffees().Delete(mocha.id); }), WriteResult::kOk);
  expect_total_matches_rows("after a refused and a done delete");
  EXPECT_EQ(CountCoffees(), 2);

  // Edits made directly in SQL, several rows per statement.
  test_db_->Exec(
      "INSERT INTO coffees (name, coffee_type, price_cents, rating, image_url, created_at, "
      "updated_at) SELECT name || ' copy', coffee_type, price_cents, rating, image_url, "
      "created_at, updated_at FROM coffees");
  expect_total_matches_rows("after copying every coffee in SQL");
  EXPECT_EQ(CountCoffees(), 4);
  test_db_->Exec("DELETE FROM coffees WHERE name LIKE '% copy'");
  expect_total_matches_rows("after deleting the copies in SQL");
  EXPECT_EQ(CountCoffees(), 2);
}

// Migration 0013 starts its total from the coffees a database already has.
TEST_P(StorageContract, CoffeeTotalMigrationCountsExistingCoffees) {
  UnapplyMigration(13,
                   "DROP TRIGGER coffees_total_insert; DROP TRIGGER coffees_total_delete; DROP "
                   "TABLE coffee_total",
                   "DROP TABLE coffee_total; DROP FUNCTION coffee_total_add CASCADE");
  AddCoffee("Latte", 350);
  AddCoffee("Mocha", 500);
  EXPECT_EQ(db_->Migrate(), 1);
  EXPECT_EQ(CountCoffees(), 2);
  // ... and keeps it from then on.
  AddCoffee("Flat White", 425);
  EXPECT_EQ(CountCoffees(), 3);
}

TEST_P(StorageContract, OrderedCoffeeCannotBeDeletedThroughThePorts) {
  const auto user = AddUser("kim@example.com");
  const auto latte = AddCoffee("Latte", 350);
  PlaceOrder(MakeOrder(kOrderId, user.id, {{latte, 1, 350}}, OrderTime(0)));
  EXPECT_EQ(Write([&](Tx& tx) { return tx.Coffees().Delete(latte.id); }), WriteResult::kConflict);
}

TEST_P(StorageContract, LoyaltyAccountStartsAtZero) {
  const auto user = AddUser("lou@example.com");
  const auto account = Read([&](Tx& tx) { return tx.Loyalty().GetAccount(user.id); });
  EXPECT_EQ(account.points_balance, 0);
  EXPECT_EQ(account.lifetime_points, 0);
  EXPECT_TRUE(Read([&](Tx& tx) { return tx.Loyalty().Transactions(user.id, 10); }).empty());
}

TEST_P(StorageContract, AwardIsRecordedOncePerOrder) {
  const auto user = AddUser("max@example.com");
  const auto latte = AddCoffee("Latte", 350);
  PlaceOrder(MakeOrder(kOrderId, user.id, {{latte, 1, 350}}, OrderTime(0)));
  PlaceOrder(MakeOrder(kOtherOrderId, user.id, {{latte, 1, 350}}, OrderTime(1)));
  EXPECT_TRUE(Write([&](Tx& tx) { return tx.Loyalty().Award(user.id, kOrderId, 33); }));
  // A second award of the same order changes nothing and leaves the transaction usable.
  const auto again = Write([&](Tx& tx) {
    const bool second = tx.Loyalty().Award(user.id, kOrderId, 33);
    const bool other = tx.Loyalty().Award(user.id, kOtherOrderId, 7);
    return std::pair{second, other};
  });
  EXPECT_FALSE(again.first);
  EXPECT_TRUE(again.second);
  const auto account = Read([&](Tx& tx) { return tx.Loyalty().GetAccount(user.id); });
  EXPECT_EQ(account.points_balance, 40);
  EXPECT_EQ(account.lifetime_points, 40);

  const auto ledger = Read([&](Tx& tx) { return tx.Loyalty().Transactions(user.id, 10); });
  ASSERT_EQ(ledger.size(), 2U);
  EXPECT_EQ(ledger[0].order_id, kOtherOrderId);
  EXPECT_EQ(ledger[0].kind, "award");
  EXPECT_EQ(ledger[0].points, 7);
  EXPECT_EQ(ledger[0].unrecovered_points, 0);
  EXPECT_EQ(ledger[1].order_id, kOrderId);
  EXPECT_EQ(ledger[1].points, 33);
  EXPECT_GT(ledger[0].id, ledger[1].id);
  EXPECT_GE(ledger[0].created_at, ledger[1].created_at);
}

TEST_P(StorageContract, AccountsAreKeptPerCustomer) {
  const auto a = AddUser("nia@example.com");
  const auto b = AddUser("obi@example.com");
  const auto latte = AddCoffee("Latte", 350);
  PlaceOrder(MakeOrder(kOrderId, a.id, {{latte, 1, 350}}, OrderTime(0)));
  PlaceOrder(MakeOrder(kOtherOrderId, b.id, {{latte, 1, 350}}, OrderTime(1)));
  Write([&](Tx& tx) {
    tx.Loyalty().Award(a.id, kOrderId, 10);
    tx.Loyalty().Award(b.id, kOtherOrderId, 25);
  });
  EXPECT_EQ(Read([&](Tx& tx) { return tx.Loyalty().GetAccount(a.id); }).points_balance, 10);
  EXPECT_EQ(Read([&](Tx& tx) { return tx.Loyalty().GetAccount(b.id); }).points_balance, 25);
  EXPECT_EQ(Read([&](Tx& tx) { return tx.Loyalty().Transactions(a.id, 10); }).size(), 1U);
}

TEST_P(StorageContract, ReverseTakesBackAtMostTheBalanceAndOnlyOnce) {
  const auto user = AddUser("pam@example.com");
  const auto latte = AddCoffee("Latte", 350);
  PlaceOrder(MakeOrder(kOrderId, user.id, {{latte, 1, 350}}, OrderTime(0)));
  PlaceOrder(MakeOrder(kOtherOrderId, user.id, {{latte, 1, 350}}, OrderTime(1)));
  Write([&](Tx& tx) {
    tx.Loyalty().Award(user.id, kOrderId, 40);
    tx.Loyalty().Award(user.id, kOtherOrderId, 30);
  });

  // Fully covered by the balance.
  EXPECT_EQ(Write([&](Tx& tx) { return tx.Loyalty().Reverse(user.id, kOrderId, 40); }),
            std::optional<std::int64_t>{40});
  auto account = Read([&](Tx& tx) { return tx.Loyalty().GetAccount(user.id); });
  EXPECT_EQ(account.points_balance, 30);
  EXPECT_EQ(account.lifetime_points, 70);

  // The customer spent points meanwhile: only what is left can be taken back.
  test_db_->Exec("UPDATE customer_loyalty SET points_balance = 10 WHERE user_id = " +
                 std::to_string(user.id.value));
  EXPECT_EQ(Write([&](Tx& tx) { return tx.Loyalty().Reverse(user.id, kOtherOrderId, 30); }),
            std::optional<std::int64_t>{10});
  account = Read([&](Tx& tx) { return tx.Loyalty().GetAccount(user.id); });
  EXPECT_EQ(account.points_balance, 0);
  EXPECT_EQ(account.lifetime_points, 70);

  // A second reversal of the same order changes nothing and leaves the transaction usable.
  const auto again = Write([&](Tx& tx) {
    const auto second = tx.Loyalty().Reverse(user.id, kOtherOrderId, 30);
    return std::pair{second, tx.Loyalty().GetAccount(user.id).points_balance};
  });
  EXPECT_FALSE(again.first.has_value());
  EXPECT_EQ(again.second, 0);

  const auto ledger = Read([&](Tx& tx) { return tx.Loyalty().Transactions(user.id, 10); });
  ASSERT_EQ(ledger.size(), 4U);
  EXPECT_EQ(ledger[0].kind, "reversal");
  EXPECT_EQ(ledger[0].order_id, kOtherOrderId);
  EXPECT_EQ(ledger[0].points, -10);
  EXPECT_EQ(ledger[0].unrecovered_points, 20);
  EXPECT_EQ(ledger[1].kind, "reversal");
  EXPECT_EQ(ledger[1].order_id, kOrderId);
  EXPECT_EQ(ledger[1].points, -40);
  EXPECT_EQ(ledger[1].unrecovered_points, 0);
  EXPECT_EQ(ledger[2].kind, "award");
  EXPECT_EQ(ledger[3].kind, "award");

  const auto latest = Read([&](Tx& tx) { return tx.Loyalty().Transactions(user.id, 1); });
  ASSERT_EQ(latest.size(), 1U);
  EXPECT_EQ(latest[0].id, ledger[0].id);
}

TEST_P(StorageContract, ReverseWithoutAccountTakesNothingAndRecordsIt) {
  const auto user = AddUser("quentin@example.com");
  const auto latte = AddCoffee("Latte", 350);
  PlaceOrder(MakeOrder(kOrderId, user.id, {{latte, 1, 350}}, OrderTime(0)));
  EXPECT_EQ(Write([&](Tx& tx) { return tx.Loyalty().Reverse(user.id, kOrderId, 12); }),
            std::optional<std::int64_t>{0});
  const auto account = Read([&](Tx& tx) { return tx.Loyalty().GetAccount(user.id); });
  EXPECT_EQ(account.points_balance, 0);
  EXPECT_EQ(account.lifetime_points, 0);
  const auto ledger = Read([&](Tx& tx) { return tx.Loyalty().Transactions(user.id, 10); });
  ASSERT_EQ(ledger.size(), 1U);
  EXPECT_EQ(ledger[0].kind, "reversal");
  EXPECT_EQ(ledger[0].points, 0);
  EXPECT_EQ(ledger[0].unrecovered_points, 12);
}

app::IdempotentResponse Response(std::string body, domain::Instant expires_at,
                                 std::optional<domain::OrderId> order_id = std::nullopt) {
  return {"a3f1c9e0b2d4", 201, std::move(body), std::move(order_id), expires_at};
}

TEST_P(StorageContract, IdempotentResponseIsStoredAndFoundUntilItExpires) {
  const auto user = AddUser("rita@example.com");
  const auto latte = AddCoffee("Latte", 350);
  PlaceOrder(MakeOrder(kOrderId, user.id, {{latte, 1, 350}}, OrderTime(0)));
  const auto now = OrderTime(0);
  const auto expires = OrderTime(60 * 24);
  EXPECT_FALSE(Read([&](Tx& tx) { return tx.Idempotency().Find(user.id, "key-1", now); }));
  EXPECT_TRUE(Write([&](Tx& tx) {
    return tx.Idempotency().Insert(
        user.id, "key-1", Response(R"({"id":"x","total":"7.87"})", expires, kOrderId), now);
  }));

  const auto found = Read([&](Tx& tx) { return tx.Idempotency().Find(user.id, "key-1", now); });
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->request_hash, "a3f1c9e0b2d4");
  EXPECT_EQ(found->status_code, 201);
  EXPECT_EQ(found->response_body, R"({"id":"x","total":"7.87"})");
  EXPECT_EQ(found->order_id, kOrderId);
  EXPECT_EQ(found->expires_at, expires);

  // Still there at its expiry instant; gone once that instant has passed.
  EXPECT_TRUE(Read([&](Tx& tx) { return tx.Idempotency().Find(user.id, "key-1", expires); }));
  const auto after = expires + std::chrono::microseconds(1);
  EXPECT_FALSE(Read([&](Tx& tx) { return tx.Idempotency().Find(user.id, "key-1", after); }));

  // Keys belong to one user.
  const auto other = AddUser("sam@example.com");
  EXPECT_FALSE(Read([&](Tx& tx) { return tx.Idempotency().Find(other.id, "key-1", now); }));
  EXPECT_FALSE(Read([&](Tx& tx) { return tx.Idempotency().Find(user.id, "key-2", now); }));
}

TEST_P(StorageContract, DuplicateUnexpiredIdempotencyKeyIsRefused) {
  const auto user = AddUser("tom@example.com");
  const auto other = AddUser("uma@example.com");
  const auto now = OrderTime(0);
  const auto expires = OrderTime(60);
  EXPECT_TRUE(Write([&](Tx& tx) {
    return tx.Idempotency().Insert(user.id, "k", Response("first", expires), now);
  }));
  const auto result = Write([&](Tx& tx) {
    const bool duplicate =
        tx.Idempotency().Insert(user.id, "k", Response("second", expires), OrderTime(30));
    // The transaction stays usable: the same key of another user is a different row.
    const bool others = tx.Idempotency().Insert(other.id, "k", Response("other", expires), now);
    return std::pair{duplicate, others};
  });
  EXPECT_FALSE(result.first);
  EXPECT_TRUE(result.second);
  const auto found = Read([&](Tx& tx) { return tx.Idempotency().Find(user.id, "k", now); });
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->response_body, "first");
  EXPECT_FALSE(found->order_id.has_value());
  EXPECT_EQ(Read([&](Tx& tx) { return tx.Idempotency().Find(other.id, "k", now); })->response_body,
            "other");
}

TEST_P(StorageContract, ExpiredIdempotencyKeyIsReplacedByInsert) {
  const auto user = AddUser("vic@example.com");
  EXPECT_TRUE(Write([&](Tx& tx) {
    return tx.Idempotency().Insert(user.id, "k", Response("old", OrderTime(10)), OrderTime(0));
  }));
  const auto later = OrderTime(11);
  EXPECT_FALSE(Read([&](Tx& tx) { return tx.Idempotency().Find(user.id, "k", later); }));
  EXPECT_TRUE(Write([&](Tx& tx) {
    return tx.Idempotency().Insert(user.id, "k", Response("new", OrderTime(100)), later);
  }));
  const auto found = Read([&](Tx& tx) { return tx.Idempotency().Find(user.id, "k", later); });
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->response_body, "new");
  EXPECT_EQ(found->expires_at, OrderTime(100));
}

TEST_P(StorageContract, DeleteExpiredRemovesOnlyExpiredRows) {
  const auto user = AddUser("wes@example.com");
  Write([&](Tx& tx) {
    tx.Idempotency().Insert(user.id, "a", Response("a", OrderTime(10)), OrderTime(0));
    tx.Idempotency().Insert(user.id, "b", Response("b", OrderTime(20)), OrderTime(0));
    tx.Idempotency().Insert(user.id, "c", Response("c", OrderTime(30)), OrderTime(0));
  });
  EXPECT_EQ(Write([](Tx& tx) { return tx.Idempotency().DeleteExpired(OrderTime(5)); }), 0);
  EXPECT_EQ(Write([](Tx& tx) { return tx.Idempotency().DeleteExpired(OrderTime(25)); }), 2);
  EXPECT_EQ(test_db_->QueryValue("SELECT count(*) FROM idempotency_keys"), "1");
  EXPECT_TRUE(Read([&](Tx& tx) { return tx.Idempotency().Find(user.id, "c", OrderTime(25)); }));
  EXPECT_EQ(Write([](Tx& tx) { return tx.Idempotency().DeleteExpired(OrderTime(25)); }), 0);
}

app::RuleSetVersion MakeVersion(std::int64_t number, std::optional<domain::UserId> actor,
                                std::string source, std::optional<std::int64_t> restored_from) {
  app::RuleSetVersion v;
  v.version = number;
  v.actor_id = actor;
  v.source = std::move(source);
  v.restored_from = restored_from;
  v.summary = "summary " + std::to_string(number);
  v.document = R"({"n":)" + std::to_string(number) + "}";
  v.created_at = At(1'767'225'600'000'000 + number * 1'000'000 + 123);
  return v;
}

TEST_P(StorageContract, RuleSetVersionsAreStoredListedNewestFirstAndFound) {
  const auto admin = AddUser("admin@example.com", domain::Role::kAdmin);
  EXPECT_EQ(Read([](Tx& tx) { return tx.Rules().LatestVersion(); }), 0);
  EXPECT_EQ(Read([](Tx& tx) { return tx.Rules().LoadAll().version; }), 0);
  EXPECT_FALSE(Read([](Tx& tx) { return tx.Rules().FindVersion(1); }).has_value());
  Write([&](Tx& tx) { tx.Rules().InsertVersion(MakeVersion(1, std::nullopt, "initial", {})); });
  Write([&](Tx& tx) { tx.Rules().InsertVersion(MakeVersion(2, admin.id, "change", {})); });
  Write([&](Tx& tx) { tx.Rules().InsertVersion(MakeVersion(3, admin.id, "restore", 1)); });

  EXPECT_EQ(Read([](Tx& tx) { return tx.Rules().LatestVersion(); }), 3);
  EXPECT_EQ(Read([](Tx& tx) { return tx.Rules().LoadAll().version; }), 3);
  EXPECT_EQ(Read([](Tx& tx) { return tx.Rules().CountVersions(); }), 3);
  const auto all = Read([](Tx& tx) { return tx.Rules().ListVersions(0, 10); });
  ASSERT_EQ(all.size(), 3U);
  EXPECT_EQ(all[0].version, 3);
  EXPECT_EQ(all[1].version, 2);
  EXPECT_EQ(all[2].version, 1);
  EXPECT_TRUE(all[0].document.empty());  // listings leave the documents out
  EXPECT_EQ(all[0].restored_from, 1);
  EXPECT_EQ(all[0].source, "restore");
  EXPECT_FALSE(all[2].actor_id.has_value());
  const auto page = Read([](Tx& tx) { return tx.Rules().ListVersions(1, 1); });
  ASSERT_EQ(page.size(), 1U);
  EXPECT_EQ(page[0].version, 2);

  const auto found = Read([](Tx& tx) { return tx.Rules().FindVersion(2); });
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->actor_id, admin.id);
  EXPECT_EQ(found->source, "change");
  EXPECT_FALSE(found->restored_from.has_value());
  EXPECT_EQ(found->summary, "summary 2");
  EXPECT_EQ(Compact(found->document), R"({"n":2})");
  EXPECT_EQ(found->created_at, MakeVersion(2, std::nullopt, "", {}).created_at);
}

TEST_P(StorageContract, ConcurrentVersionWritersGetConsecutiveNumbers) {
  // Each writer takes the lock, reads the newest number and stores the next: without the lock
  // two PostgreSQL transactions would read the same number and one would fail on the key.
  constexpr int kWriters = 8;
  const int wins = ConcurrentWins(kWriters, [](Tx& tx) {
    tx.Rules().LockVersions();
    const auto next = tx.Rules().LatestVersion() + 1;
    tx.Rules().InsertVersion(MakeVersion(next, std::nullopt, "change", {}));
    return true;
  });
  EXPECT_EQ(wins, kWriters);
  EXPECT_EQ(Read([](Tx& tx) { return tx.Rules().LatestVersion(); }), kWriters);
  EXPECT_EQ(Read([](Tx& tx) { return tx.Rules().CountVersions(); }), kWriters);
}

TEST_P(StorageContract, DeleteAvailabilityAndPrepTimeRemoveOnlyThatCoffeesRow) {
  const auto mocha = AddCoffee("Mocha", 500);
  const auto latte = AddCoffee("Latte", 400);
  Write([&](Tx& tx) {
    domain::Availability a;
    a.coffee_id = mocha.id;
    a.status = domain::AvailabilityStatus::kOutOfStock;
    tx.Rules().UpsertAvailability(a);
    a.coffee_id = latte.id;
    tx.Rules().UpsertAvailability(a);
    tx.Rules().UpsertPrepTime({mocha.id, 5, 2, {}});
    tx.Rules().UpsertPrepTime({latte.id, 4, 1, {}});
  });
  EXPECT_TRUE(Write([&](Tx& tx) { return tx.Rules().DeleteAvailability(mocha.id); }));
  EXPECT_FALSE(Write([&](Tx& tx) { return tx.Rules().DeleteAvailability(mocha.id); }));
  EXPECT_TRUE(Write([&](Tx& tx) { return tx.Rules().DeletePrepTime(latte.id); }));
  EXPECT_FALSE(Write([&](Tx& tx) { return tx.Rules().DeletePrepTime(latte.id); }));
  EXPECT_FALSE(Read([&](Tx& tx) { return tx.Rules().FindAvailability(mocha.id); }).has_value());
  EXPECT_TRUE(Read([&](Tx& tx) { return tx.Rules().FindAvailability(latte.id); }).has_value());
  EXPECT_TRUE(Read([&](Tx& tx) { return tx.Rules().FindPrepTime(mocha.id); }).has_value());
  EXPECT_FALSE(Read([&](Tx& tx) { return tx.Rules().FindPrepTime(latte.id); }).has_value());
}

INSTANTIATE_TEST_SUITE_P(Contract, StorageContract, ::testing::ValuesIn(AllBackends()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           return param_info.param;
                         });

}  // namespace
}  // namespace coffee
