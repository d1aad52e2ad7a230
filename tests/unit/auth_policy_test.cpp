#include <gtest/gtest.h>

#include "app/auth_service.hpp"
#include "app/coffee_service.hpp"

namespace coffee::app {
namespace {

TEST(PasswordPolicy, AcceptsAStrongPassword) {
  EXPECT_FALSE(CheckPasswordPolicy("Espresso42").has_value());
}

TEST(PasswordPolicy, ListsEveryProblemJoinedWithCommas) {
  EXPECT_EQ(CheckPasswordPolicy("abc"),
            "must be at least 8 characters, must contain an uppercase letter, must contain a "
            "digit");
  EXPECT_EQ(CheckPasswordPolicy("ALLUPPER1"), "must contain a lowercase letter");
  EXPECT_EQ(CheckPasswordPolicy("password"),
            "must contain an uppercase letter, must contain a digit");
  EXPECT_EQ(CheckPasswordPolicy(""),
            "must be at least 8 characters, must contain an uppercase letter, must contain a "
            "lowercase letter, must contain a digit");
}

TEST(Email, ValidatesSyntax) {
  for (const char* ok : {"a@b.co", "test@example.com", "first.last+tag@sub.example.org"}) {
    EXPECT_TRUE(IsValidEmail(ok)) << ok;
  }
  for (const char* bad : {"", "plain", "@example.com", "a@", "a@b", "a@@b.com", "a b@c.com",
                          "a@b..com", "a@.com", "a@b.com.", "a@-b.com"}) {
    EXPECT_FALSE(IsValidEmail(bad)) << bad;
  }
}

TEST(Email, IsNormalisedToTrimmedLowerCase) {
  EXPECT_EQ(NormalizeEmail("  Ann@Example.COM "), "ann@example.com");
}

TEST(CoffeeQuery, DefaultsToFirstPageOfTenById) {
  auto q = ParseCoffeeQuery({});
  ASSERT_TRUE(q);
  EXPECT_EQ(q->offset, 0);
  EXPECT_EQ(q->limit, 10);
  EXPECT_EQ(q->sort, CoffeeSort::kId);
  EXPECT_FALSE(q->descending);
}

TEST(CoffeeQuery, RatingSortsBestFirstUnlessOrderSaysOtherwise) {
  EXPECT_TRUE(ParseCoffeeQuery({{"sort", "rating"}})->descending);
  EXPECT_FALSE(ParseCoffeeQuery({{"sort", "rating"}, {"order", "asc"}})->descending);
  EXPECT_FALSE(ParseCoffeeQuery({{"sort", "price"}})->descending);
  EXPECT_TRUE(ParseCoffeeQuery({{"sort", "name"}, {"order", "desc"}})->descending);
}

TEST(CoffeeQuery, ReadsFiltersAndPage) {
  auto q = ParseCoffeeQuery({{"search", "lat"},
                             {"type_filter", "With Milk"},
                             {"min_price", "3.5"},
                             {"max_price", "5"},
                             {"page", "3"},
                             {"limit", "5"}});
  ASSERT_TRUE(q);
  EXPECT_EQ(q->search, "lat");
  EXPECT_EQ(q->type_filter, "With Milk");
  EXPECT_EQ(q->min_price->cents(), 350);
  EXPECT_EQ(q->max_price->cents(), 500);
  EXPECT_EQ(q->offset, 10);
  EXPECT_EQ(q->limit, 5);
}

TEST(CoffeeQuery, BadParametersAreNamed) {
  struct Case {
    QueryParams params;
    const char* field;
  };
  const std::vector<Case> cases = {
      {{{"page", "0"}}, "page"},
      {{{"page", "x"}}, "page"},
      {{{"limit", "101"}}, "limit"},
      {{{"limit", "0"}}, "limit"},
      {{{"min_price", "0"}}, "min_price"},
      {{{"max_price", "-1"}}, "max_price"},
      {{{"min_price", "1.234"}}, "min_price"},
      {{{"min_price", "5"}, {"max_price", "4"}}, "min_price"},
      {{{"sort", "popularity"}}, "sort"},
      {{{"order", "up"}}, "order"},
  };
  for (const auto& c : cases) {
    auto q = ParseCoffeeQuery(c.params);
    ASSERT_FALSE(q) << c.field;
    EXPECT_TRUE(q.error().fields.contains(c.field)) << c.field << ": " << q.error().details;
    EXPECT_EQ(q.error().code, ErrorCode::kValidation);
  }
}

TEST(CoffeeValidation, ChecksEveryField) {
  domain::NewCoffee c{"", "", domain::Money::FromCents(0), 6.0, "ftp://x"};
  auto r = ValidateNewCoffee(c);
  ASSERT_FALSE(r);
  for (const char* f : {"name", "coffee_type", "price", "rating", "image_url"}) {
    EXPECT_TRUE(r.error().fields.contains(f)) << f;
  }
  EXPECT_EQ(r.error().fields.at("price"), "must be greater than 0");
  domain::NewCoffee ok{"Ristretto", "Short", domain::Money::FromCents(100000), 5.0,
                       "https://images.example.com/r.jpg"};
  EXPECT_TRUE(ValidateNewCoffee(ok));
  ok.price = domain::Money::FromCents(100001);
  EXPECT_EQ(ValidateNewCoffee(ok).error().fields.at("price"), "must be at most 1000");
  ok.price = domain::Money::FromCents(100);
  ok.name = std::string(101, 'x');
  EXPECT_FALSE(ValidateNewCoffee(ok));
}

}  // namespace
}  // namespace coffee::app
