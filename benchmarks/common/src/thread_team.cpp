#include "parbench/thread_team.hpp"

#include "parbench/pin.hpp"

namespace parbench {

ThreadTeam::ThreadTeam(int workers, std::function<void(int)> work) : workers_(workers), work_(std::move(work)) {
  pin_worker(0);
  threads_.reserve(static_cast<std::size_t>(workers - 1));
  for (int w = 1; w < workers; ++w) {
    threads_.emplace_back([this, w] { worker_main(w); });
    pin_thread(threads_.back().native_handle(), w);
  }
}

ThreadTeam::~ThreadTeam() {
  stop_.store(true);
  round_.value.fetch_add(1, std::memory_order_release);
  round_.value.notify_all();
  for (auto& t : threads_) t.join();
}

void ThreadTeam::run_round() {
  running_.value.store(workers_ - 1, std::memory_order_relaxed);
  const std::uint64_t round = round_.value.fetch_add(1, std::memory_order_release) + 1;
  round_.value.notify_all();
  participation_.mark(0, round);
  work_(0);
  // C++20 atomic wait: spins briefly, then sleeps in the kernel (futex) until the last worker's notify.
  for (int left = running_.value.load(std::memory_order_acquire); left != 0;
       left = running_.value.load(std::memory_order_acquire))
    running_.value.wait(left, std::memory_order_acquire);
}

void ThreadTeam::worker_main(int worker) {
  std::uint64_t seen = 0;
  while (true) {
    round_.value.wait(seen, std::memory_order_acquire);
    seen = round_.value.load(std::memory_order_acquire);
    if (stop_.load()) return;
    participation_.mark(worker, seen);
    work_(worker);
    if (running_.value.fetch_sub(1, std::memory_order_acq_rel) == 1) running_.value.notify_one();
  }
}

}  // namespace parbench
