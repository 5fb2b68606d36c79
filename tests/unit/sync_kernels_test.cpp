// The sync workload's shared pieces: the statistics of the outer repetitions, the barrier and reduction checks
// (a broken barrier must be seen), and the spin barrier.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "sync/kernels.hpp"
#include "sync/overhead_stats.hpp"

using namespace parbench::sync;

TEST(SyncStats, MedianIntervalAndOutliers) {
  std::vector<double> samples;
  for (int i = 1; i <= 20; ++i) samples.push_back(i);  // 1..20
  samples.push_back(1000);                             // one far outlier
  std::shuffle(samples.begin(), samples.end(), std::mt19937(7));
  const Summary s = summarize(samples);
  EXPECT_EQ(s.n, 21u);
  EXPECT_DOUBLE_EQ(s.median, 11);
  // n = 21: the largest k with 1 - 2 P(B <= k-1) >= 0.95 is k = 6 (coverage 0.9734), so [x(6), x(16)].
  EXPECT_DOUBLE_EQ(s.ci_low, 6);
  EXPECT_DOUBLE_EQ(s.ci_high, 16);
  EXPECT_NEAR(s.ci_coverage, 0.9734, 1e-3);
  EXPECT_GE(s.ci_coverage, 0.95);
  EXPECT_EQ(s.outliers, 1);
}

TEST(SyncStats, FewSamplesGetTheWidestPairWithItsTrueCoverage) {
  const Summary s = summarize({3, 1, 2, 5, 4});
  EXPECT_DOUBLE_EQ(s.median, 3);
  EXPECT_DOUBLE_EQ(s.ci_low, 1);
  EXPECT_DOUBLE_EQ(s.ci_high, 5);
  EXPECT_DOUBLE_EQ(s.ci_coverage, 0.9375);
  EXPECT_EQ(s.outliers, 0);
}

TEST(SyncStats, NegativeOverheadsAreKept) {
  const Summary s = summarize({-2, -1, -3, -1.5, -2.5, -2, -1, -3, -1.5, -2.5, -2, -2, -2, -2, -2, -2, -2, -2, -2, -2});
  EXPECT_DOUBLE_EQ(s.median, -2);
  EXPECT_LE(s.ci_low, -2);
  EXPECT_GE(s.ci_high, -2);
}

TEST(SyncStats, LargeSampleCountsDoNotUnderflow) {
  std::vector<double> samples(5000);
  for (std::size_t i = 0; i < samples.size(); ++i) samples[i] = static_cast<double>(i);
  const Summary s = summarize(samples);
  EXPECT_GT(s.ci_low, 2300);
  EXPECT_LT(s.ci_high, 2700);
  EXPECT_GE(s.ci_coverage, 0.95);
}

// A barrier that does not wait: worker 0 passes instance 0 while worker 1 has not reached it. Deterministic (one
// thread plays both roles in turn).
TEST(SyncBarrierCheck, ABarrierThatDoesNotWaitIsSeen) {
  auto board = std::make_unique<Board>();
  barrier_step(*board, 0, 2, 0, [] {});
  EXPECT_EQ(Tally::of(*board, 2).wrong, 1u);
  // Worker 1 catching up is fine for it: worker 0 is at its phase.
  barrier_step(*board, 1, 2, 0, [] {});
  EXPECT_EQ(board->wrong[1].value.load(), 0u);
}

TEST(SyncBarrierCheck, AWorkerTwoPhasesAheadIsSeen) {
  auto board = std::make_unique<Board>();
  board->phase[1].value.store(3);  // worker 1 claims phase 3 while worker 0 is at phase 1
  barrier_step(*board, 0, 2, 0, [] {});
  EXPECT_EQ(board->wrong[0].value.load(), 1u);
}

TEST(SyncReductionCheck, AWrongSumIsSeenAndAWorkerMissingFromTheSumToo) {
  auto board = std::make_unique<Board>();
  check_reduction(*board, 0, 3, 4, reduction_expected(3, 4));
  EXPECT_EQ(board->wrong[0].value.load(), 0u);
  check_reduction(*board, 0, 3, 4, reduction_expected(3, 4) - reduction_value(2, 4));
  EXPECT_EQ(board->wrong[0].value.load(), 1u);
  EXPECT_EQ(reduction_expected(3, 4), (1 + 2 + 3) * 5u);
}

// The slots reduction with a barrier that does not wait: worker 0 sums before worker 1 has written its slot.
TEST(SyncReductionCheck, SlotsWithoutABarrierAreSeen) {
  auto board = std::make_unique<Board>();
  slots_reduction_step(*board, 0, 2, 0, [] {});
  EXPECT_EQ(board->wrong[0].value.load(), 1u);
  EXPECT_EQ(board->done[0].value.load(), 1u);
}

// The spin barrier and the slots reduction under 3 threads (more than this machine's cores): no check fails and
// every worker runs every instance.
TEST(SyncSpinBarrier, ThreeThreadsPassEveryPhaseTogether) {
  constexpr int kWorkers = 3;
  constexpr std::uint64_t kInstances = 2000;
  auto board = std::make_unique<Board>();
  SpinBarrier barrier(kWorkers);
  std::vector<std::thread> threads;
  for (int w = 0; w < kWorkers; ++w)
    threads.emplace_back([&, w] {
      bool sense = false;
      const Shape shape{16, kInstances};
      construct_loop(shape, [&](std::uint64_t i) {
        barrier_step(*board, w, kWorkers, i, [&] { barrier.arrive_and_wait(sense); });
        slots_reduction_step(*board, w, kWorkers, i, [&] { barrier.arrive_and_wait(sense); });
      });
    });
  for (auto& t : threads) t.join();
  const Tally t = Tally::of(*board, kWorkers);
  EXPECT_EQ(t.wrong, 0u);
  for (int w = 0; w < kWorkers; ++w) EXPECT_EQ(t.done[w], 2 * kInstances) << w;
}

TEST(SyncLockedIncrement, AMutexKeepsEveryIncrement) {
  struct Spin {
    std::atomic<bool> held{false};
    void lock() {
      while (held.exchange(true, std::memory_order_acquire)) std::this_thread::yield();
    }
    void unlock() { held.store(false, std::memory_order_release); }
  } lock;
  auto board = std::make_unique<Board>();
  std::vector<std::thread> threads;
  for (int w = 0; w < 3; ++w)
    threads.emplace_back([&] { construct_loop({0, 20000}, [&](std::uint64_t) { locked_increment(lock, *board); }); });
  for (auto& t : threads) t.join();
  EXPECT_EQ(board->guarded, 60000u);
}

TEST(SyncDelay, TheDelayTakesTimeInProportionToItsIterations) {
  // Not a timing assertion on the machine's speed: only that the loop was not removed (at least ~1/10 cycle at
  // any clock below 10 GHz per iteration).
  EXPECT_GT(measure_ns_per_iteration(), 0.01);
}
