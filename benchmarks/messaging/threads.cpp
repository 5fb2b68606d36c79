// messaging with std::thread: a persistent ThreadTeam of two (the caller is worker 0, the partner thread is made
// once per case). Transports: `condvar_queue`, a bounded queue whose positions change under a std::mutex with a
// std::condition_variable to sleep on; `spsc_ring`, the same slot ring with spinning atomics. What moves: the
// sender copies its message into a slot and the receiver copies it out (ring.hpp), never a pointer.
#include <cstdlib>
#include <memory>
#include <new>
#include <stdexcept>

#include "messaging/kernels.hpp"
#include "messaging/messaging.hpp"
#include "messaging/ring.hpp"
#include "parbench/padded.hpp"
#include "parbench/pin.hpp"
#include "parbench/thread_team.hpp"

namespace parbench::messaging {
namespace {

template <class Waiting>
class ThreadsMessaging final : public Model {
 public:
  ThreadsMessaging(const Shape& shape)
      : memory_(std::aligned_alloc(kDestructiveRange, padded(RingPair<Waiting>::footprint(depth(shape), shape.bytes)))),
        rings_(checked(memory_.get()), depth(shape), shape.bytes),
        sides_{Side(shape), Side(shape)},
        team_(2, [this](int w) {
          auto end = rings_.end(w);
          if (w == 0)
            sender_side(end, sides_[0], job_, tallies_[0].value);
          else
            receiver_side(end, sides_[1], job_, tallies_[1].value);
        }) {}

  void reset() override {
    for (auto& t : tallies_) t.value = Tally{};
  }
  void run_round(const Job& job) override {
    job_ = job;  // published to the partner by the team's wake
    team_.run_round();
  }
  int participants() override { return team_.participants(); }
  RoundResult result() override { return {tallies_[0].value, tallies_[1].value}; }

 private:
  struct Free {
    void operator()(void* p) const { std::free(p); }
  };
  static std::uint32_t depth(const Shape& s) { return ring_depth(s.bytes, s.window); }
  static std::size_t padded(std::size_t n) { return (n + kDestructiveRange - 1) / kDestructiveRange * kDestructiveRange; }
  static void* checked(void* p) {
    if (!p) throw std::bad_alloc();
    return p;
  }

  std::unique_ptr<void, Free> memory_;
  RingPair<Waiting> rings_;
  Side sides_[2];
  Padded<Tally> tallies_[2];
  Job job_;
  ThreadTeam team_;  // last: its thread uses the members above
};

}  // namespace

ModelInfo model_info() {
  ModelInfo info;
  info.transports = {"condvar_queue", "spsc_ring"};
  info.context = pin_context();
  info.make = [](const std::string& name, int, const Shape& shape) -> std::unique_ptr<Model> {
    if (name == "condvar_queue") return std::make_unique<ThreadsMessaging<CondVar>>(shape);
    if (name == "spsc_ring") return std::make_unique<ThreadsMessaging<Spin>>(shape);
    throw std::logic_error("no threads transport named " + name);
  };
  return info;
}

}  // namespace parbench::messaging
