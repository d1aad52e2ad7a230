#include "domain/order_id.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace coffee::domain {
namespace {

TEST(OrderId, ParsesACanonicalUuidAndLowerCasesIt) {
  const auto lower = OrderId::Parse("6f1d1c2e-3b4a-4c5d-8e9f-0a1b2c3d4e5f");
  ASSERT_TRUE(lower.has_value());
  EXPECT_EQ(lower->str(), "6f1d1c2e-3b4a-4c5d-8e9f-0a1b2c3d4e5f");
  const auto upper = OrderId::Parse("6F1D1C2E-3B4A-4C5D-8E9F-0A1B2C3D4E5F");
  ASSERT_TRUE(upper.has_value());
  EXPECT_EQ(*upper, *lower);
  EXPECT_EQ(upper->str(), lower->str());
}

TEST(OrderId, RefusesAnythingButThe8_4_4_4_12HexForm) {
  for (const char* text : {"", "not-a-uuid", "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz",
                           "6f1d1c2e-3b4a-4c5d-8e9f-0a1b2c3d4e5",    // 35 characters
                           "6f1d1c2e-3b4a-4c5d-8e9f-0a1b2c3d4e5f0",  // 37
                           "6f1d1c2e3b4a-4c5d-8e9f-0a1b2c3d4e5f-",   // dash misplaced
                           "6f1d1c2e-3b4a-4c5d-8e9f-0a1b2c3d4e5g",   // g is not hex
                           "{f1d1c2e-3b4a-4c5d-8e9f-0a1b2c3d4e5}",   // braces
                           "'; DROP TABLE orders; --             "}) {
    EXPECT_FALSE(OrderId::Parse(text).has_value()) << text;
  }
}

TEST(OrderId, NewIdsAreVersion4VariantRfc4122AndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const OrderId id = OrderId::New();
    const std::string& text = id.str();
    ASSERT_EQ(text.size(), 36U);
    EXPECT_EQ(text[14], '4') << text;
    EXPECT_NE(std::string("89ab").find(text[19]), std::string::npos) << text;
    EXPECT_EQ(OrderId::Parse(text), id);
    seen.insert(text);
  }
  EXPECT_EQ(seen.size(), 1000U);
}

TEST(OrderId, DefaultIsTheNilUuid) {
  EXPECT_EQ(OrderId().str(), "00000000-0000-0000-0000-000000000000");
  EXPECT_EQ(OrderId::Parse(OrderId().str()), OrderId());
}

}  // namespace
}  // namespace coffee::domain
