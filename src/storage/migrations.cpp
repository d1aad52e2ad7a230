#include "storage/migrations.hpp"

#include <sodium.h>

#include <array>

namespace coffee::storage {

std::string MigrationChecksum(std::string_view sql) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(sql.data()), sql.size());
  static constexpr std::string_view kHex = "0123456789abcdef";
  std::string out;
  out.reserve(digest.size() * 2);
  for (unsigned char b : digest) {
    out += kHex[b >> 4U];
    out += kHex[b & 0xFU];
  }
  return out;
}

std::string DescribeMigration(const Migration& migration) {
  return "migration " + std::to_string(migration.version) + " (" + migration.name + ")";
}

void CheckAppliedChecksums(const std::vector<Migration>& embedded,
                           const AppliedMigrations& applied) {
  for (const auto& m : embedded) {
    const auto it = applied.find(m.version);
    if (it == applied.end()) continue;
    const std::string checksum = MigrationChecksum(m.sql);
    if (it->second.checksum != checksum) {
      throw MigrationError(DescribeMigration(m) + " was changed after it was applied: checksum " +
                           it->second.checksum + " in the database, " + checksum + " embedded");
    }
  }
}

std::vector<Migration> PendingMigrations(const std::vector<Migration>& embedded,
                                         const AppliedMigrations& applied) {
  std::vector<Migration> pending;
  for (const auto& m : embedded) {
    if (!applied.contains(m.version)) pending.push_back(m);
  }
  return pending;
}

std::vector<MigrationState> MigrationStates(const std::vector<Migration>& embedded,
                                            const AppliedMigrations& applied) {
  std::map<int, MigrationState> states;
  for (const auto& m : embedded) {
    MigrationState s;
    s.version = m.version;
    s.name = m.name;
    s.checksum = MigrationChecksum(m.sql);
    if (const auto it = applied.find(m.version); it != applied.end()) {
      s.applied = true;
      s.applied_at = it->second.applied_at;
      s.checksum_mismatch = it->second.checksum != s.checksum;
    }
    states.emplace(m.version, std::move(s));
  }
  for (const auto& [version, a] : applied) {
    if (states.contains(version)) continue;
    states.emplace(version, MigrationState{version, a.name, a.checksum, true, a.applied_at, false});
  }
  std::vector<MigrationState> out;
  out.reserve(states.size());
  for (auto& [version, s] : states) out.push_back(std::move(s));
  return out;
}

}  // namespace coffee::storage
