// sync with processes: a ForkPool made once per case runs the reference and every construct but fork_join, which
// forks and waits for fresh children per instance (the parent is worker 0). Everything shared lives in one
// anonymous shared segment made before the pool forks: the board, a process-shared pthread barrier and the
// sense-reversing spin barrier (impl:pthread|spin), a robust process-shared mutex, the atomic counter and the
// reduction's slots. The chapter's multiprocessing Barrier(2) example is barrier at 2 workers.
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "parbench/fork_pool.hpp"
#include "parbench/pin.hpp"
#include "parbench/pshared.hpp"
#include "parbench/rounds.hpp"
#include "parbench/shm.hpp"
#include "sync/kernels.hpp"
#include "sync/sync.hpp"

namespace parbench::sync {
namespace {

class SharedBarrier {
 public:
  explicit SharedBarrier(int workers) {
    pthread_barrierattr_t attr;
    pthread_barrierattr_init(&attr);
    pthread_barrierattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    const int rc = pthread_barrier_init(&barrier_, &attr, static_cast<unsigned>(workers));
    pthread_barrierattr_destroy(&attr);
    if (rc != 0) throw std::runtime_error(std::string("pthread_barrier_init: ") + std::strerror(rc));
  }
  ~SharedBarrier() { pthread_barrier_destroy(&barrier_); }
  SharedBarrier(const SharedBarrier&) = delete;
  SharedBarrier& operator=(const SharedBarrier&) = delete;
  void arrive_and_wait() { pthread_barrier_wait(&barrier_); }

 private:
  pthread_barrier_t barrier_;
};

struct SharedState {
  explicit SharedState(int workers) : pthread_barrier(workers), spin_barrier(workers) {}
  Board board;
  SharedBarrier pthread_barrier;
  SpinBarrier spin_barrier;
  SharedMutex mutex;
  Participation forked;  // fork_join: the workers that ran the last fork
  Shape shape;           // written by the parent before each activation
  bool reference = true;
};

static_assert(std::atomic<std::uint64_t>::is_always_lock_free, "atomics in shared memory must be lock-free");

class ProcessesSync final : public Model {
 public:
  ProcessesSync(const Variant& v, int workers)
      : variant_(v), workers_(workers), state_(workers), pool_(workers, [this](int w) { work(w); }) {}

  void reset() override { state_->board.reset(); }
  void run_reference(Shape shape) override { activate(shape, true); }
  void run_test(Shape shape) override {
    if (variant_.construct == Construct::fork_join) fork_join_loop(shape, state_->board, [this](auto&& body) {
        fork_join(body);
      });
    else activate(shape, false);
  }
  int participants() override {
    return last_forked_ ? state_->forked.count(workers_, forks_) : pool_.participants();
  }
  Tally tally() override { return Tally::of(state_->board, workers_); }

 private:
  void activate(Shape shape, bool reference) {
    state_->shape = shape;
    state_->reference = reference;
    last_forked_ = false;
    pool_.run_round();  // the pool's process-shared mutex publishes shape and reference to the children
  }

  // One fork and join: workers 1..p-1 are fresh children that run their part and _exit; the parent is worker 0
  // and reaps them all.
  template <class Body>
  void fork_join(Body& body) {
    const std::uint64_t fork = ++forks_;
    last_forked_ = true;
    pids_.clear();
    for (int w = 1; w < workers_; ++w) {
      const pid_t pid = ::fork();
      if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
      if (pid == 0) {
        pin_worker(w);
        state_->forked.mark(w, fork);
        body(w);
        _exit(0);
      }
      pids_.push_back(pid);
    }
    state_->forked.mark(0, fork);
    body(0);
    for (pid_t pid : pids_) {
      int status = 0;
      if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw std::runtime_error("a forked worker did not exit cleanly");
    }
  }

  // Worker w's part of one pool activation (in child w).
  void work(int w) {
    SharedState& s = *state_;
    if (s.reference) return reference_loop(s.shape);
    switch (variant_.construct) {
      case Construct::barrier: {
        bool& sense = senses_[w].value;
        auto wait = [&] {
          if (variant_.impl == "pthread") s.pthread_barrier.arrive_and_wait();
          else s.spin_barrier.arrive_and_wait(sense);
        };
        construct_loop(s.shape, [&](std::uint64_t i) { barrier_step(s.board, w, workers_, i, wait); });
        break;
      }
      case Construct::lock:
        construct_loop(s.shape, [&](std::uint64_t) { locked_increment(s.mutex, s.board); });
        break;
      case Construct::atomic:
        construct_loop(s.shape, [&](std::uint64_t) { atomic_increment(s.board); });
        break;
      case Construct::reduction:
        construct_loop(s.shape, [&](std::uint64_t i) {
          slots_reduction_step(s.board, w, workers_, i, [&] { s.pthread_barrier.arrive_and_wait(); });
        });
        break;
      default: throw std::logic_error("not a processes construct");
    }
  }

  Variant variant_;
  int workers_;
  Padded<bool> senses_[kMaxCpuWorkers]{};  // each child's spin-barrier sense (its own copy), kept across rounds
  std::uint64_t forks_ = 0;
  bool last_forked_ = false;
  std::vector<pid_t> pids_;
  Shared<SharedState> state_;  // made before the pool forks, so every child maps it
  ForkPool pool_;
};

}  // namespace

ModelInfo model_info() {
  ModelInfo info;
  info.variants = {{Construct::fork_join, ""}, {Construct::barrier, "pthread"}, {Construct::barrier, "spin"},
                   {Construct::lock, ""},      {Construct::atomic, ""},         {Construct::reduction, ""}};
  // fork + waitpid costs a few hundred microseconds per team here.
  info.inner = [](const Variant& v) -> std::uint64_t {
    return v.construct == Construct::fork_join ? 16 : default_inner(v.construct);
  };
  info.context = pin_context();
  info.make = [](const Variant& v, int workers) { return std::make_unique<ProcessesSync>(v, workers); };
  return info;
}

}  // namespace parbench::sync
