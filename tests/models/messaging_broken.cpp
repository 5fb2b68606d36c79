// A messaging model whose transports are broken on purpose, for tests/messaging.cmake: the threads slot ring
// (ring.hpp) under worker 0's sends, with a fault. Each must fail verification (exit 1), never report a number.
// - drops_last_byte: every 5th message loses its last byte (a short message);
// - flips_a_bit: every 5th message arrives with one bit of its middle word flipped;
// - reorders: every other message is held back and sent after the next one (in latency mode, where the next
//   send never comes before a receive, the held one goes out at that receive: delayed, not reordered);
// - repeats: every 5th message is sent again in place of the next one (a stale copy).
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

#include "messaging/kernels.hpp"
#include "messaging/messaging.hpp"
#include "messaging/ring.hpp"
#include "parbench/padded.hpp"
#include "parbench/thread_team.hpp"

namespace parbench::messaging {
namespace {

enum class Fault { drops_last_byte, flips_a_bit, reorders, repeats };

template <class Inner>
struct BrokenEnd {
  Inner inner;
  Fault fault;
  std::vector<std::byte>* scratch;  // a copy of the message being altered
  std::vector<std::byte>* held;     // reorders: the message held back; repeats: the last one sent
  std::uint64_t* sent;

  void send(const std::byte* data, std::size_t bytes) {
    const std::uint64_t n = (*sent)++;
    switch (fault) {
      case Fault::drops_last_byte:
        return inner.send(data, n % 5 == 4 ? bytes - 1 : bytes);
      case Fault::flips_a_bit:
        if (n % 5 == 4) {
          scratch->assign(data, data + bytes);
          (*scratch)[bytes / 2] ^= std::byte{0x10};
          return inner.send(scratch->data(), bytes);
        }
        return inner.send(data, bytes);
      case Fault::reorders:
        if (held->empty() && n % 2 == 0) return held->assign(data, data + bytes);
        inner.send(data, bytes);
        return flush();
      case Fault::repeats:
        if (n % 5 == 4 && held->size() == bytes) return inner.send(held->data(), bytes);
        held->assign(data, data + bytes);
        return inner.send(data, bytes);
    }
  }
  std::size_t recv(std::byte* into, std::size_t capacity) {
    if (fault == Fault::reorders) flush();
    return inner.recv(into, capacity);
  }
  void flush() {
    if (held->empty()) return;
    inner.send(held->data(), held->size());
    held->clear();
  }
};

class BrokenMessaging final : public Model {
 public:
  BrokenMessaging(Fault fault, const Shape& shape)
      : memory_(std::make_unique<Padded<std::byte>[]>(
            RingPair<CondVar>::footprint(ring_depth(shape.bytes, shape.window), shape.bytes) / sizeof(Padded<std::byte>) + 1)),
        rings_(memory_.get(), ring_depth(shape.bytes, shape.window), shape.bytes),
        sides_{Side(shape), Side(shape)},
        team_(2, [this, fault](int w) {
          if (w == 0) {
            BrokenEnd<RingPair<CondVar>::End> end{rings_.end(0), fault, &scratch_, &held_, &sent_};
            sender_side(end, sides_[0], job_, tallies_[0].value);
            end.flush();
          } else {
            auto end = rings_.end(1);
            receiver_side(end, sides_[1], job_, tallies_[1].value);
          }
        }) {}

  void reset() override {
    for (auto& t : tallies_) t.value = Tally{};
  }
  void run_round(const Job& job) override {
    job_ = job;
    team_.run_round();
  }
  int participants() override { return team_.participants(); }
  RoundResult result() override { return {tallies_[0].value, tallies_[1].value}; }

 private:
  std::unique_ptr<Padded<std::byte>[]> memory_;
  RingPair<CondVar> rings_;
  Side sides_[2];
  Padded<Tally> tallies_[2];
  std::vector<std::byte> scratch_, held_;
  std::uint64_t sent_ = 0;
  Job job_;
  ThreadTeam team_;
};

}  // namespace

ModelInfo model_info() {
  ModelInfo info;
  info.transports = {"drops_last_byte", "flips_a_bit", "reorders", "repeats"};
  info.make = [](const std::string& name, int, const Shape& shape) -> std::unique_ptr<Model> {
    if (name == "drops_last_byte") return std::make_unique<BrokenMessaging>(Fault::drops_last_byte, shape);
    if (name == "flips_a_bit") return std::make_unique<BrokenMessaging>(Fault::flips_a_bit, shape);
    if (name == "reorders") return std::make_unique<BrokenMessaging>(Fault::reorders, shape);
    if (name == "repeats") return std::make_unique<BrokenMessaging>(Fault::repeats, shape);
    throw std::logic_error("no broken transport named " + name);
  };
  return info;
}

}  // namespace parbench::messaging
