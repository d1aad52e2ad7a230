#include "server/application.hpp"

#include <malloc.h>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <condition_variable>
#include <cstddef>
#include <string>
#include <thread>

#include "app/login_throttle.hpp"
#include "app/scheduled_changes.hpp"
#include "http/handlers/handlers.hpp"
#include "http/handlers/rules_handlers.hpp"
#include "http/handlers/schedule_handlers.hpp"
#include "http/handlers/static_handlers.hpp"
#include "http/json/schedule_json.hpp"
#include "http/middleware/rate_limiter.hpp"
#include "http/server.hpp"
#include "rules/shop_clock.hpp"
#include "security/jwt.hpp"
#include "security/password_hasher.hpp"
#include "storage/postgres/shared_limits.hpp"

// jemalloc's control interface. The release binary links jemalloc (CMakeLists.txt,
// COFFEE_JEMALLOC), which then serves every malloc of the process; sanitizer builds, and so the
// tests, keep glibc's malloc, and this weak reference stays null.
extern "C" int mallctl(const char* name, void* oldp, std::size_t* oldlenp, void* newp,
                       std::size_t newlen) __attribute__((weak));

namespace coffee::server {

namespace asio = boost::asio;

/// How often the scheduler looks for due changes when nothing woke it (a missed announcement).
constexpr std::chrono::seconds kSchedulerSafetyInterval{30};

std::unique_ptr<storage::Database> OpenAndMigrate(const config::Config& config) {
  spdlog::info("Connecting to database...");
  auto db = storage::Open({config.database_url, config.database_max_connections,
                           config.sqlite_synchronous, config.database_query_timeout,
                           config.database_write_lanes});
  spdlog::info("Running database migrations...");
  const int applied = db->Migrate();
  spdlog::info("Migrations completed successfully");
  spdlog::debug("{} migration(s) applied", applied);
  return db;
}

/// Everything that exists only while serving.
namespace {

/// "jemalloc 5.3.0-0-g…" or "glibc malloc", for the start-up log.
std::string AllocatorName() {
  if (mallctl == nullptr) return "glibc malloc";
  const char* version = nullptr;
  std::size_t size = sizeof(version);
  if (mallctl("version", static_cast<void*>(&version), &size, nullptr, 0) != 0 ||
      version == nullptr) {
    return "jemalloc";
  }
  return std::string("jemalloc ") + version;
}

/// Hands the allocator's free memory back to the OS: with jemalloc, purges every arena's unused
/// dirty pages at once (it does so by itself over 10 s, but only while the process allocates);
/// with glibc, trims every arena.
void ReturnFreeMemory() {
  if (mallctl != nullptr) {
    mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0);  // 4096: MALLCTL_ARENAS_ALL
    return;
  }
  malloc_trim(0);
}

/// `count` single-threaded io_contexts (concurrency hint 1: each is run by one thread).
std::vector<std::unique_ptr<asio::io_context>> MakeContexts(int count) {
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  for (int i = 0; i < std::max(1, count); ++i) {
    contexts.push_back(std::make_unique<asio::io_context>(1));
  }
  return contexts;
}

app::LoginThrottleLimits LoginLimits(const config::Config& cfg) {
  app::LoginThrottleLimits limits;
  limits.failures_per_client = cfg.login_failures_per_client;
  limits.failures_per_account = cfg.login_failures_per_account;
  limits.window = cfg.login_failure_window;
  return limits;
}

/// The limits' shared store when LIMITS_STORE (auto: on PostgreSQL) puts them in the database,
/// else null (in memory, per instance). Its own pool, as large as the main one.
std::unique_ptr<storage::postgres::SharedLimits> SharedLimitsOf(const config::Config& cfg) {
  const bool postgres = !cfg.database_url.starts_with("sqlite://");
  if (cfg.limits_store == config::LimitsStore::kMemory ||
      (cfg.limits_store == config::LimitsStore::kAuto && !postgres)) {
    return nullptr;
  }
  return std::make_unique<storage::postgres::SharedLimits>(
      cfg.database_url, cfg.database_max_connections, cfg.database_query_timeout);
}

std::unique_ptr<app::LoginLimiter> LoginLimiterOf(const config::Config& cfg,
                                                  storage::postgres::SharedLimits* shared) {
  if (shared != nullptr) return shared->MakeLoginLimiter(LoginLimits(cfg));
  return std::make_unique<app::LoginThrottle>(LoginLimits(cfg));
}

}  // namespace

