// omp_lock_t as a BasicLockable, for the shared kernels of every workload's OpenMP model (`omp critical` cannot
// be split into lock and unlock; both are the same futex-based mutex in libgomp). Include only from sources built
// with OpenMP.
#pragma once
#include <omp.h>

namespace parbench {

class OmpLock {
 public:
  OmpLock() { omp_init_lock(&lock_); }
  ~OmpLock() { omp_destroy_lock(&lock_); }
  OmpLock(const OmpLock&) = delete;
  OmpLock& operator=(const OmpLock&) = delete;
  void lock() { omp_set_lock(&lock_); }
  void unlock() { omp_unset_lock(&lock_); }
  bool try_lock() { return omp_test_lock(&lock_) != 0; }

 private:
  omp_lock_t lock_;
};

}  // namespace parbench
