#include "storage/migrations.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace coffee::storage {
namespace {

const std::vector<Migration>& Embedded() {
  static const std::vector<Migration> kEmbedded = {
      {1, "initial_schema", "CREATE TABLE a (id INTEGER);"},
      {2, "add_b", "CREATE TABLE b (id INTEGER);"},
      {3, "add_c", "CREATE TABLE c (id INTEGER);"},
  };
  return kEmbedded;
}

AppliedMigration Applied(const Migration& m, std::string at = "2026-01-01T00:00:00.000000Z") {
  return {m.name, MigrationChecksum(m.sql), std::move(at)};
}

TEST(Migrations, ChecksumIsTheHexSha256OfTheSql) {
  EXPECT_EQ(MigrationChecksum(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(MigrationChecksum("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Migrations, UnchangedAppliedMigrationsPassTheChecksumCheck) {
  AppliedMigrations applied{{1, Applied(Embedded()[0])}, {2, Applied(Embedded()[1])}};
  EXPECT_NO_THROW(CheckAppliedChecksums(Embedded(), applied));
  EXPECT_NO_THROW(CheckAppliedChecksums(Embedded(), {}));
}

TEST(Migrations, AChangedAppliedMigrationIsAnErrorNamingIt) {
  AppliedMigrations applied{{1, Applied(Embedded()[0])}, {2, Applied(Embedded()[1])}};
  applied[2].checksum = MigrationChecksum("CREATE TABLE b (id BIGINT);");
  try {
    CheckAppliedChecksums(Embedded(), applied);
    FAIL() << "a changed migration passed";
  } catch (const MigrationError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("migration 2 (add_b) was changed after it was applied"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find(applied[2].checksum + " in the database"), std::string::npos);
  }
}

TEST(Migrations, PendingAreTheUnappliedOnesInOrder) {
  AppliedMigrations applied{{2, Applied(Embedded()[1])}};
  const auto pending = PendingMigrations(Embedded(), applied);
  ASSERT_EQ(pending.size(), 2U);
  EXPECT_EQ(pending[0].version, 1);
  EXPECT_EQ(pending[1].version, 3);
  EXPECT_TRUE(PendingMigrations(Embedded(), {{1, Applied(Embedded()[0])},
                                             {2, Applied(Embedded()[1])},
                                             {3, Applied(Embedded()[2])}})
                  .empty());
}

TEST(Migrations, StatesMergeEmbeddedAndAppliedByVersion) {
  AppliedMigrations applied{{1, Applied(Embedded()[0], "2026-01-01T10:00:00.000000Z")},
                            {2, Applied(Embedded()[1])}};
  applied[2].checksum = "0000";
  // Applied by a newer binary: this one does not embed it.
  applied[7] = AppliedMigration{"from_the_future", "abcd", "2026-02-01T00:00:00.000000Z"};

  const auto states = MigrationStates(Embedded(), applied);
  ASSERT_EQ(states.size(), 4U);
  EXPECT_EQ(states[0].version, 1);
  EXPECT_TRUE(states[0].applied);
  EXPECT_FALSE(states[0].checksum_mismatch);
  EXPECT_EQ(states[0].applied_at, "2026-01-01T10:00:00.000000Z");
  EXPECT_EQ(states[0].checksum, MigrationChecksum(Embedded()[0].sql));

  EXPECT_EQ(states[1].version, 2);
  EXPECT_TRUE(states[1].applied);
  EXPECT_TRUE(states[1].checksum_mismatch);
  EXPECT_EQ(states[1].checksum, MigrationChecksum(Embedded()[1].sql)) << "the embedded one";

  EXPECT_EQ(states[2].version, 3);
  EXPECT_EQ(states[2].name, "add_c");
  EXPECT_FALSE(states[2].applied);
  EXPECT_FALSE(states[2].applied_at.has_value());

  EXPECT_EQ(states[3].version, 7);
  EXPECT_EQ(states[3].name, "from_the_future");
  EXPECT_EQ(states[3].checksum, "abcd");
  EXPECT_TRUE(states[3].applied);
  EXPECT_FALSE(states[3].checksum_mismatch);
}

TEST(Migrations, EveryBackendEmbedsTheSameVersionsInOrder) {
  const auto sqlite = EmbeddedMigrations("sqlite");
  const auto postgres = EmbeddedMigrations("postgres");
  ASSERT_FALSE(sqlite.empty());
  ASSERT_EQ(sqlite.size(), postgres.size());
  // Versions are 1, 2, 3, … without a gap, and match across backends.
  for (std::size_t i = 0; i < sqlite.size(); ++i) {
    EXPECT_EQ(sqlite[i].version, static_cast<int>(i) + 1);
    EXPECT_EQ(sqlite[i].version, postgres[i].version);
    EXPECT_EQ(sqlite[i].name, postgres[i].name);
  }
}

}  // namespace
}  // namespace coffee::storage
