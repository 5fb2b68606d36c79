// classics with processes: workers forked once per case (ForkPool), the Arena and the model's primitives in
// shared memory. producer_consumer through a pipe (the kernel's own bounded buffer between processes) or through
// a ring in shared memory guarded by process-shared semaphores and a robust mutex (shm_ring, the chapter's
// solution across processes); philosophers with robust process-shared mutexes as forks and a process-shared
// semaphore as the waiter; the bank with a robust process-shared mutex per account, or atomics in the segment.
#include <fcntl.h>
#include <poll.h>
#include <semaphore.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "classics/classics.hpp"
#include "classics/kernels.hpp"
#include "parbench/fork_pool.hpp"
#include "parbench/pin.hpp"
#include "parbench/pshared.hpp"
#include "parbench/rounds.hpp"
#include "parbench/shm.hpp"

namespace parbench::classics {
namespace {

// CLOCK_MONOTONIC now + d, for the timed waits.
template <class Duration>
timespec deadline_after(Duration d) {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
  t.tv_sec += static_cast<time_t>(ns / 1'000'000'000);
  t.tv_nsec += static_cast<long>(ns % 1'000'000'000);
  if (t.tv_nsec >= 1'000'000'000) {
    ++t.tv_sec;
    t.tv_nsec -= 1'000'000'000;
  }
  return t;
}

// A POSIX semaphore shared between processes (sem_init with pshared = 1), with the counting_semaphore calls the
// kernels use.
class SharedSemaphore {
 public:
  explicit SharedSemaphore(std::ptrdiff_t initial) {
    if (sem_init(&sem_, 1, static_cast<unsigned>(initial)) != 0)
      throw std::runtime_error(std::string("sem_init: ") + std::strerror(errno));
  }
  ~SharedSemaphore() { sem_destroy(&sem_); }
  SharedSemaphore(const SharedSemaphore&) = delete;
  SharedSemaphore& operator=(const SharedSemaphore&) = delete;
  bool try_acquire() { return sem_trywait(&sem_) == 0; }
  template <class Duration>
  bool try_acquire_for(Duration d) {
    const timespec deadline = deadline_after(d);
    return sem_clockwait(&sem_, CLOCK_MONOTONIC, &deadline) == 0;  // false on timeout or a signal: look again
  }
  void release() { sem_post(&sem_); }

 private:
  sem_t sem_;
};

// A fork: a robust process-shared mutex (SharedMutex) with the timed lock calls the table uses. A fork whose
// holder died is taken back (it is consistent: nothing is guarded but the fork itself).
class SharedFork {
 public:
  bool try_lock() { return taken(pthread_mutex_trylock(mutex_.native())); }
  template <class Duration>
  bool try_lock_for(Duration d) {
    const timespec deadline = deadline_after(d);
    return taken(pthread_mutex_clocklock(mutex_.native(), CLOCK_MONOTONIC, &deadline));
  }
  void unlock() { mutex_.unlock(); }

 private:
  bool taken(int rc) {
    if (rc == EOWNERDEAD) pthread_mutex_consistent(mutex_.native());
    return rc == 0 || rc == EOWNERDEAD;
  }
  SharedMutex mutex_;
};

// The chapter's bounded buffer across processes: semaphores of empty and full slots, a robust mutex around the
// ring, all in the shared segment.
class ShmRingQueue {
 public:
  ShmRingQueue(Ring& ring, std::uint64_t capacity)
      : ring_(ring), empty_(static_cast<std::ptrdiff_t>(capacity)), full_(0) {}
  bool push(std::uint64_t item, const std::atomic<bool>& abort) {
    if (!wait_abortable(abort, [&] { return empty_.try_acquire(); }, [&](auto d) { return empty_.try_acquire_for(d); }))
      return false;
    mutex_.lock();
    ring_.put(item);
    mutex_.unlock();
    full_.release();
    return true;
  }
  bool pop(std::uint64_t& item, const std::atomic<bool>& abort) {
    if (!wait_abortable(abort, [&] { return full_.try_acquire(); }, [&](auto d) { return full_.try_acquire_for(d); }))
      return false;
    mutex_.lock();
    item = ring_.take();
    mutex_.unlock();
    empty_.release();
    return true;
  }

 private:
  Ring& ring_;  // the Arena's, in the same shared segment mapping in every child
  SharedSemaphore empty_, full_;
  SharedMutex mutex_;
};

// A pipe: the kernel's bounded buffer between processes. An 8-byte write is atomic (below PIPE_BUF) and every
// read asks for 8 bytes, so items are never split or interleaved. Its capacity is whole pages: `buffer` must be
// a multiple of 512 items (4 KiB / 8 bytes). Non-blocking ends and poll() with a timeout let an aborted round end.
class PipeQueue {
 public:
  static constexpr std::uint64_t kItemsPerPage = 4096 / sizeof(std::uint64_t);

  PipeQueue(Ring&, std::uint64_t capacity) {
    if (capacity % kItemsPerPage != 0)
      throw SkipCase("a pipe holds whole pages: buffer must be a multiple of " + std::to_string(kItemsPerPage) +
                     " items (4 KiB of 8-byte items)");
    if (pipe2(fds_, O_NONBLOCK | O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
    const auto bytes = static_cast<int>(capacity * sizeof(std::uint64_t));
    if (fcntl(fds_[1], F_SETPIPE_SZ, bytes) < 0 || fcntl(fds_[1], F_GETPIPE_SZ) != bytes) {
      const std::string why = std::strerror(errno);
      close(fds_[0]);
      close(fds_[1]);
      throw SkipCase("cannot size a pipe to " + std::to_string(bytes) + " bytes: " + why);
    }
  }
  ~PipeQueue() {
    close(fds_[0]);
    close(fds_[1]);
  }
  PipeQueue(const PipeQueue&) = delete;
  PipeQueue& operator=(const PipeQueue&) = delete;

  bool push(std::uint64_t item, const std::atomic<bool>& abort) {
    return transfer(fds_[1], POLLOUT, abort, [&] { return write(fds_[1], &item, sizeof item); });
  }
  bool pop(std::uint64_t& item, const std::atomic<bool>& abort) {
    return transfer(fds_[0], POLLIN, abort, [&] { return read(fds_[0], &item, sizeof item); });
  }

 private:
  template <class Io>
  static bool transfer(int fd, short event, const std::atomic<bool>& abort, Io&& io) {
    for (;;) {
      const ssize_t n = io();
      if (n == static_cast<ssize_t>(sizeof(std::uint64_t))) return true;
      if (n >= 0) throw std::runtime_error("pipe moved " + std::to_string(n) + " bytes of an 8-byte item");
      if (errno != EAGAIN && errno != EINTR) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
      if (abort.load(std::memory_order_relaxed)) return false;
      pollfd p{fd, event, 0};
      poll(&p, 1, static_cast<int>(kAbortPoll.count()));
    }
  }
  int fds_[2] = {-1, -1};
};

// A ForkPool whose children run `Work` (kernels.hpp) each round; the Arena, the Work (with its primitives) and
// the round's orders live in shared memory made before the fork.
template <class Work>
class ProcessesModel final : public Model {
 public:
  template <class... WorkArgs>
  explicit ProcessesModel(int workers, WorkArgs&&... args)
      : work_(*arena_, workers, std::forward<WorkArgs>(args)...),
        pool_(workers, [this](int w) { work_->run(w, *order_); }) {}

  Arena& arena() override { return *arena_; }
  void run_round(const RoundOrder& order) override {
    *order_ = order;
    arena_->budget.store(static_cast<std::int64_t>(order.size), std::memory_order_relaxed);
    pool_.run_round();  // the pool's process-shared mutex publishes the order and the budget
  }
  int participants() override { return pool_.participants(); }

 private:
  Shared<Arena> arena_;
  Shared<Work> work_;
  Shared<RoundOrder> order_;
  ForkPool pool_;  // last: forked once everything above is mapped
};

std::unique_ptr<Model> make(const Case& c, int workers) {
  switch (c.variant) {
    case Variant::producer_consumer:
      if (c.method == "pipe") return std::make_unique<ProcessesModel<HandOver<PipeQueue>>>(workers, c.buffer);
      return std::make_unique<ProcessesModel<HandOver<ShmRingQueue>>>(workers, c.buffer);
    case Variant::philosophers:
      return std::make_unique<ProcessesModel<Dinner<SharedFork, SharedSemaphore>>>(workers, dining_of(c.method));
    case Variant::bank:
      return std::make_unique<ProcessesModel<Transfers<SharedMutex>>>(workers, banking_of(c.method), c.accounts);
  }
  return nullptr;
}

}  // namespace

ModelInfo model_info() {
  static_assert(std::atomic<std::int64_t>::is_always_lock_free, "atomics in shared memory must be lock-free");
  ModelInfo info;
  info.offers = {{Variant::producer_consumer, "pipe", {PipeQueue::kItemsPerPage}},
                 {Variant::producer_consumer, "shm_ring", {64}},
                 {Variant::philosophers, "ordered", {}},
                 {Variant::philosophers, "waiter", {}},
                 {Variant::philosophers, "trylock", {}},
                 {Variant::bank, "coarse", {}},
                 {Variant::bank, "ordered", {}},
                 {Variant::bank, "atomic", {}}};
  info.context = pin_context();
  info.make = make;
  return info;
}

}  // namespace parbench::classics
