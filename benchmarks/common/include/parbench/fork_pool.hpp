// Persistent forked workers that run one round of work on command. Forking once per case (not per round) keeps
// fork cost out of the round timing, as a thread pool does for threads.
#pragma once
#include <sys/types.h>

#include <functional>
#include <memory>
#include <vector>

#include "parbench/shm.hpp"

namespace parbench {

class ForkPool {
 public:
  // Forks `workers` children from the (single-threaded) caller; child i runs work(i) once per round and leaves
  // with _exit. Children die with the parent (PR_SET_PDEATHSIG).
  ForkPool(int workers, std::function<void(int worker)> work);
  ~ForkPool();
  ForkPool(const ForkPool&) = delete;
  ForkPool& operator=(const ForkPool&) = delete;

  // Runs one round on every child and waits for all; throws std::runtime_error if a child died.
  void run_round();
  int workers() const { return static_cast<int>(children_.size()); }
  // Children that took part in the last round.
  int participants() const;

  struct Control;  // the shared round protocol; defined in fork_pool.cpp

 private:
  void stop_children();
  std::unique_ptr<Shared<Control>> control_;
  std::vector<pid_t> children_;
};

}  // namespace parbench
