// messaging with processes: the two sides are children forked once per case (ForkPool; the parent only starts
// and joins rounds). Every transport is made before the fork and has no name left in the file system once the
// children hold it, so a side killed with SIGKILL (or a killed parent: the children die with it through
// PR_SET_PDEATHSIG) leaves nothing behind:
// - pipe: two anonymous pipes (kernel buffer 64 KiB each way, the default);
// - unix_socket: a socketpair(AF_UNIX, SOCK_STREAM), no path in the file system;
// - mqueue: two POSIX message queues, opened O_EXCL under a unique name and unlinked at once, before the fork; a
//   message larger than /proc/sys/fs/mqueue/msgsize_max (8 KiB by default, the most an unprivileged process may
//   ask for) is sent as consecutive chunks of that size, each its own mq_send;
// - shm_futex and shm_spin: the slot ring of ring.hpp in an anonymous MAP_SHARED mapping, waiting by FUTEX_WAIT
//   on the shared word or by spinning.
// A dead side fails the round (ForkPool notices within 50 ms); a side blocked on the dead one is killed with the
// pool.
#include <fcntl.h>
#include <mqueue.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

#include "messaging/kernels.hpp"
#include "messaging/messaging.hpp"
#include "messaging/ring.hpp"
#include "parbench/fork_pool.hpp"
#include "parbench/padded.hpp"
#include "parbench/pin.hpp"
#include "parbench/rounds.hpp"
#include "parbench/shm.hpp"

namespace parbench::messaging {
namespace {

[[noreturn]] void fail_errno(const std::string& what) { throw std::runtime_error(what + ": " + std::strerror(errno)); }

// A byte stream each way (pipe, socket): a message is its bytes, read until all have come.
struct FdEnd {
  int out, in;
  void send(const std::byte* data, std::size_t bytes) {
    while (bytes > 0) {
      const ssize_t n = ::write(out, data, bytes);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;  // the peer is gone: the receive that follows reports it
      data += n;
      bytes -= static_cast<std::size_t>(n);
    }
  }
  std::size_t recv(std::byte* into, std::size_t capacity) {
    std::size_t got = 0;
    while (got < capacity) {
      const ssize_t n = ::read(in, into + got, capacity - got);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += static_cast<std::size_t>(n);
    }
    return got;
  }
};

class Pipes {
 public:
  explicit Pipes(const Shape&) {
    if (pipe2(to1_, O_CLOEXEC) != 0) fail_errno("pipe2");
    if (pipe2(to0_, O_CLOEXEC) != 0) fail_errno("pipe2");
  }
  ~Pipes() {
    for (int fd : {to1_[0], to1_[1], to0_[0], to0_[1]}) ::close(fd);
  }
  FdEnd end(int worker) const { return worker == 0 ? FdEnd{to1_[1], to0_[0]} : FdEnd{to0_[1], to1_[0]}; }

 private:
  int to1_[2], to0_[2];
};

class SocketPair {
 public:
  explicit SocketPair(const Shape&) {
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds_) != 0) fail_errno("socketpair");
  }
  ~SocketPair() {
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  FdEnd end(int worker) const { return FdEnd{fds_[worker], fds_[worker]}; }

 private:
  int fds_[2];
};

long proc_limit(const char* path, long fallback) {
  std::ifstream in(path);
  long value = 0;
  return in >> value && value > 0 ? value : fallback;
}

// The mqueue limits of this machine (an unprivileged process cannot exceed them).
struct MqueueLimits {
  long msgsize_max = proc_limit("/proc/sys/fs/mqueue/msgsize_max", 8192);
  long msg_max = proc_limit("/proc/sys/fs/mqueue/msg_max", 10);
};

class MessageQueues {
 public:
  explicit MessageQueues(const Shape& shape) {
    const MqueueLimits limits;
    chunk_ = std::min<std::size_t>(shape.bytes, static_cast<std::size_t>(limits.msgsize_max));
    bounce_ = std::make_unique<std::byte[]>(chunk_);
    mq_attr attr{};
    attr.mq_maxmsg = std::min<long>(limits.msg_max, static_cast<long>(std::max<std::uint64_t>(shape.window, 1)));
    attr.mq_msgsize = static_cast<long>(chunk_);
    static std::atomic<int> made{0};
    for (int q = 0; q < 2; ++q) {
      const std::string name = "/parbench-messaging-" + std::to_string(getpid()) + "-" + std::to_string(made++);
      queues_[q] = mq_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600, &attr);
      const int error = errno;
      if (queues_[q] != static_cast<mqd_t>(-1)) mq_unlink(name.c_str());  // the descriptors are all we need
      if (queues_[q] == static_cast<mqd_t>(-1)) {
        if (q == 1) mq_close(queues_[0]);
        throw SkipCase(std::string("POSIX message queues unavailable here (mq_open: ") + std::strerror(error) + ")");
      }
    }
  }
  ~MessageQueues() {
    mq_close(queues_[0]);
    mq_close(queues_[1]);
  }

