#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <mutex>

#include "parbench/pshared.hpp"
#include "parbench/shm.hpp"

struct Counter {
  std::atomic<std::uint64_t> atomic{0};
  parbench::SharedMutex mutex;
  std::uint64_t guarded = 0;
};

TEST(Shared, ChildWritesAreSeenByParent) {
  parbench::Shared<Counter> shared;
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    shared->atomic.store(42);
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_EQ(shared->atomic.load(), 42u);
}

TEST(SharedMutex, GivesMutualExclusionAcrossProcesses) {
  parbench::Shared<Counter> shared;
  constexpr int kChildren = 3, kIncrements = 20000;
  for (int c = 0; c < kChildren; ++c) {
    if (fork() == 0) {
      for (int i = 0; i < kIncrements; ++i) {
        std::lock_guard<parbench::SharedMutex> hold(shared->mutex);
        ++shared->guarded;
      }
      _exit(0);
    }
  }
  for (int c = 0; c < kChildren; ++c) wait(nullptr);
  EXPECT_EQ(shared->guarded, static_cast<std::uint64_t>(kChildren) * kIncrements);
}

TEST(SharedMutex, RecoversWhenTheOwnerDies) {
  parbench::Shared<Counter> shared;
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    shared->mutex.lock();
    _exit(0);  // dies holding the lock
  }
  waitpid(pid, nullptr, 0);
  shared->mutex.lock();  // must not hang
  EXPECT_TRUE(shared->mutex.owner_died());
  shared->mutex.unlock();
}
