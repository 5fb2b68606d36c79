#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <stdexcept>

#include "parbench/fork_pool.hpp"
#include "parbench/shm.hpp"

struct Cells {
  std::atomic<std::uint64_t> per_worker[8];
  std::atomic<int> die_in_round{-1};
  std::atomic<int> round{0};
};

TEST(ForkPool, EveryWorkerRunsEveryRound) {
  parbench::Shared<Cells> cells;
  parbench::ForkPool pool(3, [&](int w) { cells->per_worker[w].fetch_add(1); });
  for (int r = 0; r < 5; ++r) {
    pool.run_round();
    EXPECT_EQ(pool.participants(), 3) << "round " << r;
  }
  for (int w = 0; w < 3; ++w) EXPECT_EQ(cells->per_worker[w].load(), 5u) << w;
}

TEST(ForkPool, ADeadWorkerFailsTheRoundInsteadOfHanging) {
  parbench::Shared<Cells> cells;
  parbench::ForkPool pool(2, [&](int w) {
    if (w == 1) raise(SIGKILL);
  });
  EXPECT_THROW(pool.run_round(), std::runtime_error);
}

TEST(ForkPool, LeavesNoChildrenBehind) {
  pid_t first_child = 0;
  {
    parbench::Shared<std::atomic<pid_t>> child;
    parbench::ForkPool pool(1, [&](int) { child->store(getpid()); });
    pool.run_round();
    first_child = child->load();
  }
  ASSERT_GT(first_child, 0);
  EXPECT_EQ(kill(first_child, 0), -1);  // reaped: no such process
}
