// pthread_spinlock_t behind the uniform lock interface; process-private unless asked (a spinlock placed in shared
// memory for forked workers must be PTHREAD_PROCESS_SHARED).
#pragma once
#include <pthread.h>

#include <cerrno>
#include <system_error>

#include "parbench/padded.hpp"

namespace parbench::locks {

class alignas(kDestructiveRange) PthreadSpin {
 public:
  explicit PthreadSpin(bool process_shared = false) {
    if (const int rc = pthread_spin_init(&spin_, process_shared ? PTHREAD_PROCESS_SHARED : PTHREAD_PROCESS_PRIVATE);
        rc != 0)
      throw std::system_error(rc, std::generic_category(), "pthread_spin_init");
  }
  ~PthreadSpin() { pthread_spin_destroy(&spin_); }
  PthreadSpin(const PthreadSpin&) = delete;
  PthreadSpin& operator=(const PthreadSpin&) = delete;

  void lock() { pthread_spin_lock(&spin_); }
  void unlock() { pthread_spin_unlock(&spin_); }

 private:
  pthread_spinlock_t spin_;
};

}  // namespace parbench::locks
