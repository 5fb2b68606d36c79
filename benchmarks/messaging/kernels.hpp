// The messaging kernels, written once and called by every model: the sender's pattern and its stamp, the
// receiver's checksum, and the two sides' ping-pong loops over any transport endpoint.
//
// An endpoint is anything with
//   void send(const std::byte* data, std::size_t bytes);          // the bytes are copied out before it returns
//   std::size_t recv(std::byte* into, std::size_t capacity);      // the bytes received (0: the peer is gone)
// Message transports (queues, rings, MPI) return the message's own length, so a short message shows as short;
// byte streams (pipe, socket) read until `capacity` bytes or end of stream.
#pragma once
#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <cstdlib>
#include <memory>

#include "messaging/messaging.hpp"

namespace parbench::messaging {

inline constexpr std::size_t kWordBytes = 8;
inline constexpr std::size_t kAckBytes = 8;  // the bandwidth mode's ack: one stamped word

// The receiver's check of a message: the sum over its 64-bit words of (word XOR position). One read pass at
// memory speed; word order matters (a swap changes the sum). `bytes` is a multiple of 8. Placed like the other
// workloads' kernels (tests/check_kernel_placement.py).
[[gnu::noipa]] std::uint64_t checksum(const std::byte* data, std::size_t bytes);

// The word that marks message `message` (written first and last in the payload).
constexpr std::uint64_t stamp_of(std::uint64_t message) {
  return (message + 1) * 0xD6E8FEB86659FD93ull ^ 0xA5A5A5A5A5A5A5A5ull;
}

// A sender's payload: a fixed body made once per case, and the message number stamped into its first and last
// word before each send (O(1), as OSU fills its buffer once). The receiver's expected checksum for any message
// number follows from the body's sum without touching the body again.
class Pattern {
 public:
  explicit Pattern(std::size_t bytes);
  void stamp(std::uint64_t message);
  const std::byte* data() const { return data_.get(); }
  std::byte* data() { return data_.get(); }
  std::size_t bytes() const { return bytes_; }
  // checksum() of this pattern stamped with `message`.
  std::uint64_t expected(std::uint64_t message) const;

 private:
  struct Free {
    void operator()(std::byte* p) const { std::free(p); }
  };
  std::size_t bytes_;
  std::unique_ptr<std::byte[], Free> data_;
  std::uint64_t body_sum_ = 0;  // the checksum's terms of every word but the stamped ones
};

// A receive buffer of `bytes`, cache-line aligned.
class Buffer {
 public:
  explicit Buffer(std::size_t bytes);
  std::byte* data() { return data_.get(); }
  std::size_t bytes() const { return bytes_; }

 private:
  struct Free {
    void operator()(std::byte* p) const { std::free(p); }
  };
  std::size_t bytes_;
  std::unique_ptr<std::byte[], Free> data_;
};

// Slots in a transport's queue (the rings, the TBB queue, CUDA's device slots): the window (no more useful in flight), at least 2, and at most what fits in 64 MiB.
inline std::uint32_t ring_depth(std::size_t bytes, std::uint64_t window) {
  constexpr std::size_t kRingBudget = 64u << 20;
  const std::uint64_t fit = std::max<std::uint64_t>(2, kRingBudget / bytes);
  return static_cast<std::uint32_t>(std::clamp<std::uint64_t>(window, 2, fit));
}

// Records a received message in `tally`: bad when its length is not the pattern's or its checksum is not that of
// the pattern stamped with `message`.
void check_message(Tally& tally, const Pattern& pattern, const std::byte* got, std::size_t got_bytes,
                   std::uint64_t message);

// Each side's own buffers, made once per case.
struct Side {
  explicit Side(const Shape& shape) : out(shape.bytes), ack(kAckBytes), in(shape.bytes) {}
  Pattern out;  // what this side sends (pings, or pongs: both the same size)
  Pattern ack;  // the bandwidth mode's ack (sent by worker 1, expected by worker 0)
  Buffer in;    // where this side receives
};

// Worker 0: sends pings and checks the pongs (latency), or sends windows and checks each ack (bandwidth).
// Message numbers: latency ping job.first + 2i, pong + 1; bandwidth data job.first + i, ack job.first + window
// index.
template <class End>
void sender_side(End& end, Side& side, const Job& job, Tally& tally) {
  const std::size_t bytes = job.shape.bytes;
  if (job.shape.mode == Mode::latency) {
    for (std::uint64_t i = 0; i < job.messages; ++i) {
      const std::uint64_t ping = job.first + 2 * i;
      side.out.stamp(ping);
      end.send(side.out.data(), bytes);
      const std::size_t got = end.recv(side.in.data(), bytes);
      if (got == 0) return void(tally.peer_gone = true);
      check_message(tally, side.out, side.in.data(), got, ping + 1);
    }
    return;
  }
  const std::uint64_t windows = job.messages / job.shape.window;
  for (std::uint64_t w = 0; w < windows; ++w) {
    for (std::uint64_t j = 0; j < job.shape.window; ++j) {
      side.out.stamp(job.first + w * job.shape.window + j);
      end.send(side.out.data(), bytes);
    }
    const std::size_t got = end.recv(side.in.data(), kAckBytes);
    if (got == 0) return void(tally.peer_gone = true);
    check_message(tally, side.ack, side.in.data(), got, job.first + w);
  }
}

// Worker 1: answers each ping with a pong of the same size (latency), or receives each window and acks it.
template <class End>
void receiver_side(End& end, Side& side, const Job& job, Tally& tally) {
  const std::size_t bytes = job.shape.bytes;
  if (job.shape.mode == Mode::latency) {
    for (std::uint64_t i = 0; i < job.messages; ++i) {
      const std::uint64_t ping = job.first + 2 * i;
      const std::size_t got = end.recv(side.in.data(), bytes);
      if (got == 0) return void(tally.peer_gone = true);
      check_message(tally, side.out, side.in.data(), got, ping);
      side.out.stamp(ping + 1);
      end.send(side.out.data(), bytes);
    }
    return;
  }
  const std::uint64_t windows = job.messages / job.shape.window;
  for (std::uint64_t w = 0; w < windows; ++w) {
    for (std::uint64_t j = 0; j < job.shape.window; ++j) {
      const std::size_t got = end.recv(side.in.data(), bytes);
      if (got == 0) return void(tally.peer_gone = true);
      check_message(tally, side.out, side.in.data(), got, job.first + w * job.shape.window + j);
    }
    side.ack.stamp(job.first + w);
    end.send(side.ack.data(), kAckBytes);
  }
}

}  // namespace parbench::messaging
