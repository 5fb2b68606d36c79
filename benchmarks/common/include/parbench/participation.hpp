// Which workers took part in a round. A model's runtime may run all the work on fewer threads than asked for
// (oneTBB's parallel_for may under load), which would report a 1-worker figure as a p-worker one; the round
// loop fails such a round. Each worker stamps its own padded slot with the round number, so nothing needs
// clearing between rounds, and the record works in shared memory across processes too.
#pragma once
#include <atomic>
#include <cstdint>

#include "parbench/cli.hpp"
#include "parbench/padded.hpp"

namespace parbench {

// What a model answers when it cannot tell who took part (GPU threads).
inline constexpr int kNotTracked = -1;

class Participation {
 public:
  // Called by worker `worker` (0 <= worker < kMaxCpuWorkers) once it runs in round `round` (rounds count from 1).
  void mark(int worker, std::uint64_t round) { slots_[worker].value.store(round, std::memory_order_relaxed); }
  // How many of workers 0..workers-1 took part in `round`; read after the round has joined.
  int count(int workers, std::uint64_t round) const {
    int seen = 0;
    for (int w = 0; w < workers && w < kMaxCpuWorkers; ++w)
      seen += slots_[w].value.load(std::memory_order_relaxed) == round ? 1 : 0;
    return seen;
  }

 private:
  Padded<std::atomic<std::uint64_t>> slots_[kMaxCpuWorkers]{};
};

}  // namespace parbench
