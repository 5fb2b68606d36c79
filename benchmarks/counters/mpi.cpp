// counters with MPI: workers are ranks. One-sided operations on a counter in rank 0's window:
// MPI_Fetch_and_op for `atomic`, an exclusive window lock around get+put for `locked`, a shared lock around
// get+put for `racy` (conflicting accesses, so updates are lost); the shared kernel on a local cell and
// MPI_Reduce for `sharded`. `false_sharing` has no meaning across separate address spaces and is absent.
// A round ends with MPI_Barrier, inside the timer, as every model's round ends when all its workers are done.
#include <mpi.h>

#include <stdexcept>

#include "counters/counters.hpp"
#include "counters/kernels.hpp"
#include "parbench/rounds.hpp"
#include "parbench/team.hpp"

namespace parbench::counters {
namespace {

constexpr int kOwner = 0;  // the rank whose window holds the counter

class MpiCounters final : public Model {
 public:
  explicit MpiCounters(Variant v) : variant_(v) {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    const MPI_Aint bytes = rank_ == kOwner ? sizeof(std::uint64_t) : 0;
    MPI_Win_allocate(bytes, sizeof(std::uint64_t), MPI_INFO_NULL, MPI_COMM_WORLD, &base_, &window_);
  }
  ~MpiCounters() override { MPI_Win_free(&window_); }

  void reset() override {
    if (rank_ == kOwner) put_exclusive(0);
    reduced_ = 0;
    took_part_ = false;
    MPI_Barrier(MPI_COMM_WORLD);
  }

  void run_round(std::uint64_t increments) override {
    took_part_ = true;
    const std::uint64_t n = share_of(increments, size_, rank_);
    switch (variant_) {
      case Variant::racy:
        for (std::uint64_t i = 0; i < n; ++i) read_increment_write(MPI_LOCK_SHARED);
        break;
      case Variant::locked:
        for (std::uint64_t i = 0; i < n; ++i) read_increment_write(MPI_LOCK_EXCLUSIVE);
        break;
      case Variant::atomic: {
        const std::uint64_t one = 1;
        std::uint64_t previous = 0;
        MPI_Win_lock_all(0, window_);
        for (std::uint64_t i = 0; i < n; ++i) {
          MPI_Fetch_and_op(&one, &previous, MPI_UINT64_T, kOwner, 0, MPI_SUM, window_);
          MPI_Win_flush(kOwner, window_);
        }
        MPI_Win_unlock_all(window_);
        break;
      }
      case Variant::sharded: {
        Padded<std::atomic<std::uint64_t>> mine;
        count_owned(mine.value, n);
        const std::uint64_t local = mine.value.load();
        MPI_Reduce(&local, &reduced_, 1, MPI_UINT64_T, MPI_SUM, kOwner, MPI_COMM_WORLD);
        break;
      }
      case Variant::false_sharing:
        throw std::logic_error("false_sharing is not an MPI variant");
    }
    MPI_Barrier(MPI_COMM_WORLD);
  }

  int participants() override { return team().sum(took_part_ ? 1 : 0); }

  // Reads the counter back from rank 0's window (a single counter: nothing to combine) or takes the reduction.
  std::uint64_t total() override {
    std::uint64_t value = reduced_;
    if (variant_ != Variant::sharded && rank_ == kOwner) {
      MPI_Win_lock(MPI_LOCK_SHARED, kOwner, 0, window_);
      MPI_Get(&value, 1, MPI_UINT64_T, kOwner, 0, 1, MPI_UINT64_T, window_);
      MPI_Win_unlock(kOwner, window_);
    }
    MPI_Bcast(&value, 1, MPI_UINT64_T, kOwner, MPI_COMM_WORLD);
    return value;
  }

 private:
  // One increment as a read and a separate write inside a lock epoch of the given kind.
  void read_increment_write(int lock_kind) {
    std::uint64_t value = 0;
    MPI_Win_lock(lock_kind, kOwner, 0, window_);
    MPI_Get(&value, 1, MPI_UINT64_T, kOwner, 0, 1, MPI_UINT64_T, window_);
    MPI_Win_flush(kOwner, window_);
    ++value;
    MPI_Put(&value, 1, MPI_UINT64_T, kOwner, 0, 1, MPI_UINT64_T, window_);
    MPI_Win_unlock(kOwner, window_);
  }

  void put_exclusive(std::uint64_t value) {
    MPI_Win_lock(MPI_LOCK_EXCLUSIVE, kOwner, 0, window_);
    MPI_Put(&value, 1, MPI_UINT64_T, kOwner, 0, 1, MPI_UINT64_T, window_);
    MPI_Win_unlock(kOwner, window_);
  }

  Variant variant_;
  int rank_ = 0;
  int size_ = 1;
  std::uint64_t* base_ = nullptr;
  MPI_Win window_ = MPI_WIN_NULL;
  std::uint64_t reduced_ = 0;
  bool took_part_ = false;
};

}  // namespace

ModelInfo model_info() {
  ModelInfo info;
  info.variants = {Variant::racy, Variant::atomic, Variant::locked, Variant::sharded};
  // One-sided operations cost 0.1-1 microseconds each: smaller rounds keep those cases short.
  info.round_increments = [](Variant v) -> std::uint64_t { return v == Variant::sharded ? 1u << 24 : 1u << 16; };
  info.make = [](Variant v, int) { return std::make_unique<MpiCounters>(v); };
  return info;
}

}  // namespace parbench::counters
