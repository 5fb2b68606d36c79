// The messaging kernels: the receiver's check catches every fault a transport could make (short, corrupted,
// swapped, stale or misnumbered messages) and passes every good message; the slot ring delivers every message
// in order under each way of waiting, across threads and across a fork.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "messaging/kernels.hpp"
#include "messaging/ring.hpp"
#include "parbench/shm.hpp"

namespace parbench::messaging {
namespace {

const std::size_t kSizes[] = {8, 16, 24, 64, 4096, 12344, 1u << 20};

TEST(MessagingPattern, StampedMessageMatchesItsExpectedChecksum) {
  for (std::size_t bytes : kSizes) {
    Pattern p(bytes);
    for (std::uint64_t m : {0ull, 1ull, 2ull, 12345ull, ~0ull - 1}) {
      p.stamp(m);
      EXPECT_EQ(checksum(p.data(), bytes), p.expected(m)) << bytes << " bytes, message " << m;
      EXPECT_NE(checksum(p.data(), bytes), p.expected(m + 1)) << bytes << " bytes, message " << m;
    }
  }
}

TEST(MessagingPattern, CheckCatchesEveryFault) {
  for (std::size_t bytes : kSizes) {
    Pattern p(bytes);
    p.stamp(7);
    std::vector<std::byte> copy(p.data(), p.data() + bytes);
    Tally good;
    check_message(good, p, copy.data(), bytes, 7);
    EXPECT_EQ(good.bad, 0u) << bytes;
    auto bad_after = [&](auto&& fault) {
      std::vector<std::byte> c = copy;
      std::size_t length = bytes;
      fault(c, length);
      Tally t;
      check_message(t, p, c.data(), length, 7);
      return t.bad == 1 && t.received == 1;
    };
    for (std::size_t at : {std::size_t{0}, bytes / 2, bytes - 1})
      EXPECT_TRUE(bad_after([&](auto& c, std::size_t&) { c[at] ^= std::byte{1}; })) << bytes << " bit at " << at;
    EXPECT_TRUE(bad_after([](auto&, std::size_t& n) { --n; })) << bytes << " short";
    EXPECT_TRUE(bad_after([](auto&, std::size_t& n) { n = 0; })) << bytes << " empty";
    if (bytes >= 24) {
      EXPECT_TRUE(bad_after([](auto& c, std::size_t&) { std::swap_ranges(&c[8], &c[16], &c[16]); })) << bytes << " swap";
    }
    Tally stale;
    check_message(stale, p, copy.data(), bytes, 6);  // the right bytes under the wrong number
    EXPECT_EQ(stale.bad, 1u);
    EXPECT_EQ(stale.first_bad, 6u);
  }
}

template <class Waiting>
void ping_pong_over_rings(Mode mode, std::size_t bytes, std::uint64_t window) {
  const Shape shape{mode, bytes, window};
  const std::uint32_t depth = ring_depth(bytes, window);
  std::vector<Padded<std::byte>> memory(RingPair<Waiting>::footprint(depth, bytes) / sizeof(Padded<std::byte>) + 1);
  RingPair<Waiting> rings(memory.data(), depth, bytes);
  Side a(shape), b(shape);
  Tally ta, tb;
  const Job job{shape, 4 * window, 1000};
  std::thread partner([&] {
    auto end = rings.end(1);
    receiver_side(end, b, job, tb);
  });
  auto end = rings.end(0);
  sender_side(end, a, job, ta);
  partner.join();
  EXPECT_EQ(ta.bad + tb.bad, 0u);
  EXPECT_EQ(tb.received, job.messages);
  EXPECT_EQ(ta.received, mode == Mode::latency ? job.messages : job.messages / window);
}

TEST(MessagingRing, DeliversEveryMessageInOrder) {
  for (Mode mode : {Mode::latency, Mode::bandwidth})
    for (std::size_t bytes : {std::size_t{8}, std::size_t{4096}, std::size_t{1} << 20}) {
      ping_pong_over_rings<Spin>(mode, bytes, 16);
      ping_pong_over_rings<Futex>(mode, bytes, 16);
      ping_pong_over_rings<CondVar>(mode, bytes, 16);
      ping_pong_over_rings<Futex>(mode, bytes, 1);  // a window of 1 in a ring of 2 slots
    }
}

// The futex ring in shared memory wakes a sleeper in another process (FUTEX_WAIT without the private flag).
TEST(MessagingRing, FutexRingWorksAcrossFork) {
  const Shape shape{Mode::bandwidth, 4096, 8};
  const std::uint32_t depth = ring_depth(shape.bytes, shape.window);
  SharedRegion region(RingPair<Futex>::footprint(depth, shape.bytes));
  Shared<Tally> child_tally;
  RingPair<Futex> rings(region.data(), depth, shape.bytes);
  const Job job{shape, 64, 0};
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    Side b(shape);
    auto end = rings.end(1);
    receiver_side(end, b, job, *child_tally);
    _exit(0);
  }
  Side a(shape);
  Tally ta;
  auto end = rings.end(0);
  sender_side(end, a, job, ta);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(child_tally->received, 64u);
  EXPECT_EQ(child_tally->bad + ta.bad, 0u);
  EXPECT_EQ(ta.received, 8u);
}

}  // namespace
}  // namespace parbench::messaging