struct Application::Runtime {
  Runtime(const config::Config& cfg, storage::Database& db, const date::time_zone* zone)
      : metrics(cfg.slow_operation),
        hasher(std::max(1, static_cast<int>(std::thread::hardware_concurrency()))),
        tokens(cfg.jwt_secret, std::chrono::seconds{5}, cfg.jwt_secret_previous),
        shared_limits(SharedLimitsOf(cfg)),
        login_limiter(LoginLimiterOf(cfg, shared_limits.get())),
        auth(db, hasher, tokens, clock, cfg.refresh_token_ttl, *login_limiter),
        coffees(db),
        rules_cache(db, cfg.cache_ttl, zone, &metrics),
        rules_admin(db, rules_cache, clock),
        scheduled_changes(db, rules_admin, rules_cache, clock, http::json::DecodeRulesChange),
        scheduler(scheduled_changes, clock, kSchedulerSafetyInterval),
        orders(db, rules_cache, metrics, clock),
        reviews(db, coffees, clock),
        analytics(db, clock, zone),
        simulation(db, clock, zone),
        ios(MakeContexts(cfg.worker_threads)),
        // Workers block on the database or on Argon2: one per pooled connection plus one per
        // core for hashing, so neither starves the other.
        workers(static_cast<std::size_t>(cfg.database_max_connections) +
                std::max(1U, std::thread::hardware_concurrency())) {}

  app::SystemClock clock;
  app::Metrics metrics;
  security::Argon2PasswordHasher hasher;
  security::JwtTokenService tokens;
  std::unique_ptr<storage::postgres::SharedLimits> shared_limits;  // null: limits in memory
  std::unique_ptr<app::LoginLimiter> login_limiter;
  app::AuthService auth;
  app::CoffeeService coffees;
  app::RulesCache rules_cache;
  app::RulesAdminService rules_admin;
  app::ScheduledChangeService scheduled_changes;
  app::ChangeScheduler scheduler;  // stopped before the store and the cache go
  app::OrderService orders;
  std::unique_ptr<app::OrderEvents> order_events;  // listens on the feed: made last
  app::ReviewService reviews;
  app::AnalyticsService analytics;
  app::SimulationService simulation;
  http::Router router;
  std::unique_ptr<app::RequestLimiter> read_limiter;            // auto: reads, in memory
  std::unique_ptr<app::RequestLimiter> shared_request_limiter;  // auto: writes, in the database
  std::unique_ptr<app::RequestLimiter> request_limiter;         // null when rate limiting is off
  // One io_context per I/O thread (WORKER_THREADS of them), each run by its own thread: a
  // connection's handlers never hop between threads. The first also runs the acceptor and the
  // signal handler.
  std::vector<std::unique_ptr<asio::io_context>> ios;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
  asio::thread_pool workers;
  std::unique_ptr<http::Server> server;
  std::unique_ptr<asio::steady_timer> trim_timer;

  /// Every 30 s, on a worker: hands the allocator's free memory back to the OS. Otherwise
  /// memory freed after a burst stays resident: glibc keeps it in one malloc arena per busy
  /// thread (I/O loops, workers), and jemalloc returns it only as the process allocates again.
  void ScheduleTrim() {
    trim_timer->expires_after(std::chrono::seconds(30));
    trim_timer->async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      asio::post(workers, [] { ReturnFreeMemory(); });
      ScheduleTrim();
    });
  }
  std::vector<std::thread> io_threads;
  std::mutex mu;
  std::condition_variable cv;
  bool stop_requested = false;
};

