// locks with MPI: workers are ranks, and the lock is MPI's own passive-target window lock: an exclusive
// MPI_Win_lock on rank 0's window is a distributed lock (`win_lock`). The guarded state lives in that window: a
// counter, incremented as a get, a flush and a put inside the exclusive epoch (a lock that did not exclude would
// lose updates), and an owner word that each holder swaps itself into and out of with MPI_Fetch_and_op(MPI_REPLACE)
// (finding another rank there is a violation). Not MPI_Compare_and_swap: Open MPI 4.1's osc/rdma over btl/vader
// crashes in it (mca_btl_vader_emu_acswap, a null endpoint) when rank 0 targets its own window. The calibrated critical section and gap are the shared kernels' loop.
//
// Each rank makes a fixed share of the round's acquisitions (share_of): a shared budget would cost one more
// remote atomic per chunk and another lock-free line to fight over; so per-rank counts say nothing about
// fairness, and the driver does not report it. An MCS queue lock built from MPI atomics (MPI_Fetch_and_op on a
// tail word, a flag per rank) is not built: each hand-over would be several remote atomics and polling flushes,
// a workload of its own rather than a cheap addition.
#include <mpi.h>

#include <cstdint>
#include <stdexcept>

#include "locks/kernels.hpp"
#include "locks/locks.hpp"
#include "parbench/rounds.hpp"
#include "parbench/team.hpp"

namespace parbench::locks {
namespace {

constexpr int kOwnerRank = 0;        // the rank whose window holds the guarded state
constexpr MPI_Aint kCounterWord = 0;  // displacements in that window, in 64-bit words
constexpr MPI_Aint kOwnerWord = 1;
constexpr std::int64_t kNobody = -1;

class MpiLocks final : public Model {
 public:
  explicit MpiLocks(const Shape& shape) : shape_(shape) {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    const MPI_Aint bytes = rank_ == kOwnerRank ? 2 * sizeof(std::int64_t) : 0;
    MPI_Win_allocate(bytes, sizeof(std::int64_t), MPI_INFO_NULL, MPI_COMM_WORLD, &base_, &window_);
  }
  ~MpiLocks() override { MPI_Win_free(&window_); }

  void reset() override {
    if (rank_ == kOwnerRank) {
      const std::int64_t initial[2] = {0, kNobody};
      MPI_Win_lock(MPI_LOCK_EXCLUSIVE, kOwnerRank, 0, window_);
      MPI_Put(initial, 2, MPI_INT64_T, kOwnerRank, kCounterWord, 2, MPI_INT64_T, window_);
      MPI_Win_unlock(kOwnerRank, window_);
    }
    acquired_ = violations_ = 0;
    took_part_ = false;
    MPI_Barrier(MPI_COMM_WORLD);
  }

  void run_round(std::uint64_t acquisitions) override {
    took_part_ = true;
    const std::uint64_t n = share_of(acquisitions, size_, rank_);
    const bool check_owner = shape_.mode == Mode::throughput;  // latency: the bare lock, increment, unlock
    const std::int64_t me = rank_;
    for (std::uint64_t i = 0; i < n; ++i) {
      MPI_Win_lock(MPI_LOCK_EXCLUSIVE, kOwnerRank, 0, window_);
      if (check_owner) violations_ += swap_owner(me) != kNobody ? 1 : 0;
      std::int64_t value = 0;
      MPI_Get(&value, 1, MPI_INT64_T, kOwnerRank, kCounterWord, 1, MPI_INT64_T, window_);
      MPI_Win_flush(kOwnerRank, window_);
      ++value;
      MPI_Put(&value, 1, MPI_INT64_T, kOwnerRank, kCounterWord, 1, MPI_INT64_T, window_);
      if (check_owner) {
        work_loop(shape_.work.critical_section);  // the placed kernel: a call is nothing beside an RMA op
        violations_ += swap_owner(kNobody) != me ? 1 : 0;
      }
      MPI_Win_unlock(kOwnerRank, window_);
      if (check_owner) work_loop(shape_.work.gap);
    }
    acquired_ = n;
    MPI_Barrier(MPI_COMM_WORLD);
  }

  int participants() override { return team().sum(took_part_ ? 1 : 0); }

  // The counter read back from rank 0's window, every rank's tally gathered: the same result on every rank.
  RoundResult result() override {
    RoundResult r;
    std::int64_t counter = 0;
    if (rank_ == kOwnerRank) {
      MPI_Win_lock(MPI_LOCK_SHARED, kOwnerRank, 0, window_);
      MPI_Get(&counter, 1, MPI_INT64_T, kOwnerRank, kCounterWord, 1, MPI_INT64_T, window_);
      MPI_Win_unlock(kOwnerRank, window_);
    }
    MPI_Bcast(&counter, 1, MPI_INT64_T, kOwnerRank, MPI_COMM_WORLD);
    r.counter = static_cast<std::uint64_t>(counter);
    MPI_Allreduce(&violations_, &r.violations, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
    r.acquisitions.resize(static_cast<std::size_t>(size_));
    MPI_Allgather(&acquired_, 1, MPI_UINT64_T, r.acquisitions.data(), 1, MPI_UINT64_T, MPI_COMM_WORLD);
    r.writes = r.acquisitions;  // every acquisition is exclusive
    return r;
  }

 private:
  // Atomically replaces the owner word with `desired`; returns what it held.
  std::int64_t swap_owner(std::int64_t desired) {
    std::int64_t seen = 0;
    MPI_Fetch_and_op(&desired, &seen, MPI_INT64_T, kOwnerRank, kOwnerWord, MPI_REPLACE, window_);
    MPI_Win_flush(kOwnerRank, window_);
    return seen;
  }

  Shape shape_;
  int rank_ = 0;
  int size_ = 1;
  std::int64_t* base_ = nullptr;
  MPI_Win window_ = MPI_WIN_NULL;
  std::uint64_t acquired_ = 0, violations_ = 0;
  bool took_part_ = false;
};

}  // namespace

ModelInfo model_info() {
  ModelInfo info;
  info.algorithms = {{"win_lock"}};
  // A window-lock acquisition is several one-sided operations (microseconds): smaller rounds keep cases short.
  info.round_acquisitions = 1u << 14;
  info.shared_budget = false;
  info.context = {{"locks_mpi_mcs", "not built: an MCS lock from MPI atomics costs several remote atomics and "
                                    "polling flushes per hand-over; only MPI_Win_lock is measured"}};
  info.make = [](const std::string& name, int, const Shape& shape) -> std::unique_ptr<Model> {
    if (name == "win_lock") return std::make_unique<MpiLocks>(shape);
    throw std::logic_error("no mpi lock named " + name);
  };
  return info;
}

}  // namespace parbench::locks
