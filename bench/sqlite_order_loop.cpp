// Reference limit for "Place order, SQLite" (BENCHMARKS.md): the inserts our server makes per
// order, done by a plain single-threaded loop with one durable commit per order, or per BATCH
// orders (the second reference: what group commit could reach at best).
//
//   sqlite_order_loop DB_PATH SCHEMA_SQL SECONDS [BATCH]
//
// Opens a fresh database at DB_PATH, applies the project's schema (read at run time from
// SCHEMA_SQL, migrations/sqlite/0001_initial_schema.sql), sets WAL, foreign_keys=ON and the
// same `synchronous` as the server (SQLITE_SYNCHRONOUS, NORMAL by default), inserts one user
// and two coffees, then for SECONDS does per order, with prepared statements:
//   BEGIN IMMEDIATE; INSERT orders; 2 x INSERT order_items;
//   5 x INSERT rule_audit_log (availability, 2 applied rules, pricing_summary, prep_time);
//   COMMIT (after every BATCH orders, default 1; the last partial batch is committed too)
// and prints `orders=N seconds=S orders_per_s=R synchronous=MODE batch=B`.
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>

namespace {

sqlite3* g_db = nullptr;

void Check(int rc, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    throw std::runtime_error(std::string(what) + ": " + sqlite3_errmsg(g_db));
  }
}

void Exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(g_db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string message = err != nullptr ? err : "unknown error";
    sqlite3_free(err);
    throw std::runtime_error("exec failed: " + message + " in: " + sql.substr(0, 80));
  }
}

sqlite3_stmt* Prepare(const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  Check(sqlite3_prepare_v3(g_db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr), sql);
  return stmt;
}

void Step(sqlite3_stmt* stmt, const char* what) {
  int rc = sqlite3_step(stmt);
  while (rc == SQLITE_ROW) rc = sqlite3_step(stmt);
  Check(rc, what);
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
}

