// counters with std::thread: a team of threads spawned and joined per round (the caller is worker 0), std::atomic and std::mutex.
#include <mutex>
#include <thread>
#include <vector>

#include "counters/counters.hpp"
#include "parbench/pin.hpp"
#include "parbench/rounds.hpp"

namespace parbench::counters {
namespace {

class ThreadsCounters final : public Model {
 public:
  ThreadsCounters(Variant v, int workers) : variant_(v), workers_(workers), cells_(std::make_unique<Cells>()) {}

  void reset() override { cells_->reset(); }
  std::uint64_t total() override { return cells_->total(variant_, workers_); }

  // The calling thread is worker 0 (as an OpenMP master is): a spawner left waiting would otherwise compete
  // with a worker pinned to its CPU.
  void run_round(std::uint64_t increments) override {
    pin_worker(0);
    std::vector<std::thread> team;
    team.reserve(workers_ - 1);
    for (int w = 1; w < workers_; ++w) {
      team.emplace_back([this, w, n = share_of(increments, workers_, w)] { count(w, n); });
      pin_thread(team.back().native_handle(), w);
    }
    count(0, share_of(increments, workers_, 0));
    for (auto& t : team) t.join();
  }

 private:
  void count(int worker, std::uint64_t n) {
    Cells& c = *cells_;
    switch (variant_) {
      case Variant::racy:
        for (std::uint64_t i = 0; i < n; ++i) unsynchronized_increment(c.shared);
        break;
      case Variant::atomic:
        for (std::uint64_t i = 0; i < n; ++i) c.shared.fetch_add(1, std::memory_order_relaxed);
        break;
      case Variant::locked:
        for (std::uint64_t i = 0; i < n; ++i) {
          std::lock_guard<std::mutex> hold(mutex_);
          ++c.guarded;
        }
        break;
      case Variant::sharded:
      case Variant::false_sharing: {
        auto& mine = c.own(variant_, worker);
        for (std::uint64_t i = 0; i < n; ++i) unsynchronized_increment(mine);
        break;
      }
    }
  }

  Variant variant_;
  int workers_;
  std::unique_ptr<Cells> cells_;
  std::mutex mutex_;
};

}  // namespace

ModelInfo model_info() {
  ModelInfo info;
  info.variants = kAllVariants;
  info.make = [](Variant v, int workers) { return std::make_unique<ThreadsCounters>(v, workers); };
  return info;
}

}  // namespace parbench::counters
