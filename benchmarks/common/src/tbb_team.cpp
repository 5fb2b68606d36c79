#include "parbench/tbb_team.hpp"

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/partitioner.h>
#include <oneapi/tbb/task_scheduler_observer.h>

#include <thread>

#include "parbench/pin.hpp"

namespace parbench {

// Pins every thread that enters the arena to the CPU of its slot (PARBENCH_PIN=cores), as the other models pin
// worker w to CPU w.
class TbbTeam::Pinning final : public tbb::task_scheduler_observer {
 public:
  explicit Pinning(tbb::task_arena& arena) : tbb::task_scheduler_observer(arena) { observe(true); }
  ~Pinning() override { observe(false); }
  void on_scheduler_entry(bool) override { pin_worker(tbb::this_task_arena::current_thread_index()); }
};

TbbTeam::TbbTeam(int workers, std::chrono::milliseconds rendezvous_timeout)
    : workers_(workers),
      timeout_(rendezvous_timeout),
      parallelism_(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(workers)),
      arena_(workers),
      pinning_(std::make_unique<Pinning>(arena_)) {}

TbbTeam::~TbbTeam() = default;

void TbbTeam::run_round(const std::function<void(int)>& work) {
  const std::uint64_t round = ++round_;
  arrived_.value.store(0, std::memory_order_relaxed);
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  arena_.execute([&] {
    tbb::parallel_for(
        tbb::blocked_range<int>(0, workers_, 1),
        [&](const tbb::blocked_range<int>& chunk) {
          for (int w = chunk.begin(); w != chunk.end(); ++w) {
            arrived_.value.fetch_add(1, std::memory_order_acq_rel);
            while (arrived_.value.load(std::memory_order_acquire) < workers_ &&
                   std::chrono::steady_clock::now() < deadline)
              std::this_thread::yield();
            participation_.mark(tbb::this_task_arena::current_thread_index(), round);
            work(w);
          }
        },
        tbb::simple_partitioner());
  });
}

}  // namespace parbench
