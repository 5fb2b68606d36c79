// The messaging workload: ping-pong between exactly two workers over one transport (the case's variant), in two
// modes after OSU's osu_latency and osu_bw. Latency: worker 0 sends a message, worker 1 answers with one of the
// same size, repeated; the figure is half the round trip. Bandwidth: worker 0 sends a window of messages back to
// back, worker 1 receives them all and answers with an 8-byte ack, repeated; the figure is bytes / time. Every
// message is stamped with its number and checked by its receiver (kernels.hpp). A model file implements Model
// with its transports (its own primitives); the loops are the shared kernels; driver.cpp times, verifies and
// reports for every model alike.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace parbench::messaging {

enum class Mode {
  latency,    // one message in flight: ns per one-way trip (half the round trip)
  bandwidth,  // a window of messages in flight, then an ack: bytes per second
};

// What a case sends: fixed for the case's model (buffers and queue slots are sized from it).
struct Shape {
  Mode mode = Mode::latency;
  std::size_t bytes = 8;     // payload per message, a multiple of 8
  std::uint64_t window = 64;  // bandwidth mode: messages in flight before the ack
};

// One round's work. Messages are numbered from `first`, so that a message left over from an earlier round, or
// delivered out of order, carries the wrong number and fails its check.
struct Job {
  Shape shape;
  std::uint64_t messages = 0;  // latency: round trips; bandwidth: data messages (a multiple of the window)
  std::uint64_t first = 0;
};

// What one side received in a round, checked by the driver (untimed).
struct Tally {
  std::uint64_t received = 0;    // messages taken off the transport
  std::uint64_t bad = 0;         // of which short, long or with a wrong checksum
  std::uint64_t first_bad = 0;   // the number the first bad message should have carried
  std::uint64_t first_bad_length = 0;
  bool peer_gone = false;        // the transport reported end of stream (the peer closed or died)
};

struct RoundResult {
  Tally sender;    // worker 0: pongs (latency) or acks (bandwidth)
  Tally receiver;  // worker 1: pings or data messages
};

class Model {
 public:
  virtual ~Model() = default;
  // Untimed: zero the tallies before a round.
  virtual void reset() = 0;
  // Timed: both sides run the job to its end (worker 0's last receive and worker 1's last send).
  virtual void run_round(const Job& job) = 0;
  // Untimed: how many of the two workers took part in the last round.
  virtual int participants() = 0;
  // Untimed: what each side received in the last round.
  virtual RoundResult result() = 0;
};

struct ModelInfo {
  std::vector<std::string> transports;  // the variants this model offers
  std::vector<std::pair<std::string, std::string>> context;
  std::string unavailable;
  // Worker 0 only sends and worker 1 only receives, every one-way trip a message (CUDA copies: a copy's end is
  // known by synchronising, not by a reply): no pongs or acks to count. Latency mode then times single messages.
  bool one_way = false;
  // Builds the model for one case (its partner made once, outside the timer); may throw parbench::SkipCase.
  std::function<std::unique_ptr<Model>(const std::string& transport, int workers, const Shape&)> make;
};

// Defined by each model file.
ModelInfo model_info();

}  // namespace parbench::messaging
