// A counters model whose lock does not exclude, for the test that a broken lock cannot pass: its `locked` case
// must fail (verification, or a physically impossible rate) instead of reporting a number.
#include "counters/counters.hpp"
#include "counters/kernels.hpp"
#include "parbench/rounds.hpp"
#include "parbench/thread_team.hpp"

namespace parbench::counters {
namespace {

struct NoLock {
  void lock() {}
  void unlock() {}
};

class NoLockCounters final : public Model {
 public:
  explicit NoLockCounters(int workers)
      : workers_(workers),
        team_(workers, [this](int w) { count_locked(lock_, guarded_, share_of(increments_, workers_, w)); }) {}

  void reset() override { guarded_.store(0); }
  void run_round(std::uint64_t increments) override {
    increments_ = increments;
    team_.run_round();
  }
  int participants() override { return team_.participants(); }
  std::uint64_t total() override { return guarded_.load(); }

 private:
  int workers_;
  NoLock lock_;
  std::atomic<std::uint64_t> guarded_{0};
  std::uint64_t increments_ = 0;
  ThreadTeam team_;
};

}  // namespace

ModelInfo model_info() {
  ModelInfo info;
  info.variants = {Variant::locked};
  info.make = [](Variant, int workers) { return std::make_unique<NoLockCounters>(workers); };
  return info;
}

}  // namespace parbench::counters
