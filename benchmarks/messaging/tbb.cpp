// messaging with oneTBB: a TbbTeam of two arena threads per case (pinned; the start rendezvous makes both sides
// run at once, which a ping-pong needs: one thread running both chunks in turn would wait on itself). The
// transport, `concurrent_bounded_queue`, is oneTBB's blocking bounded queue (it spins briefly, then sleeps).
// What moves: the queue carries slot numbers; the sender copies its message into a free slot of a buffer made
// once per case and pushes the slot's number, the receiver pops it, copies the message out and returns the slot
// to a queue of free ones: two copies, as the other transports make, and no buffer handed over.
#include <oneapi/tbb/concurrent_queue.h>
#include <oneapi/tbb/version.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

#include "messaging/kernels.hpp"
#include "messaging/messaging.hpp"
#include "messaging/ring.hpp"
#include "parbench/padded.hpp"
#include "parbench/pin.hpp"
#include "parbench/tbb_team.hpp"

namespace parbench::messaging {
namespace {

// One direction: `depth` slots of `bytes`, the numbers of the full ones in order, and of the free ones.
class SlotQueue {
 public:
  SlotQueue(std::uint32_t depth, std::size_t bytes) : bytes_(bytes), data_(depth * bytes), lengths_(depth) {
    full_.set_capacity(depth);
    free_.set_capacity(depth);
    for (std::uint32_t s = 0; s < depth; ++s) free_.push(s);
  }
  void send(const std::byte* data, std::size_t bytes) {
    std::uint32_t slot = 0;
    free_.pop(slot);
    lengths_[slot] = std::min(bytes, bytes_);
    std::memcpy(&data_[slot * bytes_], data, lengths_[slot]);
    full_.push(slot);
  }
  std::size_t recv(std::byte* into, std::size_t capacity) {
    std::uint32_t slot = 0;
    full_.pop(slot);
    const std::size_t n = std::min(lengths_[slot], capacity);
    std::memcpy(into, &data_[slot * bytes_], n);
    free_.push(slot);
    return n;
  }

 private:
  std::size_t bytes_;
  std::vector<std::byte> data_;
  std::vector<std::size_t> lengths_;
  tbb::concurrent_bounded_queue<std::uint32_t> full_, free_;
};

class TbbMessaging final : public Model {
 public:
  explicit TbbMessaging(const Shape& shape)
      : queues_{SlotQueue(ring_depth(shape.bytes, shape.window), shape.bytes),
                SlotQueue(ring_depth(shape.bytes, shape.window), shape.bytes)},
        sides_{Side(shape), Side(shape)},
        team_(2) {}

  void reset() override {
    for (auto& t : tallies_) t.value = Tally{};
  }
  void run_round(const Job& job) override {
    team_.run_round([this, &job](int w) {
      End end{&queues_[w], &queues_[1 - w]};
      if (w == 0)
        sender_side(end, sides_[0], job, tallies_[0].value);
      else
        receiver_side(end, sides_[1], job, tallies_[1].value);
    });
  }
  int participants() override { return team_.participants(); }
  RoundResult result() override { return {tallies_[0].value, tallies_[1].value}; }

 private:
  struct End {
    SlotQueue* out;
    SlotQueue* in;
    void send(const std::byte* data, std::size_t bytes) { out->send(data, bytes); }
    std::size_t recv(std::byte* into, std::size_t capacity) { return in->recv(into, capacity); }
  };
  SlotQueue queues_[2];  // [0]: worker 0 to 1; [1]: 1 to 0
  Side sides_[2];
  Padded<Tally> tallies_[2];
  TbbTeam team_;
};

}  // namespace

ModelInfo model_info() {
  ModelInfo info;
  info.transports = {"concurrent_bounded_queue"};
  info.context = pin_context();
  info.context.emplace_back("tbb_version", TBB_VERSION_STRING);
  info.make = [](const std::string& name, int, const Shape& shape) -> std::unique_ptr<Model> {
    if (name == "concurrent_bounded_queue") return std::make_unique<TbbMessaging>(shape);
    throw std::logic_error("no tbb transport named " + name);
  };
  return info;
}

}  // namespace parbench::messaging
