// A bounded single-producer single-consumer ring of message slots, shared by the threads transports (in heap
// memory) and the processes ones (in an anonymous shared mapping made before fork). The sender copies its
// message into the next free slot and publishes it; the receiver copies it out and frees the slot: two copies,
// as a pipe makes (user to kernel to user), never a pointer handed over. Only how a side waits for the other
// differs: `Waiting` (Spin, Futex, CondVar below).
#pragma once
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <new>

#include "messaging/kernels.hpp"
#include "parbench/locks/relax.hpp"
#include "parbench/padded.hpp"

namespace parbench::messaging {

// A position counter one side advances and the other waits on.
struct alignas(kDestructiveRange) Counter {
  std::atomic<std::uint32_t> value{0};
  std::atomic<std::uint32_t> sleepers{0};  // Futex: sides asleep on `value`
};

// Spins until the counter moves: never sleeps in the kernel. After 128 pause-hinted looks it yields the CPU at
// every look (locks::SpinWait): with both sides and other processes on few cores, a side spinning through its
// whole time slice while its peer waits for a CPU turned each 8-byte round trip into a scheduler tick.
struct Spin {
  void wait(Counter& c, std::uint32_t seen) {
    for (locks::SpinWait spin; c.value.load(std::memory_order_acquire) == seen;) spin.once();
  }
  void publish(Counter& c, std::uint32_t v) { c.value.store(v, std::memory_order_release); }
};

// Sleeps in the kernel (FUTEX_WAIT on the counter word, not the private form, so a wake reaches another
// process) and is woken only when asleep: a sleeper announces itself before sleeping, and both sides use
// sequentially consistent order so that either the publisher sees the sleeper or the sleeper sees the new value.
struct Futex {
  static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));
  void wait(Counter& c, std::uint32_t seen) {
    c.sleepers.fetch_add(1);
    while (c.value.load() == seen)
      syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&c.value), FUTEX_WAIT, seen, nullptr, nullptr, 0);
    c.sleepers.fetch_sub(1);
  }
  void publish(Counter& c, std::uint32_t v) {
    c.value.store(v);
    if (c.sleepers.load() != 0)
      syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&c.value), FUTEX_WAKE, 1, nullptr, nullptr, 0);
  }
};

// A mutex and a condition variable (threads of one process): the counters change under the mutex.
struct CondVar {
  void wait(Counter& c, std::uint32_t seen) {
    std::unique_lock<std::mutex> lock(mutex);
    changed.wait(lock, [&] { return c.value.load(std::memory_order_relaxed) != seen; });
  }
  void publish(Counter& c, std::uint32_t v) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      c.value.store(v, std::memory_order_relaxed);
    }
    changed.notify_one();
  }
  std::mutex mutex;
  std::condition_variable changed;
};

template <class Waiting>
class SlotRing {
 public:
  // Bytes needed for a ring of `depth` slots of `slot_bytes` each.
  static std::size_t footprint(std::uint32_t depth, std::size_t slot_bytes) {
    return sizeof(SlotRing) + depth * (sizeof(std::uint64_t) + padded_slot(slot_bytes)) + kDestructiveRange;
  }
  // Built in place at the start of `footprint()` bytes of memory (heap or a shared mapping).
  SlotRing(std::uint32_t depth, std::size_t slot_bytes) : depth_(depth), slot_bytes_(padded_slot(slot_bytes)) {}

  void send(const std::byte* data, std::size_t bytes) {
    const std::uint32_t t = tail_.value.load(std::memory_order_relaxed);  // only the sender moves the tail
    for (std::uint32_t h = head_.value.load(std::memory_order_acquire); t - h == depth_;
         h = head_.value.load(std::memory_order_acquire))
      waiting_.wait(head_, h);
    const std::uint32_t slot = t % depth_;
    lengths()[slot] = std::min(bytes, slot_bytes_);
    std::memcpy(slot_data(slot), data, lengths()[slot]);
    waiting_.publish(tail_, t + 1);
  }

  std::size_t recv(std::byte* into, std::size_t capacity) {
    const std::uint32_t h = head_.value.load(std::memory_order_relaxed);  // only the receiver moves the head
    for (std::uint32_t t = tail_.value.load(std::memory_order_acquire); t == h;
         t = tail_.value.load(std::memory_order_acquire))
      waiting_.wait(tail_, t);
    const std::uint32_t slot = h % depth_;
    const std::size_t bytes = std::min<std::size_t>(lengths()[slot], capacity);
    std::memcpy(into, slot_data(slot), bytes);
    waiting_.publish(head_, h + 1);
    return bytes;
  }

 private:
  static std::size_t padded_slot(std::size_t bytes) { return (bytes + kDestructiveRange - 1) / kDestructiveRange * kDestructiveRange; }
  std::uint64_t* lengths() { return reinterpret_cast<std::uint64_t*>(this + 1); }
  std::byte* slot_data(std::uint32_t slot) {
    std::byte* first = reinterpret_cast<std::byte*>(lengths() + depth_);
    first += (kDestructiveRange - reinterpret_cast<std::uintptr_t>(first) % kDestructiveRange) % kDestructiveRange;
    return first + static_cast<std::size_t>(slot) * slot_bytes_;
  }

  Counter head_;  // messages taken (the receiver's)
  Counter tail_;  // messages published (the sender's)
  std::uint32_t depth_;
  std::size_t slot_bytes_;
  Waiting waiting_;
};

// The two rings of a ping-pong pair (worker 0 to 1, and 1 to 0) in one block of memory the caller owns, and each
// worker's endpoint on them.
template <class Waiting>
class RingPair {
 public:
  using Ring = SlotRing<Waiting>;
  static std::size_t footprint(std::uint32_t depth, std::size_t bytes) {
    return 2 * aligned(Ring::footprint(depth, std::max(bytes, std::size_t{8})));
  }
  // `memory`: footprint() bytes, 64-byte aligned.
  RingPair(void* memory, std::uint32_t depth, std::size_t bytes) {
    const std::size_t one = aligned(Ring::footprint(depth, std::max(bytes, std::size_t{8})));
    auto* base = static_cast<std::byte*>(memory);
    rings_[0] = new (base) Ring(depth, std::max(bytes, std::size_t{8}));
    rings_[1] = new (base + one) Ring(depth, std::max(bytes, std::size_t{8}));
  }
  ~RingPair() {
    for (Ring* r : rings_) r->~Ring();
  }
  RingPair(const RingPair&) = delete;
  RingPair& operator=(const RingPair&) = delete;

  struct End {
    Ring* out;
    Ring* in;
    void send(const std::byte* data, std::size_t bytes) { out->send(data, bytes); }
    std::size_t recv(std::byte* into, std::size_t capacity) { return in->recv(into, capacity); }
  };
  End end(int worker) { return worker == 0 ? End{rings_[0], rings_[1]} : End{rings_[1], rings_[0]}; }

 private:
  static std::size_t aligned(std::size_t n) { return (n + kDestructiveRange - 1) / kDestructiveRange * kDestructiveRange; }
  Ring* rings_[2];
};

}  // namespace parbench::messaging
