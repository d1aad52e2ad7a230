#pragma once

#include <atomic>
#include <cstdint>

namespace coffee::http {

/// One copy of a T per thread, for what the hottest reads serve: each I/O thread reads its own
/// copy, so serving it writes no memory another thread touches (no lock, no shared reference
/// count moving between cores on every request).
///
/// Each thread has one slot per T, tagged with the owning object: a thread that alternates
/// between two PerThread<T> objects (two servers in one test process) starts afresh on every
/// switch, which is correct but slow; a server has one owner per T.
template <class T>
class PerThread {
 public:
  PerThread() = default;
  PerThread(const PerThread&) = delete;
  PerThread& operator=(const PerThread&) = delete;

  /// This thread's copy; a default T the first time this thread asks this object.
  T& Mine() {
    thread_local Slot slot;
    if (slot.owner != id_) {
      slot.owner = id_;
      slot.value = T{};
    }
    return slot.value;
  }

 private:
  struct Slot {
    std::uint64_t owner = 0;
    T value{};
  };
  static std::uint64_t NextId() {
    static std::atomic<std::uint64_t> next{1};
    return next.fetch_add(1, std::memory_order_relaxed);
  }
  std::uint64_t id_ = NextId();  // ids are never reused, unlike addresses
};

}  // namespace coffee::http
