// std::shared_mutex (a reader-writer lock: many readers or one writer) behind the uniform interface, with the
// shared side as lock_shared()/unlock_shared() (SharedLockable).
#pragma once
#include <shared_mutex>

#include "parbench/padded.hpp"

namespace parbench::locks {

class alignas(kDestructiveRange) SharedMutex {
 public:
  void lock() { mutex_.lock(); }
  void unlock() { mutex_.unlock(); }
  void lock_shared() { mutex_.lock_shared(); }
  void unlock_shared() { mutex_.unlock_shared(); }

 private:
  std::shared_mutex mutex_;
};

}  // namespace parbench::locks