Application::Application(config::Config config) : config_(std::move(config)) {
  const date::time_zone* zone = rules::FindTimeZone(config_.shop_timezone);
  if (zone == nullptr) {  // LoadConfig checked it; a Config built in code may not have been
    throw std::invalid_argument("SHOP_TIMEZONE: unknown IANA time zone '" + config_.shop_timezone +
                                "'");
  }
  database_ = OpenAndMigrate(config_);
  spdlog::info("Initializing authentication service...");
  runtime_ = std::make_unique<Runtime>(config_, *database_, zone);
  runtime_->auth.LoadTokenVersions();
  spdlog::info("Initializing business rules engine...");
  const std::int64_t rules_version = runtime_->rules_admin.RecordCurrentVersion();
  spdlog::info("Business rules are at rule-set version {}", rules_version);
  spdlog::info("Warming business rules cache...");
  runtime_->rules_cache.Warm();
  spdlog::info("Business rules cache warmed successfully");
  runtime_->rules_cache.Start();
  spdlog::info("Business rules engine initialized");

  auto& rt = *runtime_;
  http::AddHealthRoutes(rt.router, [this] {
    try {
      return runtime_->rules_cache.Loaded() && database_->Ping();
    } catch (const std::exception&) {
      return false;
    }
  });
  http::AddAuthRoutes(rt.router, rt.auth);
  http::AddCoffeeRoutes(rt.router, rt.coffees, config_.cache_ttl);
  http::AddBusinessRulesRoutes(rt.router, rt.rules_admin);
  http::AddSimulationRoutes(rt.router, rt.simulation);
  http::AddScheduledChangeRoutes(rt.router, rt.scheduled_changes);
  http::AddOrderRoutes(rt.router, rt.orders);
  http::AddConsoleRoutes(rt.router);
  http::AddSwaggerUiRoutes(rt.router);
  http::AddReviewRoutes(rt.router, rt.reviews);
  http::AddAnalyticsRoutes(rt.router, rt.analytics);
  http::AddMetricsRoutes(rt.router, rt.metrics, [this] {
    std::vector<std::pair<domain::OrderStatus, std::int64_t>> counts;
    database_->Read([&](app::Tx& tx) { counts = tx.Orders().CountByStatus(); });
    for (auto s : {domain::OrderStatus::kPending, domain::OrderStatus::kConfirmed,
                   domain::OrderStatus::kPreparing, domain::OrderStatus::kReady,
                   domain::OrderStatus::kCompleted, domain::OrderStatus::kCancelled}) {
      std::int64_t n = 0;
      for (const auto& [status, count] : counts) {
        if (status == s) n = count;
      }
      runtime_->metrics.SetOrdersByStatus(domain::ToString(s), n);
    }
    const auto pool = database_->PoolStatistics();
    runtime_->metrics.SetDbPool(pool.max, pool.open, pool.in_use);
  });
  // Listeners last, so that little after them can throw; if something does, the feed stops
  // before the cache and the hub it calls into are destroyed (no destructor runs here).
  try {
    database_->Listen(app::kRulesChannel,
                      [this](const app::ChangeNotice&) { runtime_->rules_cache.Invalidate(); });
    database_->Listen(app::kScheduledChangesChannel,
                      [this](const app::ChangeNotice&) { runtime_->scheduler.Wake(); });
    database_->Listen(app::kTokenVersionChannel, [this](const app::ChangeNotice& notice) {
      runtime_->auth.OnTokenVersionNotice(notice);
    });
    rt.order_events = std::make_unique<app::OrderEvents>(*database_, *database_);
    http::AddOrderEventsRoute(rt.router, *rt.order_events);
    // Applies what fell due while no instance ran, then sleeps until the next due change.
    rt.scheduler.Start();
  } catch (...) {
    rt.scheduler.Stop();
    database_->StopListening();
    throw;
  }
}

Application::~Application() {
  // The listener calls into the rules cache, which dies with runtime_ before database_.
  if (database_) database_->StopListening();
  Stop();
  if (runtime_) {
    for (auto& t : runtime_->io_threads) {
      if (t.joinable()) t.join();
    }
    runtime_->workers.join();
    runtime_->scheduler.Stop();
    runtime_->rules_cache.Stop();
  }
}

const http::Router& Application::router() const { return runtime_->router; }

bool Application::ReloadRules() { return runtime_->rules_cache.ReloadNow(); }

