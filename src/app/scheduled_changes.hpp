#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "app/errors.hpp"
#include "app/ports/auth.hpp"
#include "app/ports/store.hpp"
#include "app/rules_admin_service.hpp"
#include "app/rules_cache.hpp"

namespace coffee::app {

/// The change-feed channel on which scheduling, cancelling and settling a scheduled change are
/// announced: every instance's scheduler re-reads its next due instant.
inline constexpr std::string_view kScheduledChangesChannel = "coffee_scheduled_changes";

/// Reads the JSON text of a stored change back into the admin write it names, with the same
/// readers as the immediate routes (the HTTP layer provides it).
using RulesChangeDecoder = std::function<Outcome<RulesChange>(std::string_view change_json)>;

/// A scheduling request once read: when, what (decoded, and as JSON text to store), why.
struct NewScheduledChange {
  domain::Instant effective_at;
  RulesChange change;
  std::string change_json;
  std::optional<std::string> note;
};

/// One page of scheduled changes and the total matching the filter.
struct ScheduledChangePage {
  std::vector<ScheduledChange> changes;
  std::int64_t total = 0;
};

/// Scheduled changes of the rules configuration (issue 14 item 5): kept in the database,
/// applied when due through RulesAdminService::ApplyChange, exactly once whichever instances
/// share the database. Blocking: runs on a worker or the scheduler thread.
class ScheduledChangeService {
 public:
  ScheduledChangeService(Store& store, RulesAdminService& rules, RulesCache& cache,
                         const Clock& clock, RulesChangeDecoder decoder)
      : store_(store), rules_(rules), cache_(cache), clock_(clock), decoder_(std::move(decoder)) {}

  /// 400 naming effective_at unless it is in the future. The change is checked by making it in
  /// a transaction that is rolled back, so it is refused exactly as its immediate route would
  /// refuse it (400 with its fields under "change.body."; a missing rule, coffee or version is
  /// a 400 naming "change").
  Outcome<ScheduledChange> Schedule(domain::UserId actor, const NewScheduledChange& request);
  /// By effective_at; 400 naming status when it is not one of the four.
  Outcome<ScheduledChangePage> List(const std::optional<std::string>& status, std::int64_t offset,
                                    std::int64_t limit);
  /// 404 when there is no such change.
  Outcome<ScheduledChange> Get(std::int64_t id);
  /// Cancels a pending change; 404 when missing, 409 once it is applied, failed or cancelled.
  Outcome<ScheduledChange> Cancel(domain::UserId actor, std::int64_t id);

  /// Applies every pending change due now, oldest first, each in its own transaction with its
  /// change record, rule-set version and announcement. A change that no longer applies is
  /// marked failed with the reason and nothing of it is written. Returns how many it settled.
  int ApplyDue();
  /// The earliest effective_at of a pending change.
  std::optional<domain::Instant> NextDue();

 private:
  Store& store_;
  RulesAdminService& rules_;
  RulesCache& cache_;
  const Clock& clock_;
  RulesChangeDecoder decoder_;
};

/// One thread per instance that sleeps until the earliest pending change is due, then applies
/// what is due. Wake() (a change was scheduled or cancelled, here or on another instance) makes
/// it re-read the next instant; it also looks at least every `safety_interval`.
class ChangeScheduler {
 public:
  ChangeScheduler(ScheduledChangeService& service, const Clock& clock,
                  std::chrono::milliseconds safety_interval);
  ~ChangeScheduler();
  ChangeScheduler(const ChangeScheduler&) = delete;
  ChangeScheduler& operator=(const ChangeScheduler&) = delete;

  void Start();
  /// Stops and joins the thread; idempotent.
  void Stop();
  /// Never blocks: safe from a change-feed listener.
  void Wake();

 private:
  void Loop();

  ScheduledChangeService& service_;
  const Clock& clock_;
  std::chrono::milliseconds safety_interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool woken_ = false;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace coffee::app
