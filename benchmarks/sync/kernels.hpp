// The sync kernels, written once and called by every CPU model, so that a model file holds only how its workers
// start, wake and join and its own primitives: the calibrated delay (the only loop whose speed the figures rest
// on, noipa and 64-byte aligned in the sync_kernels library, checked by kernel_placement), the reference loop,
// the loop of (delay, construct) every test run makes, and what each construct records for verification.
#pragma once
#include <atomic>
#include <cstdint>

#include "parbench/locks/relax.hpp"
#include "sync/sync.hpp"

namespace parbench::sync {

// The calibrated delay: n iterations of a register increment the compiler cannot remove or merge (one cycle
// each; locks' work loop is the same idea). Every delay of every model is this one function.
[[gnu::noipa]] void delay(std::uint64_t iterations);
// The reference: `shape.inner` delays and nothing else.
[[gnu::noipa]] void reference_loop(Shape shape);
// The nanoseconds one delay iteration takes here, the fastest of a few samples (for the JSON context).
double measure_ns_per_iteration();

// A test run's loop: `shape.inner` times a delay, then the construct (called with the instance number). One
// copy per construct, never inlined into a model's code, so that every model's loop around its construct is this.
template <class Construct>
[[gnu::noinline]] void construct_loop(Shape shape, Construct&& construct) {
  for (std::uint64_t i = 0; i < shape.inner; ++i) {
    delay(shape.delay);
    construct(i);
  }
}

// A fork_join test run: `shape.inner` times, start a team whose every worker runs one delay and records it, and
// join it. `fork_join(body)` is the model's own fork and join, running body(w) once on every worker w.
template <class ForkJoin>
[[gnu::noinline]] void fork_join_loop(Shape shape, Board& board, ForkJoin&& fork_join);

// --- what each construct records (the verification the driver checks after every test run) ---

// A worker's own record: it ran one more instance (a fork's body, a `for` iteration, a barrier phase).
inline void count_done(Board& board, int worker) {
  board.done[worker].value.store(board.done[worker].value.load(std::memory_order_relaxed) + 1,
                                 std::memory_order_relaxed);
}

// An increment of a shared counter as a separate load and store, made only inside a critical section or lock: a
// construct that does not exclude loses updates and fails (the compiler cannot fold relaxed atomic accesses).
inline void guarded_increment(std::uint64_t& guarded) {
  std::atomic_ref<std::uint64_t> cell(guarded);
  cell.store(cell.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

template <class Lock>
inline void locked_increment(Lock& lock, Board& board) {
  lock.lock();
  guarded_increment(board.guarded);
  lock.unlock();
}

inline void atomic_increment(Board& board) {
  std::atomic_ref<std::uint64_t>(board.counter).fetch_add(1, std::memory_order_relaxed);
}

// Barrier instance `instance` of worker `worker`: publish the phase reached, wait, then check that every other
// worker reached it too. A worker can be at most one phase further (it cannot pass the next barrier without this
// one), so anything outside [phase, phase + 1] means the barrier let someone through early.
template <class Wait>
inline void barrier_step(Board& board, int worker, int workers, std::uint64_t instance, Wait&& wait) {
  const std::uint64_t phase = instance + 1;
  board.phase[worker].value.store(phase, std::memory_order_release);
  wait();
  std::uint64_t wrong = 0;
  for (int w = 0; w < workers; ++w) {
    const std::uint64_t seen = board.phase[w].value.load(std::memory_order_acquire);
    wrong += seen < phase || seen > phase + 1 ? 1 : 0;
  }
  if (wrong != 0)
    board.wrong[worker].value.store(board.wrong[worker].value.load(std::memory_order_relaxed) + wrong,
                                    std::memory_order_relaxed);
  count_done(board, worker);
}

// The reduction's values: worker w contributes (w + 1) * (instance + 1), so the sum is known and every worker's
// share matters.
inline std::uint64_t reduction_value(int worker, std::uint64_t instance) {
  return static_cast<std::uint64_t>(worker + 1) * (instance + 1);
}
inline std::uint64_t reduction_expected(int workers, std::uint64_t instance) {
  const auto p = static_cast<std::uint64_t>(workers);
  return p * (p + 1) / 2 * (instance + 1);
}
// Records a worker's check of a reduction's result (a wrong sum is counted against `worker`).
inline void check_reduction(Board& board, int worker, int workers, std::uint64_t instance, std::uint64_t sum) {
  if (sum != reduction_expected(workers, instance))
    board.wrong[worker].value.store(board.wrong[worker].value.load(std::memory_order_relaxed) + 1,
                                    std::memory_order_relaxed);
}

// An all-reduce through per-worker slots and a barrier: write this instance's slot, wait, sum every worker's
// slot. The slots are double-buffered by instance parity, so one barrier per instance suffices: a worker writing
// instance i + 2's slot has passed instance i + 1's barrier, so every worker has finished reading instance i's.
template <class Wait>
inline void slots_reduction_step(Board& board, int worker, int workers, std::uint64_t instance, Wait&& wait) {
  auto& slots = board.slots[instance & 1];
  slots[worker].value.store(reduction_value(worker, instance), std::memory_order_release);
  wait();
  std::uint64_t sum = 0;
  for (int w = 0; w < workers; ++w) sum += slots[w].value.load(std::memory_order_acquire);
  check_reduction(board, worker, workers, instance, sum);
  count_done(board, worker);
}

// A sense-reversing centralized barrier of our own (the spin barrier of threads and processes): the last to
// arrive resets the count and flips the sense; the others spin on the sense. Only lock-free atomics and no
// pointers, so it works in a shared segment between processes too. Waiters pause, then yield (locks' SpinWait):
// pure spinning with more workers than cores waits for time slices at every instance.
class alignas(kDestructiveRange) SpinBarrier {
 public:
  explicit SpinBarrier(int workers) : workers_(workers), left_(workers) {}
  // `sense` is the caller's own, starting false; flipped at every instance.
  void arrive_and_wait(bool& sense) {
    sense = !sense;
    if (left_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      left_.store(workers_, std::memory_order_relaxed);
      sense_.store(sense, std::memory_order_release);
      return;
    }
    locks::SpinWait spin;
    while (sense_.load(std::memory_order_acquire) != sense) spin.once();
  }

 private:
  static_assert(std::atomic<int>::is_always_lock_free && std::atomic<bool>::is_always_lock_free);
  const int workers_;
  alignas(kDestructiveRange) std::atomic<int> left_;
  alignas(kDestructiveRange) std::atomic<bool> sense_{false};
};

template <class ForkJoin>
void fork_join_loop(Shape shape, Board& board, ForkJoin&& fork_join) {
  for (std::uint64_t i = 0; i < shape.inner; ++i)
    fork_join([&board, shape](int worker) {
      delay(shape.delay);
      count_done(board, worker);
    });
}

}  // namespace parbench::sync