unsigned short Application::Start() {
  auto& rt = *runtime_;
  http::ServerOptions options;
  options.host = config_.host;
  options.port = static_cast<unsigned short>(config_.port);
  options.request_timeout = config_.request_timeout;
  options.idle_timeout = config_.idle_timeout;
  options.header_timeout = config_.header_timeout;
  options.max_connections = static_cast<std::size_t>(config_.max_connections);
  options.cors_origins = config_.cors_origins;
  options.trusted_proxies = config_.trusted_proxies;
  std::vector<asio::io_context*> contexts;
  for (auto& io : rt.ios) {
    contexts.push_back(io.get());
    rt.keep_running.emplace_back(io->get_executor());  // threads without connections stay up
  }
  // LIMITS_STORE=database: every budget in the database. auto (on PostgreSQL): writes (orders
  // among them) and the credential routes in the database, exact across instances; reads per
  // instance in memory, so a cached GET costs no round trip (nginx's limit_req bounds a client
  // across instances). memory, or SQLite: all in memory.
  if (config_.rate_limit_enabled) {
    auto in_memory = std::make_unique<http::InMemoryRequestLimiter>(
        config_.rate_limit_per_minute, config_.rate_limit_auth_per_minute);
    if (!rt.shared_limits) {
      rt.request_limiter = std::move(in_memory);
    } else {
      rt.shared_request_limiter = rt.shared_limits->MakeRequestLimiter(
          config_.rate_limit_per_minute, config_.rate_limit_auth_per_minute);
      if (config_.limits_store == config::LimitsStore::kDatabase) {
        rt.request_limiter = std::move(rt.shared_request_limiter);
      } else {
        rt.read_limiter = std::move(in_memory);
        rt.request_limiter = std::make_unique<http::SplitRequestLimiter>(
            *rt.read_limiter, *rt.shared_request_limiter);
      }
    }
  }
  rt.server = std::make_unique<http::Server>(
      std::move(contexts), rt.workers, rt.router,
      [&rt](std::string_view token) { return rt.auth.Authenticate(token); },
      rt.request_limiter.get(),
      [&rt](std::string_view route, std::string_view method, int status, double seconds) {
        rt.metrics.RecordHttp(route, method, status, seconds);
      },
      options);
  spdlog::info("Memory allocator: {}", AllocatorName());
  spdlog::info("Starting server on {}:{}", config_.host, config_.port);
  const unsigned short port = rt.server->Listen();
  for (auto& io : rt.ios) {
    rt.io_threads.emplace_back([&io = *io] { io.run(); });
  }
  rt.trim_timer = std::make_unique<asio::steady_timer>(*rt.ios.front());
  rt.ScheduleTrim();
  spdlog::info("Coffee API is running on http://{}:{}", config_.host, port);
  spdlog::default_logger()->flush();
  // systemd Type=notify: ready once the listener accepts. A no-op without NOTIFY_SOCKET.
  sd_notifyf(0, "READY=1\nSTATUS=Serving on %s:%u", config_.host.c_str(),
             static_cast<unsigned>(port));
  return port;
}

void Application::Stop() {
  if (!runtime_) return;
  {
    std::lock_guard lock(runtime_->mu);
    runtime_->stop_requested = true;
  }
  runtime_->cv.notify_all();
}

void Application::Wait(bool handle_signals) {
  auto& rt = *runtime_;
  std::unique_ptr<asio::signal_set> signals;
  if (handle_signals) {
    signals = std::make_unique<asio::signal_set>(*rt.ios.front(), SIGINT, SIGTERM);
    signals->async_wait([this](const boost::system::error_code& ec, int signo) {
      if (ec) return;
      spdlog::info("Received signal {}, shutting down gracefully...", signo);
      Stop();
    });
  }
  {
    std::unique_lock lock(rt.mu);
    rt.cv.wait(lock, [&rt] { return rt.stop_requested; });
  }
  sd_notify(0, "STOPPING=1\nSTATUS=Shutting down");
  if (signals) {
    asio::post(*rt.ios.front(), [&signals] {
      boost::system::error_code ec;
      signals->cancel(ec);
    });
  }
  if (rt.server) {
    rt.server->Stop();
    const auto deadline = std::chrono::steady_clock::now() + config_.shutdown_grace;
    while (rt.server->ActiveConnections() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (rt.server->ActiveConnections() > 0) {
      spdlog::warn("Shutdown grace period over; closing {} connection(s)",
                   rt.server->ActiveConnections());
    }
  }
  rt.keep_running.clear();
  if (rt.trim_timer) {
    asio::post(*rt.ios.front(), [&rt] { rt.trim_timer->cancel(); });
  }
  for (auto& io : rt.ios) io->stop();
  for (auto& t : rt.io_threads) {
    if (t.joinable()) t.join();
  }
  rt.io_threads.clear();
  rt.workers.join();
  database_->StopListening();
  rt.scheduler.Stop();
  rt.rules_cache.Stop();
  spdlog::info("Coffee API stopped");
  spdlog::default_logger()->flush();
}

}  // namespace coffee::server
