// std::mutex behind the uniform lock interface (BasicLockable, alone on its destructive-interference range).
#pragma once
#include <mutex>

#include "parbench/padded.hpp"

namespace parbench::locks {

class alignas(kDestructiveRange) StdMutex {
 public:
  void lock() { mutex_.lock(); }
  void unlock() { mutex_.unlock(); }

 private:
  std::mutex mutex_;
};

}  // namespace parbench::locks
