// sync with OpenMP, EPCC syncbench's constructs: `parallel` (fork_join: one region per instance), `barrier`,
// `critical`, omp_set_lock/omp_unset_lock (lock), `atomic`, `reduction` (a region with reduction(+) per instance,
// as EPCC's), `for` (one iteration per thread and the implicit barrier) and `single` (its implicit barrier).
// The reference and the one-region constructs run in one parallel region per run (libgomp keeps its threads
// between regions). How idle threads wait (OMP_WAIT_POLICY) changes every figure by orders of magnitude on a busy
// machine, so every case name carries it: wait:default|active|passive|invalid, read at registration.
#include <omp.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "parbench/participation.hpp"
#include "parbench/rounds.hpp"
#include "sync/kernels.hpp"
#include "sync/sync.hpp"

namespace parbench::sync {
namespace {

class OmpLock {
 public:
  OmpLock() { omp_init_lock(&lock_); }
  ~OmpLock() { omp_destroy_lock(&lock_); }
  OmpLock(const OmpLock&) = delete;
  OmpLock& operator=(const OmpLock&) = delete;
  void lock() { omp_set_lock(&lock_); }
  void unlock() { omp_unset_lock(&lock_); }

 private:
  omp_lock_t lock_;
};

class OpenmpSync final : public Model {
 public:
  OpenmpSync(const Variant& v, int workers) : variant_(v), workers_(workers) {}

  void reset() override { board_->reset(); }

  void run_reference(Shape shape) override {
    const std::uint64_t region = ++regions_;
#pragma omp parallel num_threads(workers_)
    {
      participation_.mark(omp_get_thread_num(), region);
      reference_loop(shape);
    }
  }

  void run_test(Shape shape) override {
    Board& board = *board_;
    switch (variant_.construct) {
      case Construct::fork_join:
        fork_join_loop(shape, board, [this](auto&& body) {
          const std::uint64_t region = ++regions_;
#pragma omp parallel num_threads(workers_)
          {
            participation_.mark(omp_get_thread_num(), region);
            body(omp_get_thread_num());
          }
        });
        break;
      case Construct::reduction:
        for (std::uint64_t i = 0; i < shape.inner; ++i) {
          const std::uint64_t region = ++regions_;
          std::uint64_t sum = 0;
#pragma omp parallel num_threads(workers_) reduction(+ : sum)
          {
            const int w = omp_get_thread_num();
            participation_.mark(w, region);
            delay(shape.delay);
            count_done(board, w);
            sum += reduction_value(w, i);
          }
          check_reduction(board, 0, workers_, i, sum);
        }
        break;
      default: {
        const std::uint64_t region = ++regions_;
#pragma omp parallel num_threads(workers_)
        {
          participation_.mark(omp_get_thread_num(), region);
          one_region(shape, board, omp_get_thread_num());
        }
      }
    }
  }

  int participants() override { return participation_.count(workers_, regions_); }
  Tally tally() override { return Tally::of(*board_, workers_); }

 private:
  // The constructs that run `inner` times inside one region (orphaned directives bind to it).
  void one_region(Shape shape, Board& board, int w) {
    switch (variant_.construct) {
      case Construct::barrier:
        construct_loop(shape, [&](std::uint64_t i) {
          barrier_step(board, w, workers_, i, [] {
#pragma omp barrier
          });
        });
        break;
      case Construct::critical:
        construct_loop(shape, [&](std::uint64_t) {
#pragma omp critical
          guarded_increment(board.guarded);
        });
        break;
      case Construct::lock:
        construct_loop(shape, [&](std::uint64_t) { locked_increment(lock_, board); });
        break;
      case Construct::atomic:
        construct_loop(shape, [&](std::uint64_t) {
#pragma omp atomic
          board.counter += 1;
        });
        break;
      case Construct::for_loop:
        construct_loop(shape, [&](std::uint64_t) {
          // One iteration per thread (static schedule); each iteration records itself.
#pragma omp for schedule(static)
          for (int j = 0; j < workers_; ++j) count_done(board, j);
        });
        break;
      case Construct::single:
        construct_loop(shape, [&](std::uint64_t) {
#pragma omp single
          guarded_increment(board.guarded);
        });
        break;
      default: throw std::logic_error("not an openmp construct");
    }
  }

  Variant variant_;
  int workers_;
  std::unique_ptr<Board> board_ = std::make_unique<Board>();
  OmpLock lock_;
  Participation participation_;
  std::uint64_t regions_ = 0;
};

// OMP_WAIT_POLICY as libgomp reads it: "active" or "passive", any case, surrounding blanks allowed; unset is the
// default (spin a while, then sleep); anything else libgomp reports on stderr and ignores (the default applies),
// named `invalid` here so that such a run is never mistaken for one with the variable unset.
struct WaitPolicy {
  std::string name;  // default, active, passive or invalid
  std::string raw;   // the variable's value, "(unset)" when unset
};

WaitPolicy wait_policy() {
  const char* env = std::getenv("OMP_WAIT_POLICY");
  if (env == nullptr) return {"default", "(unset)"};
  std::string value(env);
  const auto blank = [](unsigned char c) { return std::isspace(c) != 0; };
  value.erase(value.begin(), std::find_if_not(value.begin(), value.end(), blank));
  value.erase(std::find_if_not(value.rbegin(), value.rend(), blank).base(), value.end());
  std::transform(value.begin(), value.end(), value.begin(), [](unsigned char c) { return std::tolower(c); });
  if (value == "active" || value == "passive") return {value, env};
  return {"invalid", env};
}

std::string env_or_unset(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "(unset)";
}

std::string proc_bind_name(omp_proc_bind_t bind) {
  switch (bind) {
    case omp_proc_bind_false: return "false";
    case omp_proc_bind_true: return "true";
    case omp_proc_bind_master: return "primary";
    case omp_proc_bind_close: return "close";
    case omp_proc_bind_spread: return "spread";
  }
  return std::to_string(static_cast<int>(bind));
}

}  // namespace

ModelInfo model_info() {
  ModelInfo info;
  info.variants = {{Construct::fork_join, ""}, {Construct::barrier, ""}, {Construct::critical, ""},
                   {Construct::lock, ""},      {Construct::atomic, ""},  {Construct::reduction, ""},
                   {Construct::for_loop, ""},  {Construct::single, ""}};
  const WaitPolicy wait = wait_policy();
  info.params = {{"wait", wait.name}};
  info.context = {{"openmp_version", std::to_string(_OPENMP)},
                  {"openmp_wait_policy", wait.name},
                  {"openmp_wait_policy_env", wait.raw},
                  {"openmp_proc_bind", proc_bind_name(omp_get_proc_bind())},
                  {"openmp_places_env", env_or_unset("OMP_PLACES")},
                  {"openmp_num_places", std::to_string(omp_get_num_places())},
                  {"gomp_spincount_env", env_or_unset("GOMP_SPINCOUNT")}};
  info.make = [](const Variant& v, int workers) {
    // Without this, an oversubscribed request is silently cut to fewer threads by dynamic adjustment.
    omp_set_dynamic(0);
    return std::make_unique<OpenmpSync>(v, workers);
  };
  return info;
}

}  // namespace parbench::sync
