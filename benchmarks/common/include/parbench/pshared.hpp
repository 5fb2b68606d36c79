// Process-shared, robust pthread primitives for objects placed in shared memory.
#pragma once
#include <pthread.h>

namespace parbench {

// A mutex usable across fork (PTHREAD_PROCESS_SHARED) that survives its owner dying (robust): the next locker
// gets it back in a consistent state and is told through owner_died().
class SharedMutex {
 public:
  SharedMutex();
  ~SharedMutex();
  SharedMutex(const SharedMutex&) = delete;
  SharedMutex& operator=(const SharedMutex&) = delete;
  void lock();
  void unlock();
  bool owner_died() const { return owner_died_; }
  pthread_mutex_t* native() { return &mutex_; }
  // Waits on a process-shared condition variable, keeping the robust-owner bookkeeping right.
  void wait(pthread_cond_t* cond);
  // As wait, with an absolute CLOCK_MONOTONIC deadline; false on timeout.
  bool wait_until(pthread_cond_t* cond, const struct timespec& deadline);

 private:
  void recover(int rc);
  pthread_mutex_t mutex_;
  bool owner_died_ = false;
};

// A process-shared condition variable on CLOCK_MONOTONIC.
class SharedCondition {
 public:
  SharedCondition();
  ~SharedCondition();
  SharedCondition(const SharedCondition&) = delete;
  SharedCondition& operator=(const SharedCondition&) = delete;
  pthread_cond_t* native() { return &cond_; }
  void notify_all() { pthread_cond_broadcast(&cond_); }

 private:
  pthread_cond_t cond_;
};

}  // namespace parbench
