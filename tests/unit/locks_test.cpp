// The lock algorithms of benchmarks/common/include/parbench/locks/ exclude, and the fairness figures of the locks
// workload are computed correctly.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "locks/fairness.hpp"
#include "parbench/locks/futex.hpp"
#include "parbench/locks/mcs.hpp"
#include "parbench/locks/pthread_spin.hpp"
#include "parbench/locks/std_mutex.hpp"
#include "parbench/locks/tas.hpp"
#include "parbench/locks/ticket.hpp"
#include "parbench/locks/ttas_backoff.hpp"
#include "parbench/padded.hpp"

namespace {

using namespace parbench::locks;

template <class Lock>
class LockTest : public ::testing::Test {};
using Locks = ::testing::Types<StdMutex, PthreadSpin, TasLock, TtasBackoffLock, TicketLock, McsLock, FutexLock>;
TYPED_TEST_SUITE(LockTest, Locks);

// Three threads (more than this 2-core machine has, so holders get preempted) make separate load-and-store
// increments under the lock: none is lost and nobody finds another holder inside.
TYPED_TEST(LockTest, Excludes) {
  constexpr int kThreads = 3;
  constexpr std::uint64_t kEach = 50000;
  TypeParam lock;
  std::atomic<std::uint64_t> counter{0};
  std::atomic<int> inside{0};
  std::atomic<int> overlaps{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (std::uint64_t i = 0; i < kEach; ++i) {
        lock.lock();
        if (inside.fetch_add(1, std::memory_order_relaxed) != 0) overlaps.fetch_add(1);
        parbench::unsynchronized_increment(counter);
        inside.fetch_sub(1, std::memory_order_relaxed);
        lock.unlock();
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(counter.load(), kThreads * kEach);
  EXPECT_EQ(overlaps.load(), 0);
}

TYPED_TEST(LockTest, IsPaddedApart) { EXPECT_GE(alignof(TypeParam), parbench::kDestructiveRange); }

TEST(Fairness, OneWorkerGetsEverything) {
  EXPECT_DOUBLE_EQ(jain_index({1000, 0}), 0.5);
  EXPECT_DOUBLE_EQ(jain_index({0, 0, 777, 0}), 0.25);
  const Shares s = shares({0, 0, 777, 0});
  EXPECT_DOUBLE_EQ(s.min, 0.0);
  EXPECT_DOUBLE_EQ(s.max, 1.0);
}

TEST(Fairness, EqualSharesAreFair) {
  EXPECT_DOUBLE_EQ(jain_index({5, 5, 5}), 1.0);
  EXPECT_DOUBLE_EQ(jain_index({42}), 1.0);
  const Shares s = shares({5, 5, 5, 5});
  EXPECT_DOUBLE_EQ(s.min, 0.25);
  EXPECT_DOUBLE_EQ(s.max, 0.25);
}

TEST(Fairness, InBetween) {
  // (1 + 3)^2 / (2 * (1 + 9)) = 0.8
  EXPECT_DOUBLE_EQ(jain_index({1, 3}), 0.8);
  const Shares s = shares({1, 3});
  EXPECT_DOUBLE_EQ(s.min, 0.25);
  EXPECT_DOUBLE_EQ(s.max, 0.75);
}

TEST(Fairness, NothingCountedIsNotFair) {
  EXPECT_DOUBLE_EQ(jain_index({}), 0.0);
  EXPECT_DOUBLE_EQ(jain_index({0, 0}), 0.0);
}

}  // namespace
