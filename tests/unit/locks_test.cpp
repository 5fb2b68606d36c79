// The lock algorithms of benchmarks/common/include/parbench/locks/ exclude (among threads, and the process-shared
// ones among forked processes), the read-mostly mix's checks hold for a reader-writer lock and catch one that
// lets a writer in beside readers, and the fairness figures of the locks workload are computed correctly.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "locks/kernels.hpp"
#include "parbench/fairness.hpp"
#include "parbench/locks/clh.hpp"
#include "parbench/locks/futex.hpp"
#include "parbench/locks/mcs.hpp"
#include "parbench/locks/pthread_spin.hpp"
#include "parbench/locks/robust_mutex.hpp"
#include "parbench/locks/semaphore.hpp"
#include "parbench/locks/shared_mutex.hpp"
#include "parbench/locks/std_mutex.hpp"
#include "parbench/locks/tas.hpp"
#include "parbench/locks/ticket.hpp"
#include "parbench/locks/ttas_backoff.hpp"
#include "parbench/padded.hpp"
#include "parbench/shm.hpp"

namespace {

using namespace parbench::locks;
using parbench::jain_index;
using parbench::Shares;
using parbench::shares;

template <class Lock>
class LockTest : public ::testing::Test {};
using Locks = ::testing::Types<StdMutex, PthreadSpin, TasLock, TtasBackoffLock, TicketLock, McsLock, ClhLock, FutexLock,
                               SharedFutexLock, SemaphoreLock, SharedMutex>;
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

// The CLH lock hands nodes on at every release: a thread that takes two different CLH locks in turn, many
// times, ends with nodes that came from both, and every node is freed exactly once (run under ASan to see).
TEST(ClhLock, NodesChangeHandsAcrossLocks) {
  constexpr int kThreads = 3;
  ClhLock a, b;
  std::atomic<std::uint64_t> in_a{0}, in_b{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 20000; ++i) {
        ClhLock& lock = i % 2 ? a : b;
        lock.lock();
        parbench::unsynchronized_increment(i % 2 ? in_a : in_b);
        lock.unlock();
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(in_a.load(), kThreads * 10000u);
  EXPECT_EQ(in_b.load(), kThreads * 10000u);
}

// The locks that the processes model places in shared memory exclude among forked processes too: a futex word
// woken across processes (a private futex would leave a sleeper asleep for ever), the process-shared pthread
// spinlock and semaphore, the robust mutex. Three children, separate load-and-store increments, none lost.
template <class Lock>
struct InSegment {
  template <class... Args>
  explicit InSegment(Args... args) : lock(args...) {}
  Lock lock;
  alignas(parbench::kDestructiveRange) std::atomic<std::uint64_t> counter{0};
  alignas(parbench::kDestructiveRange) std::atomic<int> inside{0};
  std::atomic<int> overlaps{0};
};

template <class Lock, class... Args>
void expect_excludes_across_processes(Args... args) {
  constexpr int kChildren = 3;
  constexpr std::uint64_t kEach = 30000;
  parbench::Shared<InSegment<Lock>> shared(args...);
  std::vector<pid_t> children;
  for (int c = 0; c < kChildren; ++c) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      InSegment<Lock>& s = *shared;
      for (std::uint64_t i = 0; i < kEach; ++i) {
        s.lock.lock();
        if (s.inside.fetch_add(1, std::memory_order_relaxed) != 0) s.overlaps.fetch_add(1);
        parbench::unsynchronized_increment(s.counter);
        s.inside.fetch_sub(1, std::memory_order_relaxed);
        s.lock.unlock();
      }
      _exit(0);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  EXPECT_EQ(shared->counter.load(), kChildren * kEach);
  EXPECT_EQ(shared->overlaps.load(), 0);
}

TEST(ProcessSharedLocks, SharedFutexExcludesAcrossProcesses) { expect_excludes_across_processes<SharedFutexLock>(); }
TEST(ProcessSharedLocks, PthreadSpinExcludesAcrossProcesses) { expect_excludes_across_processes<PthreadSpin>(true); }
TEST(ProcessSharedLocks, SemaphoreExcludesAcrossProcesses) { expect_excludes_across_processes<SemaphoreLock>(true); }
TEST(ProcessSharedLocks, RobustMutexExcludesAcrossProcesses) { expect_excludes_across_processes<RobustMutex>(); }
TEST(ProcessSharedLocks, TicketExcludesAcrossProcesses) { expect_excludes_across_processes<TicketLock>(); }

// The read mix: exactly read_percent of every 100 consecutive acquisitions of a worker are reads, whatever the
// worker, and writes_in (the driver's check) counts the writes of any prefix.
TEST(ReadMix, PatternHasTheNamedShare) {
  for (int worker : {0, 1, 5, 255})
    for (unsigned read : {0u, 50u, 90u, 100u}) {
      std::uint32_t turn = first_turn(worker);
      std::uint64_t writes = 0;
      for (std::uint64_t i = 1; i <= 1000; ++i, turn = next_turn(turn)) {
        writes += turn >= read ? 1 : 0;
        if (i % 100 == 0) {
          EXPECT_EQ(writes, i / 100 * (100 - read));
        }
        ASSERT_EQ(writes, writes_in(i, worker, read)) << "worker " << worker << " read " << read << " i " << i;
      }
    }
}

// Runs the read-mix kernel on `threads` threads over a shared budget, as the threads model does.
template <class Lock>
Arena::Tally run_read_mix(Lock& lock, Arena& arena, int threads, std::uint64_t acquisitions, unsigned read) {
  arena.reset();
  arena.budget.store(static_cast<std::int64_t>(acquisitions));
  std::vector<std::thread> team;
  for (int w = 0; w < threads; ++w)
    team.emplace_back([&, w] { read_mix_loop(lock, arena, w, Work{200, 0}, read); });
  for (auto& t : team) t.join();
  Arena::Tally all;
  for (int w = 0; w < threads; ++w) {
    const Arena::Tally& t = arena.tallies[w].value;
    all.acquisitions += t.acquisitions;
    all.writes += t.writes;
    all.violations += t.violations;
    all.torn_reads += t.torn_reads;
    EXPECT_EQ(t.writes, writes_in(t.acquisitions, w, read));
  }
  return all;
}

// std::shared_mutex under the mix, 3 threads on this 2-core machine: readers never see a half-done write (the two
// guarded words agree), never a writer inside, and the counter made every write.
TEST(ReadMix, SharedMutexExcludesWritersFromReaders) {
  SharedMutex lock;
  auto arena = std::make_unique<Arena>();
  const Arena::Tally all = run_read_mix(lock, *arena, 3, 200000, 90);
  EXPECT_EQ(all.acquisitions, 200000u);
  EXPECT_EQ(all.violations, 0u);
  EXPECT_EQ(all.torn_reads, 0u);
  EXPECT_EQ(arena->counter.load(), all.writes);
  EXPECT_EQ(arena->second.load(), all.writes);
  EXPECT_GT(all.writes, 0u);
}

// A reader-writer lock whose shared side does not wait for writers must be caught by those checks: readers see a
// writer inside or a half-done write (a 200-iteration critical section lies between the writer's two words).
class ReadersIgnoreWriters {
 public:
  void lock() { mutex_.lock(); }
  void unlock() { mutex_.unlock(); }
  void lock_shared() {}
  void unlock_shared() {}

 private:
  StdMutex mutex_;
};

TEST(ReadMix, ReadersThatIgnoreWritersAreCaught) {
  ReadersIgnoreWriters lock;
  auto arena = std::make_unique<Arena>();
  const Arena::Tally all = run_read_mix(lock, *arena, 3, 400000, 50);
  EXPECT_GT(all.violations + all.torn_reads, 0u);
}

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

// A lock that served one worker only: the index is 1/n and the shares are 0 and 1, whatever the counts.
TEST(Fairness, LockServingOneWorkerOnly) {
  EXPECT_DOUBLE_EQ(jain_index({0, 65536, 0}), 1.0 / 3.0);
  const Shares s = shares({0, 65536, 0});
  EXPECT_DOUBLE_EQ(s.min, 0.0);
  EXPECT_DOUBLE_EQ(s.max, 1.0);
}

TEST(Fairness, NothingCountedIsNotFair) {
  EXPECT_DOUBLE_EQ(jain_index({}), 0.0);
  EXPECT_DOUBLE_EQ(jain_index({0, 0}), 0.0);
}

}  // namespace
