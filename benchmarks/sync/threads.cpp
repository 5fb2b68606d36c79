// sync with std::thread: a persistent, pinned ThreadTeam per case (the caller is worker 0) runs the reference and
// every construct but fork_join, which creates and joins std::threads per instance. Barriers: std::barrier,
// pthread_barrier_t and the sense-reversing spin barrier (impl:std_barrier|pthread|spin); std::mutex; std::atomic;
// a reduction through per-worker slots and a std::barrier.
#include <pthread.h>

#include <barrier>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "parbench/pin.hpp"
#include "parbench/rounds.hpp"
#include "parbench/thread_team.hpp"
#include "sync/kernels.hpp"
#include "sync/sync.hpp"

namespace parbench::sync {
namespace {

class PthreadBarrier {
 public:
  explicit PthreadBarrier(int workers) {
    if (const int rc = pthread_barrier_init(&barrier_, nullptr, static_cast<unsigned>(workers)))
      throw std::runtime_error(std::string("pthread_barrier_init: ") + std::strerror(rc));
  }
  ~PthreadBarrier() { pthread_barrier_destroy(&barrier_); }
  void arrive_and_wait() { pthread_barrier_wait(&barrier_); }

 private:
  pthread_barrier_t barrier_;
};

class ThreadsSync final : public Model {
 public:
  ThreadsSync(const Variant& v, int workers)
      : variant_(v), workers_(workers), board_(std::make_unique<Board>()), std_barrier_(workers),
        pthread_barrier_(workers), spin_barrier_(workers), team_(workers, [this](int w) { work(w); }) {}

  void reset() override { board_->reset(); }
  void run_reference(Shape shape) override { activate(shape, true); }
  void run_test(Shape shape) override {
    if (variant_.construct == Construct::fork_join) fork_join_loop(shape, *board_, [this](auto&& body) {
        fork_join(body);
      });
    else activate(shape, false);
  }
  int participants() override { return last_forked_ ? forked_.count(workers_, forks_) : team_.participants(); }
  Tally tally() override { return Tally::of(*board_, workers_); }

 private:
  void activate(Shape shape, bool reference) {
    shape_ = shape;
    reference_ = reference;
    last_forked_ = false;
    team_.run_round();  // waking the team publishes shape_ and reference_
  }

  // One fork and join: workers 1..p-1 are new threads (pinned as the team's are), the caller is worker 0.
  template <class Body>
  void fork_join(Body& body) {
    const std::uint64_t fork = ++forks_;
    last_forked_ = true;
    std::vector<std::thread> threads;
    threads.reserve(static_cast<std::size_t>(workers_ - 1));
    for (int w = 1; w < workers_; ++w) {
      threads.emplace_back([&, w] {
        forked_.mark(w, fork);
        body(w);
      });
      pin_thread(threads.back().native_handle(), w);
    }
    forked_.mark(0, fork);
    body(0);
    for (auto& t : threads) t.join();
  }

  // Worker w's part of one team activation.
  void work(int w) {
    if (reference_) return reference_loop(shape_);
    Board& board = *board_;
    switch (variant_.construct) {
      case Construct::barrier: {
        bool& sense = senses_[w].value;
        auto wait = [&] {
          if (variant_.impl == "std_barrier") std_barrier_.arrive_and_wait();
          else if (variant_.impl == "pthread") pthread_barrier_.arrive_and_wait();
          else spin_barrier_.arrive_and_wait(sense);
        };
        construct_loop(shape_, [&](std::uint64_t i) { barrier_step(board, w, workers_, i, wait); });
        break;
      }
      case Construct::lock:
        construct_loop(shape_, [&](std::uint64_t) { locked_increment(mutex_, board); });
        break;
      case Construct::atomic:
        construct_loop(shape_, [&](std::uint64_t) { atomic_increment(board); });
        break;
      case Construct::reduction:
        construct_loop(shape_, [&](std::uint64_t i) {
          slots_reduction_step(board, w, workers_, i, [this] { std_barrier_.arrive_and_wait(); });
        });
        break;
      default: throw std::logic_error("not a threads construct");
    }
  }

  Variant variant_;
  int workers_;
  std::unique_ptr<Board> board_;
  std::barrier<> std_barrier_;
  PthreadBarrier pthread_barrier_;
  SpinBarrier spin_barrier_;
  Padded<bool> senses_[kMaxCpuWorkers]{};  // each worker's spin-barrier sense, kept across activations
  std::mutex mutex_;
  Participation forked_;  // fork_join: the workers that ran the last fork
  std::uint64_t forks_ = 0;
  bool last_forked_ = false;
  Shape shape_;
  bool reference_ = true;
  ThreadTeam team_;  // last: its threads use the members above
};

}  // namespace

ModelInfo model_info() {
  ModelInfo info;
  info.variants = {{Construct::fork_join, ""},         {Construct::barrier, "std_barrier"},
                   {Construct::barrier, "pthread"},    {Construct::barrier, "spin"},
                   {Construct::lock, ""},              {Construct::atomic, ""},
                   {Construct::reduction, ""}};
  // Creating and joining threads costs tens of microseconds per team here.
  info.inner = [](const Variant& v) -> std::uint64_t {
    return v.construct == Construct::fork_join ? 64 : default_inner(v.construct);
  };
  info.context = pin_context();
  info.make = [](const Variant& v, int workers) { return std::make_unique<ThreadsSync>(v, workers); };
  return info;
}

}  // namespace parbench::sync