  struct End {
    mqd_t out, in;
    std::size_t chunk;
    std::byte* bounce;
    void send(const std::byte* data, std::size_t bytes) {
      for (std::size_t sent = 0; sent < bytes;) {
        const std::size_t n = std::min(chunk, bytes - sent);
        if (mq_send(out, reinterpret_cast<const char*>(data + sent), n, 0) != 0) {
          if (errno == EINTR) continue;
          return;
        }
        sent += n;
      }
    }
    // Takes chunks until `capacity` bytes have come; a chunk shorter than the queue's message size ends the
    // message (so a short message shows as short instead of eating the next one).
    std::size_t recv(std::byte* into, std::size_t capacity) {
      std::size_t got = 0;
      while (got < capacity) {
        const bool whole = capacity - got >= chunk;
        char* target = reinterpret_cast<char*>(whole ? into + got : bounce);
        const ssize_t n = mq_receive(in, target, chunk, nullptr);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        const std::size_t taken = std::min(static_cast<std::size_t>(n), capacity - got);
        if (!whole) std::memcpy(into + got, bounce, taken);
        got += taken;
        if (static_cast<std::size_t>(n) < chunk) break;
      }
      return got;
    }
  };
  End end(int worker) const {
    return worker == 0 ? End{queues_[0], queues_[1], chunk_, bounce_.get()}
                       : End{queues_[1], queues_[0], chunk_, bounce_.get()};
  }

 private:
  mqd_t queues_[2];
  std::size_t chunk_;
  std::unique_ptr<std::byte[]> bounce_;  // each child has its own copy after the fork
};

template <class Waiting>
class SharedRings {
 public:
  explicit SharedRings(const Shape& shape)
      : region_(RingPair<Waiting>::footprint(ring_depth(shape.bytes, shape.window), shape.bytes)),
        rings_(region_.data(), ring_depth(shape.bytes, shape.window), shape.bytes) {}
  typename RingPair<Waiting>::End end(int worker) { return rings_.end(worker); }

 private:
  SharedRegion region_;  // anonymous MAP_SHARED, page-aligned, made before the fork
  RingPair<Waiting> rings_;
};

struct Segment {
  Job job;
  Padded<Tally> tallies[2];
};

template <class Transport>
class ProcessesMessaging final : public Model {
 public:
  explicit ProcessesMessaging(const Shape& shape)
      : transport_(shape), sides_{Side(shape), Side(shape)}, pool_(2, [this](int w) {
          auto end = transport_.end(w);
          Segment& s = *segment_;
          if (w == 0)
            sender_side(end, sides_[0], s.job, s.tallies[0].value);
          else
            receiver_side(end, sides_[1], s.job, s.tallies[1].value);
        }) {}

  void reset() override {
    for (auto& t : segment_->tallies) t.value = Tally{};
  }
  void run_round(const Job& job) override {
    segment_->job = job;  // published to the children by the pool's process-shared mutex
    pool_.run_round();
  }
  int participants() override { return pool_.participants(); }
  RoundResult result() override { return {segment_->tallies[0].value, segment_->tallies[1].value}; }

 private:
  Shared<Segment> segment_;
  Transport transport_;
  Side sides_[2];  // each child uses its own copy (copy-on-write after the fork)
  ForkPool pool_;  // last: forks once everything above exists, and stops its children first
};

}  // namespace

ModelInfo model_info() {
  static_assert(std::atomic<std::uint32_t>::is_always_lock_free, "atomics in shared memory must be lock-free");
  ModelInfo info;
  info.transports = {"pipe", "unix_socket", "mqueue", "shm_futex", "shm_spin"};
  info.context = pin_context();
  const MqueueLimits limits;
  info.context.emplace_back("messaging_mqueue_limits", "msgsize_max " + std::to_string(limits.msgsize_max) +
                                                           ", msg_max " + std::to_string(limits.msg_max) +
                                                           " (larger messages go as chunks of msgsize_max)");
  info.make = [](const std::string& name, int, const Shape& shape) -> std::unique_ptr<Model> {
    if (name == "pipe") return std::make_unique<ProcessesMessaging<Pipes>>(shape);
    if (name == "unix_socket") return std::make_unique<ProcessesMessaging<SocketPair>>(shape);
    if (name == "mqueue") return std::make_unique<ProcessesMessaging<MessageQueues>>(shape);
    if (name == "shm_futex") return std::make_unique<ProcessesMessaging<SharedRings<Futex>>>(shape);
    if (name == "shm_spin") return std::make_unique<ProcessesMessaging<SharedRings<Spin>>>(shape);
    throw std::logic_error("no processes transport named " + name);
  };
  return info;
}

}  // namespace parbench::messaging
