// A POSIX semaphore of value 1 used as a lock (sem_wait acquires, sem_post releases). Process-shared when asked,
// for a semaphore placed in shared memory (glibc: a futex word, shared futex operations).
#pragma once
#include <semaphore.h>

#include <cerrno>
#include <system_error>

#include "parbench/padded.hpp"

namespace parbench::locks {

class alignas(kDestructiveRange) SemaphoreLock {
 public:
  explicit SemaphoreLock(bool process_shared = false) {
    if (sem_init(&sem_, process_shared ? 1 : 0, 1) != 0)
      throw std::system_error(errno, std::generic_category(), "sem_init");
  }
  ~SemaphoreLock() { sem_destroy(&sem_); }
  SemaphoreLock(const SemaphoreLock&) = delete;
  SemaphoreLock& operator=(const SemaphoreLock&) = delete;

  void lock() {
    while (sem_wait(&sem_) != 0) {
      // EINTR (a signal) only: try again.
    }
  }
  void unlock() { sem_post(&sem_); }

 private:
  sem_t sem_;
};

}  // namespace parbench::locks
