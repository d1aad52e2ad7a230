#include "app/scheduled_changes.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <utility>

namespace coffee::app {

namespace {

constexpr std::array<std::string_view, 4> kStatuses = {"pending", "applied", "failed", "cancelled"};

std::string ScheduledNotFound(std::int64_t id) {
  return "Scheduled change " + std::to_string(id) + " not found";
}

/// An error of the change as its immediate route reports it, restated for the scheduling
/// request: field errors move under "change.body.", a missing target names "change".
AppError ForScheduling(const AppError& error) {
  if (error.code == ErrorCode::kValidation) {
    ValidationErrors errors;
    for (const auto& [field, message] : error.fields) errors.Add("change.body." + field, message);
    if (!errors.empty()) return errors.ToError();
  }
  if (error.code == ErrorCode::kNotFound || error.code == ErrorCode::kCoffeeNotFound ||
      error.code == ErrorCode::kValidation) {
    return AppError::Validation("change", error.details);
  }
  return error;
}

}  // namespace

Outcome<ScheduledChange> ScheduledChangeService::Schedule(domain::UserId actor,
                                                          const NewScheduledChange& request) {
  const auto now = clock_.Now();
  if (request.effective_at <= now) {
    return AppError::Validation("effective_at", "must be in the future");
  }
  std::optional<Status> checked;
  store_.Write([&](Tx& tx) {
    checked.emplace(rules_.ApplyChange(tx, ChangeContext{actor, {}}, request.change));
    return false;  // a dry run: only its verdict is kept
  });
  if (!checked->ok()) return ForScheduling(checked->error());
  ScheduledChange row;
  row.effective_at = request.effective_at;
  row.change = request.change_json;
  row.note = request.note;
  row.created_by = actor;
  row.created_at = now;
  std::optional<ScheduledChange> stored;
  store_.Write([&](Tx& tx) {
    stored = tx.Rules().InsertScheduledChange(row);
    tx.Announce(kScheduledChangesChannel, std::to_string(stored->id));
    return true;
  });
  return std::move(*stored);
}

Outcome<ScheduledChangePage> ScheduledChangeService::List(const std::optional<std::string>& status,
                                                          std::int64_t offset, std::int64_t limit) {
  if (status && std::find(kStatuses.begin(), kStatuses.end(), *status) == kStatuses.end()) {
    return AppError::Validation("status", "must be pending, applied, failed or cancelled");
  }
  ScheduledChangePage page;
  store_.Read([&](Tx& tx) {
    page.changes = tx.Rules().ListScheduledChanges(status, offset, limit);
    page.total = tx.Rules().CountScheduledChanges(status);
  });
  return page;
}

Outcome<ScheduledChange> ScheduledChangeService::Get(std::int64_t id) {
  std::optional<ScheduledChange> found;
  store_.Read([&](Tx& tx) { found = tx.Rules().FindScheduledChange(id); });
  if (!found) return AppError::NotFound(ScheduledNotFound(id));
  return std::move(*found);
}

Outcome<ScheduledChange> ScheduledChangeService::Cancel(domain::UserId actor, std::int64_t id) {
  std::optional<ScheduledChange> found;
  bool cancelled = false;
  store_.Write([&](Tx& tx) {
    found = tx.Rules().FindScheduledChange(id);
    if (!found) return false;
    // Waits for a scheduler that is applying it (PostgreSQL), then finds it no longer pending.
    cancelled = tx.Rules().SettleScheduledChange(id, "cancelled", actor, std::nullopt, std::nullopt,
                                                 clock_.Now());
    found = tx.Rules().FindScheduledChange(id);
    if (!cancelled) return false;
    tx.Announce(kScheduledChangesChannel, std::to_string(id));
    return true;
  });
  if (!found) return AppError::NotFound(ScheduledNotFound(id));
  if (!cancelled) {
    return AppError::Conflict("Scheduled change " + std::to_string(id) + " is " + found->status +
                              "; only a pending change can be cancelled");
  }
  return std::move(*found);
}

std::optional<domain::Instant> ScheduledChangeService::NextDue() {
  std::optional<domain::Instant> next;
  store_.Read([&](Tx& tx) { next = tx.Rules().NextScheduledChange(); });
  return next;
}

int ScheduledChangeService::ApplyDue() {
  int settled = 0;
  for (;;) {
    const auto now = clock_.Now();
    std::optional<ScheduledChange> claimed;
    std::optional<std::string> failure;
    std::optional<std::int64_t> version;
    store_.Write([&](Tx& tx) {
      claimed.reset();
      failure.reset();
      version.reset();
      // Versions first: due changes are applied one at a time, in effective_at order, by
      // whichever instance takes the lock; the claim then skips what another one holds.
      tx.Rules().LockVersions();
      claimed = tx.Rules().ClaimDueScheduledChange(now);
      if (!claimed) return false;
      auto decoded = decoder_(claimed->change);
      if (!decoded) {
        failure = decoded.error().details;
        return false;
      }
      const std::int64_t before = tx.Rules().LatestVersion();
      Status applied = Ok{};
      try {
        applied = rules_.ApplyChange(tx, ChangeContext{claimed->created_by, claimed->id}, *decoded);
      } catch (const DatabaseUnavailable&) {
        throw;
      } catch (const WriteConflict&) {
        throw;                             // undone and run again by Write
      } catch (const std::exception& e) {  // e.g. an unreadable rule-set version to restore
        failure = e.what();
        return false;
      }
      if (!applied) {
        failure = applied.error().details;
        return false;
      }
      if (const std::int64_t after = tx.Rules().LatestVersion(); after > before) version = after;
      tx.Rules().SettleScheduledChange(claimed->id, "applied", std::nullopt, version, std::nullopt,
                                       now);
      tx.Announce(kScheduledChangesChannel, std::to_string(claimed->id));
      return true;
    });
    if (!claimed) break;
    ++settled;
    if (!failure) {
      spdlog::info("Scheduled change {} applied (rule-set version {})", claimed->id,
                   version ? std::to_string(*version) : std::string("unchanged"));
      cache_.ReloadNow();
      continue;
    }
    // Nothing of it was written; marked failed in a transaction of its own, unless another
    // instance settled it meanwhile.
    store_.Write([&](Tx& tx) {
      if (!tx.Rules().SettleScheduledChange(claimed->id, "failed", std::nullopt, std::nullopt,
                                            failure, clock_.Now())) {
        return false;
      }
      tx.Announce(kScheduledChangesChannel, std::to_string(claimed->id));
      return true;
    });
    spdlog::warn("Scheduled change {} failed: {}", claimed->id, *failure);
  }
  return settled;
}

ChangeScheduler::ChangeScheduler(ScheduledChangeService& service, const Clock& clock,
                                 std::chrono::milliseconds safety_interval)
    : service_(service), clock_(clock), safety_interval_(safety_interval) {}

ChangeScheduler::~ChangeScheduler() { Stop(); }

void ChangeScheduler::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void ChangeScheduler::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void ChangeScheduler::Wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

void ChangeScheduler::Loop() {
  using std::chrono::milliseconds;
  // A change that is due but held by another instance is looked at again this soon.
  constexpr milliseconds kDueRetry{100};
  constexpr milliseconds kErrorRetry{5000};
  for (;;) {
    milliseconds wait = safety_interval_;
    try {
      service_.ApplyDue();
      if (const auto next = service_.NextDue()) {
        const auto until = std::chrono::ceil<milliseconds>(*next - clock_.Now());
        wait = until.count() > 0 ? std::min(until, safety_interval_) : kDueRetry;
      }
    } catch (const std::exception& e) {
      spdlog::error("Scheduled changes: {}; retrying in {} s", e.what(),
                    kErrorRetry.count() / 1000);
      wait = std::min(kErrorRetry, safety_interval_);
    }
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, wait, [this] { return stop_ || woken_; });
    if (stop_) return;
    woken_ = false;
  }
}

}  // namespace coffee::app
