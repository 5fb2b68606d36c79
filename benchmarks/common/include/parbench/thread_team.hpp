// A persistent team of std::threads: created and pinned once per case, woken for each round, joined at its end.
// The calling thread is worker 0 (as an OpenMP master is): a caller left waiting would compete with the worker
// pinned to its CPU. Creating threads per round is the fork/join cost, which belongs to its own figure.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

#include "parbench/padded.hpp"
#include "parbench/participation.hpp"

namespace parbench {

class ThreadTeam {
 public:
  // Starts workers 1..workers-1, each waiting for a round; work(w) is worker w's part of a round.
  ThreadTeam(int workers, std::function<void(int worker)> work);
  ~ThreadTeam();
  ThreadTeam(const ThreadTeam&) = delete;
  ThreadTeam& operator=(const ThreadTeam&) = delete;

  // Wakes every worker, runs worker 0's part on the caller, and returns when all parts are done.
  void run_round();
  // Workers that took part in the last round.
  int participants() const { return participation_.count(workers_, round_.value.load()); }

 private:
  void worker_main(int worker);

  int workers_;
  std::function<void(int)> work_;
  Participation participation_;
  Padded<std::atomic<std::uint64_t>> round_;  // bumped to start a round; 0 before the first
  Padded<std::atomic<int>> running_;          // workers (other than the caller) still in the round
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

}  // namespace parbench
