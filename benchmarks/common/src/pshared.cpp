#include "parbench/pshared.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace parbench {
namespace {
void check(int rc, const char* what) {
  if (rc != 0) throw std::runtime_error(std::string(what) + ": " + std::strerror(rc));
}
}  // namespace

SharedMutex::SharedMutex() {
  pthread_mutexattr_t attr;
  check(pthread_mutexattr_init(&attr), "pthread_mutexattr_init");
  check(pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED), "pthread_mutexattr_setpshared");
  check(pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST), "pthread_mutexattr_setrobust");
  check(pthread_mutex_init(&mutex_, &attr), "pthread_mutex_init");
  pthread_mutexattr_destroy(&attr);
}

SharedMutex::~SharedMutex() { pthread_mutex_destroy(&mutex_); }

void SharedMutex::recover(int rc) {
  if (rc == EOWNERDEAD) {
    // The previous owner died inside the critical section; take the mutex back and say so.
    owner_died_ = true;
    pthread_mutex_consistent(&mutex_);
    return;
  }
  check(rc, "pthread_mutex_lock");
}

void SharedMutex::lock() { recover(pthread_mutex_lock(&mutex_)); }
void SharedMutex::unlock() { pthread_mutex_unlock(&mutex_); }
void SharedMutex::wait(pthread_cond_t* cond) { recover(pthread_cond_wait(cond, &mutex_)); }

bool SharedMutex::wait_until(pthread_cond_t* cond, const struct timespec& deadline) {
  const int rc = pthread_cond_timedwait(cond, &mutex_, &deadline);
  if (rc == ETIMEDOUT) return false;
  recover(rc);
  return true;
}

SharedCondition::SharedCondition() {
  pthread_condattr_t attr;
  check(pthread_condattr_init(&attr), "pthread_condattr_init");
  check(pthread_condattr_setpshared(&attr, PTHREAD_PROCESS_SHARED), "pthread_condattr_setpshared");
  check(pthread_condattr_setclock(&attr, CLOCK_MONOTONIC), "pthread_condattr_setclock");
  check(pthread_cond_init(&cond_, &attr), "pthread_cond_init");
  pthread_condattr_destroy(&attr);
}

SharedCondition::~SharedCondition() { pthread_cond_destroy(&cond_); }

}  // namespace parbench
