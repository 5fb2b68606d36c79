#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>

#include "parbench/thread_team.hpp"

TEST(ThreadTeam, EveryWorkerRunsEveryRound) {
  std::atomic<std::uint64_t> per_worker[4]{};
  parbench::ThreadTeam team(4, [&](int w) { per_worker[w].fetch_add(1); });
  for (int r = 0; r < 50; ++r) {
    team.run_round();
    EXPECT_EQ(team.participants(), 4) << "round " << r;
  }
  for (int w = 0; w < 4; ++w) EXPECT_EQ(per_worker[w].load(), 50u) << w;
}

TEST(ThreadTeam, TheRoundEndsOnlyWhenEveryWorkerIsDone) {
  std::atomic<int> done{0};
  parbench::ThreadTeam team(3, [&](int w) {
    if (w == 2) {
      volatile std::uint64_t spin = 0;
      for (int i = 0; i < 2'000'000; ++i) spin = spin + 1;
    }
    done.fetch_add(1);
  });
  for (int r = 1; r <= 5; ++r) {
    team.run_round();
    EXPECT_EQ(done.load(), 3 * r);
  }
}

TEST(ThreadTeam, OneWorkerIsTheCaller) {
  int runs = 0;
  parbench::ThreadTeam team(1, [&](int) { ++runs; });
  team.run_round();
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(team.participants(), 1);
}
