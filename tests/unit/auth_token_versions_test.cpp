#include "app/auth_token_versions.hpp"

#include <gtest/gtest.h>

namespace coffee::app {
namespace {

TEST(TokenVersions, UnknownUsersAreAtZeroAndAVersionNeverGoesBack) {
  TokenVersions versions;
  EXPECT_EQ(versions.Get(domain::UserId{7}), 0);
  versions.Raise(domain::UserId{7}, 2);
  versions.Raise(domain::UserId{7}, 1);  // a late notice
  EXPECT_EQ(versions.Get(domain::UserId{7}), 2);
  versions.Raise(domain::UserId{7}, 3);
  EXPECT_EQ(versions.Get(domain::UserId{7}), 3);
  EXPECT_EQ(versions.Get(domain::UserId{8}), 0);
}

TEST(TokenVersions, AReloadReplacesTheMapButKeepsNewerNoticesAndClearsStale) {
  TokenVersions versions;
  versions.Raise(domain::UserId{1}, 5);  // heard while the database was being read
  versions.Raise(domain::UserId{2}, 1);
  versions.MarkStale();
  EXPECT_TRUE(versions.stale());
  versions.Replace({{domain::UserId{1}, 4}, {domain::UserId{3}, 2}});
  EXPECT_FALSE(versions.stale());
  EXPECT_EQ(versions.Get(domain::UserId{1}), 5);
  EXPECT_EQ(versions.Get(domain::UserId{2}), 1);
  EXPECT_EQ(versions.Get(domain::UserId{3}), 2);
}

}  // namespace
}  // namespace coffee::app
