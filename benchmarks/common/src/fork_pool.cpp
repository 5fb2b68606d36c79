#include "parbench/fork_pool.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

#include "parbench/participation.hpp"
#include "parbench/pin.hpp"
#include "parbench/pshared.hpp"

namespace parbench {

struct ForkPool::Control {
  SharedMutex mutex;
  SharedCondition start;
  SharedCondition done;
  std::uint64_t generation = 0;  // bumped by the parent to start a round
  int finished = 0;              // children done with the current round
  bool exit = false;
  Participation participation;   // stamped by each child as it starts a round
};

namespace {
constexpr long kPollNanoseconds = 50'000'000;  // how often a waiting parent checks its children are alive

timespec deadline_after(long nanoseconds) {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  t.tv_nsec += nanoseconds;
  t.tv_sec += t.tv_nsec / 1'000'000'000;
  t.tv_nsec %= 1'000'000'000;
  return t;
}

[[noreturn]] void child_main(ForkPool::Control& c, int worker, int workers, const std::function<void(int)>& work,
                             pid_t parent) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(1);  // the parent died before prctl took effect
  pin_worker(worker);
  std::uint64_t seen = 0;
  try {
    while (true) {
      c.mutex.lock();
      while (c.generation == seen && !c.exit) c.mutex.wait(c.start.native());
      if (c.exit) {
        c.mutex.unlock();
        _exit(0);
      }
      seen = c.generation;
      c.mutex.unlock();

      c.participation.mark(worker, seen);
      work(worker);

      c.mutex.lock();
      if (++c.finished == workers) c.done.notify_all();
      c.mutex.unlock();
    }
  } catch (...) {
    _exit(3);
  }
}
}  // namespace

ForkPool::ForkPool(int workers, std::function<void(int)> work) : control_(std::make_unique<Shared<Control>>()) {
  const pid_t parent = getpid();
  for (int w = 0; w < workers; ++w) {
    const pid_t pid = fork();
    if (pid < 0) {
      const int err = errno;
      stop_children();
      throw std::runtime_error(std::string("fork failed: ") + std::strerror(err));
    }
    if (pid == 0) child_main(**control_, w, workers, work, parent);
    children_.push_back(pid);
  }
}

ForkPool::~ForkPool() { stop_children(); }

void ForkPool::run_round() {
  Control& c = **control_;
  c.mutex.lock();
  c.finished = 0;
  ++c.generation;
  c.start.notify_all();
  while (c.finished < workers()) {
    if (c.mutex.wait_until(c.done.native(), deadline_after(kPollNanoseconds))) continue;
    for (pid_t pid : children_) {
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == pid) {
        c.mutex.unlock();
        const std::string how = WIFSIGNALED(status) ? "was killed by signal " + std::to_string(WTERMSIG(status))
                                                    : "exited with status " + std::to_string(WEXITSTATUS(status));
        throw std::runtime_error("worker process " + std::to_string(pid) + " " + how + " during a round");
      }
    }
  }
  c.mutex.unlock();
}

int ForkPool::participants() const {
  const Control& c = **control_;
  return c.participation.count(workers(), c.generation);
}

void ForkPool::stop_children() {
  if (!control_) return;
  Control& c = **control_;
  c.mutex.lock();
  c.exit = true;
  c.start.notify_all();
  c.mutex.unlock();
  for (pid_t pid : children_) {
    // Give each child a moment to leave by itself, then make sure.
    for (int attempt = 0; attempt < 100; ++attempt) {
      const pid_t r = waitpid(pid, nullptr, WNOHANG);
      if (r == pid || (r < 0 && errno == ECHILD)) goto reaped;
      usleep(10'000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  reaped:;
  }
  children_.clear();
}

}  // namespace parbench
