// messaging with MPI: the two workers are ranks 0 and 1 of a world of exactly 2 (mpiexec -np 2; other sizes are
// skipped by the driver). Transports:
// - send_recv: blocking MPI_Send / MPI_Recv, through the shared kernels (osu_latency's calls);
// - isend_irecv: nonblocking. Latency: MPI_Isend or MPI_Irecv and MPI_Wait per message, through the shared
//   kernels. Bandwidth: osu_bw's loop: the sender posts a window of MPI_Isend and waits for all, the receiver
//   posts a window of MPI_Irecv, waits for all and sends the ack. Unlike osu_bw, which sends one buffer
//   `window` times, every message in flight has its own buffer here, so each can carry its own number and be
//   checked: window x bytes of buffers per rank, at most 256 MiB (a larger product is skipped with the reason).
#include <mpi.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "messaging/kernels.hpp"
#include "messaging/messaging.hpp"
#include "parbench/rounds.hpp"
#include "parbench/team.hpp"

namespace parbench::messaging {
namespace {

constexpr int kTag = 7;
constexpr std::size_t kMaxWindowBuffers = 256u << 20;

struct BlockingEnd {
  int peer;
  void send(const std::byte* data, std::size_t bytes) {
    MPI_Send(data, static_cast<int>(bytes), MPI_BYTE, peer, kTag, MPI_COMM_WORLD);
  }
  std::size_t recv(std::byte* into, std::size_t capacity) {
    MPI_Status status;
    MPI_Recv(into, static_cast<int>(capacity), MPI_BYTE, peer, kTag, MPI_COMM_WORLD, &status);
    int count = 0;
    MPI_Get_count(&status, MPI_BYTE, &count);
    return static_cast<std::size_t>(count);
  }
};

struct NonblockingEnd {
  int peer;
  void send(const std::byte* data, std::size_t bytes) {
    MPI_Request request;
    MPI_Isend(data, static_cast<int>(bytes), MPI_BYTE, peer, kTag, MPI_COMM_WORLD, &request);
    MPI_Wait(&request, MPI_STATUS_IGNORE);
  }
  std::size_t recv(std::byte* into, std::size_t capacity) {
    MPI_Request request;
    MPI_Status status;
    MPI_Irecv(into, static_cast<int>(capacity), MPI_BYTE, peer, kTag, MPI_COMM_WORLD, &request);
    MPI_Wait(&request, &status);
    int count = 0;
    MPI_Get_count(&status, MPI_BYTE, &count);
    return static_cast<std::size_t>(count);
  }
};

class MpiMessaging final : public Model {
 public:
  MpiMessaging(bool nonblocking, const Shape& shape) : nonblocking_(nonblocking), side_(shape) {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    if (team().size() != 2) throw SkipCase("ping-pong needs exactly 2 ranks (mpiexec -np 2)");
    if (nonblocking && shape.mode == Mode::bandwidth) {
      if (shape.window * shape.bytes > kMaxWindowBuffers)
        throw SkipCase("window x bytes above 256 MiB of buffers per rank");
      for (std::uint64_t j = 0; j < shape.window; ++j) {
        if (rank_ == 0) patterns_.emplace_back(shape.bytes);
        else buffers_.emplace_back(shape.bytes);
      }
      requests_.resize(shape.window);
      statuses_.resize(shape.window);
    }
  }

  void reset() override {
    tally_ = Tally{};
    took_part_ = false;
  }

  void run_round(const Job& job) override {
    took_part_ = true;
    const int peer = 1 - rank_;
    if (nonblocking_ && job.shape.mode == Mode::bandwidth) {
      rank_ == 0 ? windows_sent(job, peer) : windows_received(job, peer);
    } else if (nonblocking_) {
      NonblockingEnd end{peer};
      rank_ == 0 ? sender_side(end, side_, job, tally_) : receiver_side(end, side_, job, tally_);
    } else {
      BlockingEnd end{peer};
      rank_ == 0 ? sender_side(end, side_, job, tally_) : receiver_side(end, side_, job, tally_);
    }
  }

