#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

/// Migrations: the embedded SQL files and the bookkeeping both adapters share. Everything here
/// is pure; the adapters read and write schema_migrations.
namespace coffee::storage {

/// One embedded migration file (migrations/<backend>/NNNN_name.sql).
struct Migration {
  int version = 0;
  std::string name;  // "initial_schema"
  std::string_view sql;
};

/// The embedded migrations of a backend ("sqlite" or "postgres"), ascending by version.
std::vector<Migration> EmbeddedMigrations(std::string_view backend);
/// Lowercase hex SHA-256 of a migration's SQL text.
std::string MigrationChecksum(std::string_view sql);

/// A row of schema_migrations, by version.
struct AppliedMigration {
  std::string name;
  std::string checksum;
  std::string applied_at;  // RFC 3339
};
using AppliedMigrations = std::map<int, AppliedMigration>;

/// What `coffee-api migrate info` prints for one migration.
struct MigrationState {
  int version = 0;
  std::string name;
  std::string checksum;
  bool applied = false;
  std::optional<std::string> applied_at;  // RFC 3339
  bool checksum_mismatch = false;         // applied with different SQL than embedded now
};

/// A migration failed, or an applied migration no longer matches the embedded one.
class MigrationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// "migration 2 (prep_queue_total)", for messages.
std::string DescribeMigration(const Migration& migration);

/// Throws MigrationError naming the first applied migration whose checksum differs from the
/// embedded one (the database would silently differ from what the code expects).
void CheckAppliedChecksums(const std::vector<Migration>& embedded,
                           const AppliedMigrations& applied);

/// The embedded migrations that are not applied yet, ascending.
std::vector<Migration> PendingMigrations(const std::vector<Migration>& embedded,
                                         const AppliedMigrations& applied);

/// Every embedded and every applied migration, ascending by version: embedded ones marked
/// applied (with a checksum mismatch when the SQL changed) or pending; applied ones unknown to
/// this binary (a newer binary's) as applied with their recorded name and checksum.
std::vector<MigrationState> MigrationStates(const std::vector<Migration>& embedded,
                                            const AppliedMigrations& applied);

}  // namespace coffee::storage
