// sync with oneTBB: a TbbTeam per case (arena, pinned threads, every worker taking part) runs the reference, the
// spin_mutex and the atomic. Fork/join and reduction are task-parallel: worker 0 of one team activation runs the
// `inner` instances (task_group.run + wait, or parallel_invoke halving the workers recursively; parallel_reduce
// over the workers) while the other team threads wait in the arena and take the tasks. oneTBB has no barrier.
#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_invoke.h>
#include <oneapi/tbb/parallel_reduce.h>
#include <oneapi/tbb/partitioner.h>
#include <oneapi/tbb/spin_mutex.h>
#include <oneapi/tbb/task_group.h>
#include <oneapi/tbb/version.h>

#include <stdexcept>

#include "parbench/pin.hpp"
#include "parbench/rounds.hpp"
#include "parbench/tbb_team.hpp"
#include "sync/kernels.hpp"
#include "sync/sync.hpp"

namespace parbench::sync {
namespace {

class TbbSync final : public Model {
 public:
  TbbSync(const Variant& v, int workers) : variant_(v), workers_(workers), team_(workers) {}

  void reset() override { board_->reset(); }
  void run_reference(Shape shape) override {
    tracked_ = true;
    team_.run_round([&](int) { reference_loop(shape); });
  }
  void run_test(Shape shape) override {
    Board& board = *board_;
    switch (variant_.construct) {
      case Construct::lock:
      case Construct::atomic:
        tracked_ = true;
        team_.run_round([&](int) {
          if (variant_.construct == Construct::lock)
            construct_loop(shape, [&](std::uint64_t) { locked_increment(mutex_, board); });
          else
            construct_loop(shape, [&](std::uint64_t) { atomic_increment(board); });
        });
        break;
      case Construct::fork_join:
      case Construct::reduction:
        // oneTBB decides which threads run the tasks (the caller may run them all): every task is checked to have
        // run, not which thread ran it.
        tracked_ = false;
        team_.run_round([&](int w) {
          if (w != 0) return;
          if (variant_.construct == Construct::reduction) reduce(shape, board);
          else if (variant_.impl == "task_group") fork_join_loop(shape, board, [this](auto&& body) { group(body); });
          else fork_join_loop(shape, board, [this](auto&& body) { invoke(body, 0, workers_); });
        });
        break;
      default: throw std::logic_error("not a tbb construct");
    }
  }
  int participants() override { return tracked_ ? team_.participants() : kNotTracked; }
  Tally tally() override { return Tally::of(*board_, workers_); }

 private:
  // One fork and join with a task_group: tasks for workers 1..p-1, worker 0's part on the caller, then wait.
  template <class Body>
  void group(Body& body) {
    tbb::task_group tasks;
    for (int w = 1; w < workers_; ++w) tasks.run([&body, w] { body(w); });
    body(0);
    tasks.wait();
  }

  // One fork and join with parallel_invoke, which takes a fixed number of functions: the workers [lo, hi) are
  // halved recursively (a binary fork tree).
  template <class Body>
  void invoke(Body& body, int lo, int hi) {
    if (hi - lo == 1) return body(lo);
    const int mid = lo + (hi - lo) / 2;
    tbb::parallel_invoke([&] { invoke(body, lo, mid); }, [&] { invoke(body, mid, hi); });
  }

  // `inner` parallel_reduce calls over the workers, each element a delay and its value; the caller checks each sum.
  void reduce(Shape shape, Board& board) {
    for (std::uint64_t i = 0; i < shape.inner; ++i) {
      const std::uint64_t sum = tbb::parallel_reduce(
          tbb::blocked_range<int>(0, workers_, 1), std::uint64_t{0},
          [&](const tbb::blocked_range<int>& part, std::uint64_t partial) {
            for (int w = part.begin(); w != part.end(); ++w) {
              delay(shape.delay);
              count_done(board, w);
              partial += reduction_value(w, i);
            }
            return partial;
          },
          [](std::uint64_t a, std::uint64_t b) { return a + b; }, tbb::simple_partitioner());
      check_reduction(board, 0, workers_, i, sum);
    }
  }

  Variant variant_;
  int workers_;
  TbbTeam team_;
  std::unique_ptr<Board> board_ = std::make_unique<Board>();
  tbb::spin_mutex mutex_;
  bool tracked_ = true;
};

}  // namespace

ModelInfo model_info() {
  ModelInfo info;
  info.variants = {{Construct::fork_join, "task_group"},
                   {Construct::fork_join, "parallel_invoke"},
                   {Construct::barrier, "", "oneTBB has no barrier: its tasks are not guaranteed to run at the same "
                                            "time, so tasks waiting for each other can deadlock"},
                   {Construct::lock, ""},
                   {Construct::atomic, ""},
                   {Construct::reduction, ""}};
  info.context = pin_context();
  info.context.emplace_back("tbb_version", TBB_VERSION_STRING);
  info.make = [](const Variant& v, int workers) { return std::make_unique<TbbSync>(v, workers); };
  return info;
}

}  // namespace parbench::sync