  int participants() override { return team().sum(took_part_ ? 1 : 0); }

  // Both ranks' tallies on every rank (the verdict must be the same everywhere).
  RoundResult result() override {
    const std::uint64_t mine[5] = {tally_.received, tally_.bad, tally_.first_bad, tally_.first_bad_length,
                                   tally_.peer_gone ? 1u : 0u};
    std::uint64_t all[10] = {};
    MPI_Allgather(mine, 5, MPI_UINT64_T, all, 5, MPI_UINT64_T, MPI_COMM_WORLD);
    auto tally = [&](int r) { return Tally{all[5 * r], all[5 * r + 1], all[5 * r + 2], all[5 * r + 3], all[5 * r + 4] != 0}; };
    return {tally(0), tally(1)};
  }

 private:
  // osu_bw's sender: a window of MPI_Isend, MPI_Waitall, then the ack.
  void windows_sent(const Job& job, int peer) {
    const std::uint64_t window = job.shape.window;
    for (std::uint64_t w = 0; w < job.messages / window; ++w) {
      for (std::uint64_t j = 0; j < window; ++j) {
        patterns_[j].stamp(job.first + w * window + j);
        MPI_Isend(patterns_[j].data(), static_cast<int>(job.shape.bytes), MPI_BYTE, peer, kTag, MPI_COMM_WORLD,
                  &requests_[j]);
      }
      MPI_Waitall(static_cast<int>(window), requests_.data(), MPI_STATUSES_IGNORE);
      const std::size_t got = BlockingEnd{peer}.recv(side_.in.data(), kAckBytes);
      check_message(tally_, side_.ack, side_.in.data(), got, job.first + w);
    }
  }
  // osu_bw's receiver: a window of MPI_Irecv, MPI_Waitall, every message checked, then the ack.
  void windows_received(const Job& job, int peer) {
    const std::uint64_t window = job.shape.window;
    const int bytes = static_cast<int>(job.shape.bytes);
    for (std::uint64_t w = 0; w < job.messages / window; ++w) {
      for (std::uint64_t j = 0; j < window; ++j)
        MPI_Irecv(buffers_[j].data(), bytes, MPI_BYTE, peer, kTag, MPI_COMM_WORLD, &requests_[j]);
      MPI_Waitall(static_cast<int>(window), requests_.data(), statuses_.data());
      for (std::uint64_t j = 0; j < window; ++j) {
        int count = 0;
        MPI_Get_count(&statuses_[j], MPI_BYTE, &count);
        check_message(tally_, side_.out, buffers_[j].data(), static_cast<std::size_t>(count),
                      job.first + w * window + j);
      }
      side_.ack.stamp(job.first + w);
      BlockingEnd{peer}.send(side_.ack.data(), kAckBytes);
    }
  }

  bool nonblocking_;
  int rank_ = 0;
  Side side_;
  std::vector<Pattern> patterns_;  // isend_irecv bandwidth, rank 0: one per message in flight
  std::vector<Buffer> buffers_;    // isend_irecv bandwidth, rank 1
  std::vector<MPI_Request> requests_;
  std::vector<MPI_Status> statuses_;
  Tally tally_;
  bool took_part_ = false;
};

}  // namespace

ModelInfo model_info() {
  ModelInfo info;
  info.transports = {"send_recv", "isend_irecv"};
  info.make = [](const std::string& name, int, const Shape& shape) -> std::unique_ptr<Model> {
    if (name == "send_recv") return std::make_unique<MpiMessaging>(false, shape);
    if (name == "isend_irecv") return std::make_unique<MpiMessaging>(true, shape);
    throw std::logic_error("no mpi transport named " + name);
  };
  return info;
}

}  // namespace parbench::messaging
