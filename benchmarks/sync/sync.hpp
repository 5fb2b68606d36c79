// The sync workload: the overhead of one synchronization construct (fork/join, barrier, critical section, lock,
// atomic update, reduction; OpenMP's `for` and `single`), measured as EPCC's syncbench does. Every worker runs
// `inner` repetitions of a calibrated delay followed by the construct (the test), and the same delays with no
// construct (the reference), back to back; overhead per construct = (test time - reference time) / inner.
// A model file implements Model with its own idiom and primitives, calling the shared kernels (kernels.hpp); the
// driver (driver.cpp) times, verifies and reports for every model alike.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "parbench/cli.hpp"
#include "parbench/padded.hpp"

namespace parbench::sync {

enum class Construct {
  fork_join,  // start a team, every worker runs the delay, join it (per construct instance)
  barrier,    // all workers wait until all have arrived
  critical,   // OpenMP's critical section (other models' mutual exclusion is `lock`)
  lock,       // a mutex around an increment of a shared counter
  atomic,     // one atomic increment of a shared counter
  reduction,  // every worker contributes one 8-byte value and the sum is checked (an all-reduce or a join)
  for_loop,   // OpenMP `for`: one iteration per thread and its implicit barrier (named "for")
  single,     // OpenMP `single`: one thread runs the body, the others wait at its implicit barrier
};

std::string_view name_of(Construct c);

// One measurement's shape: iterations of the calibrated delay loop per construct instance, and instances per
// timed run (EPCC's delaylength and innerreps).
struct Shape {
  std::uint64_t delay = 0;
  std::uint64_t inner = 0;
};

// What the workers record while running a construct, checked after every run. Placed on the heap, in a shared
// segment (processes), in a shared-memory window (MPI) or in device memory (CUDA, its own copy).
struct Board {
  alignas(kDestructiveRange) std::uint64_t guarded = 0;  // critical, lock, single: changed only inside the construct
  alignas(kDestructiveRange) std::uint64_t counter = 0;  // atomic: atomic increments only
  Padded<std::atomic<std::uint64_t>> phase[kMaxCpuWorkers]{};  // barrier: the last phase each worker reached
  Padded<std::atomic<std::uint64_t>> done[kMaxCpuWorkers]{};   // instances (forks, iterations) each worker ran
  Padded<std::atomic<std::uint64_t>> wrong[kMaxCpuWorkers]{};  // checks a worker saw fail (barrier, reduction)
  Padded<std::atomic<std::uint64_t>> slots[2][kMaxCpuWorkers]{};  // reduction contributions, double-buffered

  void reset() {
    guarded = 0;
    counter = 0;
    for (int w = 0; w < kMaxCpuWorkers; ++w) {
      phase[w].value.store(0, std::memory_order_relaxed);
      done[w].value.store(0, std::memory_order_relaxed);
      wrong[w].value.store(0, std::memory_order_relaxed);
      slots[0][w].value.store(0, std::memory_order_relaxed);
      slots[1][w].value.store(0, std::memory_order_relaxed);
    }
  }
};

// What one test run did, for verification (untimed). Models whose board is not in this process's memory (MPI,
// CUDA) fill it from theirs.
struct Tally {
  std::uint64_t guarded = 0;
  std::uint64_t counter = 0;
  std::vector<std::uint64_t> done;  // per worker
  std::uint64_t wrong = 0;          // all workers together

  static Tally of(const Board& board, int workers) {
    Tally t;
    t.guarded = board.guarded;
    t.counter = board.counter;
    for (int w = 0; w < workers; ++w) {
      t.done.push_back(board.done[w].value.load(std::memory_order_relaxed));
      t.wrong += board.wrong[w].value.load(std::memory_order_relaxed);
    }
    return t;
  }
};

// One case's construct: the construct and, where a model has several implementations of it, which one (the case
// name's impl:<name>; empty when there is one).
struct Variant {
  Construct construct;
  std::string impl;
  std::string skip_reason{};  // non-empty: the model has no such construct; the case is skipped with this reason
};

// What is timed is the same in every model: the workers exist before the runs (made once per case). A reference
// run is one activation of the model's team in which every worker runs `inner` delays; a test run is the
// construct's `inner` instances, each after a delay, in one activation (fork_join: `inner` activations, each a
// delay per worker). Both end when every worker is done.
class Model {
 public:
  virtual ~Model() = default;
  // Untimed: clear the board before a run.
  virtual void reset() = 0;
  // Timed: every worker runs shape.inner delays of shape.delay iterations, no construct.
  virtual void run_reference(Shape shape) = 0;
  // Timed: every worker runs shape.inner times (delay, construct).
  virtual void run_test(Shape shape) = 0;
  // Untimed: how many workers took part in the last run (kNotTracked where the model cannot tell).
  virtual int participants() = 0;
  // Untimed: what the last test run recorded.
  virtual Tally tally() = 0;
};

// Construct instances per test run, unless a model says otherwise: 1024 for the constructs a worker passes alone
// when uncontended (lock, critical, atomic: tens to hundreds of ns), 256 for those that wait for the other workers
// (barrier, reduction, for, single, fork_join: microseconds each when a waiter sleeps), so that a test run takes
// about a millisecond at 2 workers here and a block of 20 repetitions well under the default profile's 0.2 s.
inline std::uint64_t default_inner(Construct c) {
  return c == Construct::lock || c == Construct::critical || c == Construct::atomic ? 1024 : 256;
}

struct ModelInfo {
  std::vector<Variant> variants;
  // Construct instances per test run for a variant (overridden by --parbench_size; the case name's inner).
  std::function<std::uint64_t(const Variant&)> inner = [](const Variant& v) { return default_inner(v.construct); };
  std::vector<std::pair<std::string, std::string>> params;  // extra case-name parameters (OpenMP's wait:<policy>)
  std::vector<int> default_workers;
  int max_workers = kMaxCpuWorkers;
  bool cpu_workers = true;
  std::string unavailable;
  std::vector<std::pair<std::string, std::string>> context;
  // Builds the model for one case; may throw parbench::SkipCase.
  std::function<std::unique_ptr<Model>(const Variant&, int workers)> make;
};

// Defined by each model file.
ModelInfo model_info();

}  // namespace parbench::sync
