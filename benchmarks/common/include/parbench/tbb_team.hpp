// oneTBB workers as a team: a task_arena of `workers` slots whose threads are pinned on entry and must all take
// part in every round. parallel_for alone does not guarantee that: the calling thread may run every chunk
// itself (seen under load), which would report a 1-worker figure as a p-worker one. Here each round is exactly
// `workers` chunks, and each chunk waits at a start rendezvous until all chunks have started, so every chunk
// runs on its own thread. The wait is bounded: a missing thread is detected (participants() < workers) instead
// of waited for forever.
#pragma once
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "parbench/padded.hpp"
#include "parbench/participation.hpp"

namespace parbench {

class TbbTeam {
 public:
  explicit TbbTeam(int workers, std::chrono::milliseconds rendezvous_timeout = std::chrono::seconds(1));
  ~TbbTeam();
  TbbTeam(const TbbTeam&) = delete;
  TbbTeam& operator=(const TbbTeam&) = delete;

  // Runs work(w) for w = 0..workers-1, each on its own arena thread once all have arrived (or the timeout
  // passed), and returns when all are done.
  void run_round(const std::function<void(int worker)>& work);
  // Distinct arena threads (slots) that ran a part of the last round.
  int participants() const { return participation_.count(workers_, round_); }

 private:
  class Pinning;
  int workers_;
  std::chrono::milliseconds timeout_;
  tbb::global_control parallelism_;  // lets the arena have more threads than cores when oversubscribing
  tbb::task_arena arena_;
  std::unique_ptr<Pinning> pinning_;
  Participation participation_;
  std::uint64_t round_ = 0;
  Padded<std::atomic<int>> arrived_;
};

}  // namespace parbench
