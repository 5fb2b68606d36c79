#include <gtest/gtest.h>
#include <oneapi/tbb/global_control.h>

#include <atomic>
#include <chrono>
#include <cstdint>

#include "parbench/tbb_team.hpp"

TEST(TbbTeam, EveryWorkerIndexRunsOnItsOwnThread) {
  std::atomic<std::uint64_t> per_worker[3]{};
  parbench::TbbTeam team(3);
  for (int r = 0; r < 20; ++r) {
    team.run_round([&](int w) { per_worker[w].fetch_add(1); });
    EXPECT_EQ(team.participants(), 3) << "round " << r;
  }
  for (int w = 0; w < 3; ++w) EXPECT_EQ(per_worker[w].load(), 20u) << w;
}

// With TBB allowed one thread only, the calling thread runs both parts itself: the rendezvous gives up after its
// timeout instead of waiting forever, and the round is seen to have had one worker, not two.
TEST(TbbTeam, AMissingWorkerIsDetectedNotWaitedFor) {
  parbench::TbbTeam team(2, std::chrono::milliseconds(50));
  tbb::global_control only_the_caller(tbb::global_control::max_allowed_parallelism, 1);
  int parts = 0;
  team.run_round([&](int) { ++parts; });
  EXPECT_EQ(parts, 2);
  EXPECT_EQ(team.participants(), 1);
}
