// The threads model's idiom for classics, in a header because a test-only model (tests/models/classics_broken.cpp)
// builds its broken methods the same way: a persistent, pinned ThreadTeam per case (the caller is worker 0), and
// the buffers made of std:: primitives.
#pragma once
#include <condition_variable>
#include <memory>
#include <mutex>
#include <semaphore>
#include <utility>

#include "classics/classics.hpp"
#include "classics/kernels.hpp"
#include "parbench/thread_team.hpp"

namespace parbench::classics {

// A ThreadTeam whose workers run `Work` (kernels.hpp: HandOver, Dinner, Transfers) each round.
template <class Work>
class ThreadsModel final : public Model {
 public:
  template <class... WorkArgs>
  explicit ThreadsModel(int workers, WorkArgs&&... args)
      : work_(std::make_unique<Work>(*arena_, workers, std::forward<WorkArgs>(args)...)),
        team_(workers, [this](int w) { work_->run(w, order_); }) {}

  Arena& arena() override { return *arena_; }
  void run_round(const RoundOrder& order) override {
    order_ = order;
    arena_->budget.store(static_cast<std::int64_t>(order.size), std::memory_order_relaxed);
    team_.run_round();  // waking the team publishes the order and the budget
  }
  int participants() override { return team_.participants(); }

 private:
  std::unique_ptr<Arena> arena_ = std::make_unique<Arena>();
  std::unique_ptr<Work> work_;
  RoundOrder order_;
  ThreadTeam team_;  // last: its threads use the members above
};

// The chapter's solution: a counting semaphore of empty slots, one of full slots, and a mutex around the ring.
class SemaphoreQueue {
 public:
  SemaphoreQueue(Ring& ring, std::uint64_t capacity)
      : ring_(ring), empty_(static_cast<std::ptrdiff_t>(capacity)), full_(0) {}
  bool push(std::uint64_t item, const std::atomic<bool>& abort) {
    if (!wait_abortable(abort, [&] { return empty_.try_acquire(); }, [&](auto d) { return empty_.try_acquire_for(d); }))
      return false;
    {
      std::lock_guard<std::mutex> hold(mutex_);
      ring_.put(item);
    }
    full_.release();
    return true;
  }
  bool pop(std::uint64_t& item, const std::atomic<bool>& abort) {
    if (!wait_abortable(abort, [&] { return full_.try_acquire(); }, [&](auto d) { return full_.try_acquire_for(d); }))
      return false;
    {
      std::lock_guard<std::mutex> hold(mutex_);
      item = ring_.take();
    }
    empty_.release();
    return true;
  }

 private:
  Ring& ring_;
  std::counting_semaphore<static_cast<std::ptrdiff_t>(kMaxBuffer)> empty_, full_;
  std::mutex mutex_;
};

// A monitor: one mutex, a condition variable for "not full" and one for "not empty".
class CondvarQueue {
 public:
  CondvarQueue(Ring& ring, std::uint64_t capacity) : ring_(ring), capacity_(capacity) {}
  bool push(std::uint64_t item, const std::atomic<bool>& abort) {
    std::unique_lock<std::mutex> hold(mutex_);
    while (ring_.tail - ring_.head == capacity_) {
      if (abort.load(std::memory_order_relaxed)) return false;
      not_full_.wait_for(hold, kAbortPoll);
    }
    ring_.put(item);
    hold.unlock();
    not_empty_.notify_one();
    return true;
  }
  bool pop(std::uint64_t& item, const std::atomic<bool>& abort) {
    std::unique_lock<std::mutex> hold(mutex_);
    while (ring_.tail == ring_.head) {
      if (abort.load(std::memory_order_relaxed)) return false;
      not_empty_.wait_for(hold, kAbortPoll);
    }
    item = ring_.take();
    hold.unlock();
    not_full_.notify_one();
    return true;
  }

 private:
  Ring& ring_;
  std::uint64_t capacity_;
  std::mutex mutex_;
  std::condition_variable not_full_, not_empty_;
};

// Lock-free single-producer single-consumer ring: the producer alone writes the tail, the consumer alone the head;
// each waits by spinning (pause, then yield). Correct only with exactly one of each.
class SpscQueue {
 public:
  SpscQueue(Ring& ring, std::uint64_t) : ring_(ring) {}
  bool push(std::uint64_t item, const std::atomic<bool>& abort) {
    const std::uint64_t tail = ring_.spsc_tail.load(std::memory_order_relaxed);
    if (!spin_abortable(abort, [&] { return tail - ring_.spsc_head.load(std::memory_order_acquire) < ring_.capacity; }))
      return false;
    ring_.slots[tail % ring_.capacity] = item;
    ring_.spsc_tail.store(tail + 1, std::memory_order_release);
    return true;
  }
  bool pop(std::uint64_t& item, const std::atomic<bool>& abort) {
    const std::uint64_t head = ring_.spsc_head.load(std::memory_order_relaxed);
    if (!spin_abortable(abort, [&] { return ring_.spsc_tail.load(std::memory_order_acquire) != head; })) return false;
    item = ring_.slots[head % ring_.capacity];
    ring_.spsc_head.store(head + 1, std::memory_order_release);
    return true;
  }

 private:
  Ring& ring_;
};

}  // namespace parbench::classics