void BindText(sqlite3_stmt* stmt, int index, const std::string& text) {
  sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

std::string Timestamp() {
  const auto now = std::chrono::system_clock::now();
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(micros / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(micros % 1000000));
  return buf;
}

std::string Uuid(std::mt19937_64& rng) {
  const std::uint64_t a = rng();
  const std::uint64_t b = rng();
  char buf[64];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4 && argc != 5) {
    std::fprintf(stderr, "usage: %s DB_PATH SCHEMA_SQL SECONDS [BATCH]\n", argv[0]);
    return 2;
  }
  const std::string path = argv[1];
  const double seconds = std::atof(argv[3]);
  const std::int64_t batch = argc == 5 ? std::max<std::int64_t>(1, std::atoll(argv[4])) : 1;
  const char* sync_env = std::getenv("SQLITE_SYNCHRONOUS");
  const std::string sync = sync_env != nullptr && *sync_env != '\0' ? sync_env : "NORMAL";
  try {
    std::ifstream schema_file(argv[2]);
    if (!schema_file) throw std::runtime_error(std::string("cannot read ") + argv[2]);
    std::stringstream schema;
    schema << schema_file.rdbuf();

    std::remove(path.c_str());
    std::remove((path + "-wal").c_str());
    std::remove((path + "-shm").c_str());
    Check(
        sqlite3_open_v2(path.c_str(), &g_db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr),
        "open");
    sqlite3_busy_timeout(g_db, 5000);
    Exec("PRAGMA foreign_keys = ON");
    Exec("PRAGMA journal_mode = WAL");
    Exec("PRAGMA synchronous = " + sync);
    Exec("BEGIN");
    Exec(schema.str());
    const std::string now = Timestamp();
    Exec(
        "INSERT INTO users (email, password_hash, role, created_at, updated_at) VALUES "
        "('bench@example.com', 'x', 'user', '" +
        now + "', '" + now + "')");
    Exec(
        "INSERT INTO coffees (name, coffee_type, price_cents, rating, created_at, updated_at) "
        "VALUES ('Espresso', 'espresso', 350, 4.5, '" +
        now + "', '" + now +
        "'), "
        "('Cappuccino', 'cappuccino', 450, 4.7, '" +
        now + "', '" + now + "')");
    Exec("COMMIT");

    sqlite3_stmt* begin = Prepare("BEGIN IMMEDIATE");
    sqlite3_stmt* commit = Prepare("COMMIT");
    sqlite3_stmt* order = Prepare(
        "INSERT INTO orders (id, user_id, status, payment_status, base_price_cents,"
        " discount_total_cents, total_price_cents, pricing_strategy, applied_rules,"
        " prep_work_minutes, estimated_prep_minutes, estimated_ready_at, loyalty_points_awarded,"
        " created_at, updated_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)");
    sqlite3_stmt* item = Prepare(
        "INSERT INTO order_items (order_id, coffee_id, coffee_name, quantity, price_snapshot_cents,"
        " subtotal_cents, discount_cents, final_cents) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
        " RETURNING id");
    sqlite3_stmt* audit = Prepare(
        "INSERT INTO rule_audit_log (order_id, rule_type, rule_id, rule_data, effect, created_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6)");

    const std::string applied =
        R"([{"rule_id":1,"description":"10% off orders of 3 or more items","discount":"1.15"},)"
        R"({"rule_id":3,"description":"Bench promotion: 5% off everything","discount":"0.58"}])";
    struct AuditRow {
      const char* type;
      std::int64_t rule_id;  // 0 = NULL
      const char* data;
      const char* effect;
    };
    const AuditRow audits[5] = {
        {"availability", 0, R"({"checked_coffee_ids":[1,2],"unavailable":[]})",
         "all items available"},
        {"pricing_rule", 1,
         R"({"description":"10% off orders of 3 or more items","discount":"1.15"})",
         "discount 1.15"},
        {"pricing_rule", 3,
         R"({"description":"Bench promotion: 5% off everything","discount":"0.58"})",
         "discount 0.58"},
        {"pricing_summary", 0,
         R"({"base_price":"11.50","discount_total":"1.73","final_price":"9.77",)"
         R"("strategy":"best_price","combination":"additive","capped":false,)"
         R"("rules_applied":2,"rules_not_applied":0})",
         "final price 9.77"},
        {"prep_time", 0,
         R"({"work_minutes":6,"queue_delay_minutes":0,"baristas":1,"estimated_prep_minutes":6})",
         "6 minutes"},
    };

    std::mt19937_64 rng{std::random_device{}()};
    std::int64_t orders = 0;
    const auto start = std::chrono::steady_clock::now();
    const auto deadline = start + std::chrono::duration<double>(seconds);
    auto end = start;
    while (true) {
      const std::string id = Uuid(rng);
      const std::string ts = Timestamp();
      if (orders % batch == 0) Step(begin, "BEGIN IMMEDIATE");
      BindText(order, 1, id);
      sqlite3_bind_int64(order, 2, 1);
      sqlite3_bind_text(order, 3, "pending", -1, SQLITE_STATIC);
      sqlite3_bind_text(order, 4, "unpaid", -1, SQLITE_STATIC);
      sqlite3_bind_int64(order, 5, 1150);
      sqlite3_bind_int64(order, 6, 173);
      sqlite3_bind_int64(order, 7, 977);
      sqlite3_bind_text(order, 8, "best_price:additive", -1, SQLITE_STATIC);
      BindText(order, 9, applied);
      sqlite3_bind_int64(order, 10, 6);
      sqlite3_bind_int64(order, 11, 6);
      BindText(order, 12, ts);
      sqlite3_bind_int64(order, 13, 0);
      BindText(order, 14, ts);
      BindText(order, 15, ts);
      Step(order, "INSERT orders");
      for (int line = 0; line < 2; ++line) {
        BindText(item, 1, id);
        sqlite3_bind_int64(item, 2, line + 1);
        sqlite3_bind_text(item, 3, line == 0 ? "Espresso" : "Cappuccino", -1, SQLITE_STATIC);
        sqlite3_bind_int64(item, 4, line == 0 ? 2 : 1);
        sqlite3_bind_int64(item, 5, line == 0 ? 350 : 450);
        sqlite3_bind_int64(item, 6, line == 0 ? 700 : 450);
        sqlite3_bind_int64(item, 7, line == 0 ? 105 : 68);
        sqlite3_bind_int64(item, 8, line == 0 ? 595 : 382);
        Step(item, "INSERT order_items");
      }
      for (const auto& a : audits) {
        BindText(audit, 1, id);
        sqlite3_bind_text(audit, 2, a.type, -1, SQLITE_STATIC);
        if (a.rule_id != 0)
          sqlite3_bind_int64(audit, 3, a.rule_id);
        else
          sqlite3_bind_null(audit, 3);
        sqlite3_bind_text(audit, 4, a.data, -1, SQLITE_STATIC);
        sqlite3_bind_text(audit, 5, a.effect, -1, SQLITE_STATIC);
        BindText(audit, 6, ts);
        Step(audit, "INSERT rule_audit_log");
      }
      ++orders;
      end = std::chrono::steady_clock::now();
      if (orders % batch == 0 || end >= deadline) Step(commit, "COMMIT");
      if (end >= deadline) break;
    }
    end = std::chrono::steady_clock::now();
    const double elapsed = std::chrono::duration<double>(end - start).count();
    std::printf("orders=%lld seconds=%.3f orders_per_s=%.1f synchronous=%s batch=%lld\n",
                static_cast<long long>(orders), elapsed, static_cast<double>(orders) / elapsed,
                sync.c_str(), static_cast<long long>(batch));
    for (sqlite3_stmt* s : {begin, commit, order, item, audit}) sqlite3_finalize(s);
    sqlite3_close_v2(g_db);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sqlite_order_loop: %s\n", e.what());
    return 1;
  }
  return 0;
}
