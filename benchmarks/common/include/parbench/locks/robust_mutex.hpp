// A robust, process-shared pthread mutex (parbench::SharedMutex, pshared.hpp) behind the uniform lock interface,
// for a lock placed in shared memory and taken by forked workers: if a holder dies, the next locker gets the
// mutex back (EOWNERDEAD) instead of hanging.
#pragma once
#include "parbench/padded.hpp"
#include "parbench/pshared.hpp"

namespace parbench::locks {

class alignas(kDestructiveRange) RobustMutex {
 public:
  void lock() { mutex_.lock(); }
  void unlock() { mutex_.unlock(); }

 private:
  parbench::SharedMutex mutex_;
};

}  // namespace parbench::locks
