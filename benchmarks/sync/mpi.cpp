// sync with MPI: workers are ranks (mpirun -np), started once, so there is no fork/join to time (skipped with the
// reason). MPI_Barrier; an exclusive MPI_Win_lock around a get and put of a counter in rank 0's window (lock);
// MPI_Fetch_and_op + flush on it (atomic); MPI_Allreduce of one 8-byte integer (reduction). Every run ends with
// MPI_Barrier. The board the checks use (barrier phases, reduction results, instances run) is one Board in a
// shared-memory window (MPI_Win_allocate_shared) that every rank maps, so the barrier's phase check reads the
// other ranks' phases directly; that needs every rank on one node (else the cases are skipped).
#include <mpi.h>

#include <stdexcept>
#include <string>

#include "parbench/rounds.hpp"
#include "parbench/team.hpp"
#include "sync/kernels.hpp"
#include "sync/sync.hpp"

namespace parbench::sync {
namespace {

constexpr int kOwner = 0;  // the rank whose window holds the lock and atomic counters

class MpiSync final : public Model {
 public:
  explicit MpiSync(const Variant& v) : variant_(v) {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    MPI_Comm node;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
    int node_size = 0;
    MPI_Comm_size(node, &node_size);
    if (node_size != size_) {
      MPI_Comm_free(&node);
      throw SkipCase("the ranks are on more than one node: the checks need one shared-memory board");
    }
    const MPI_Aint board_bytes = rank_ == kOwner ? static_cast<MPI_Aint>(sizeof(Board)) : 0;
    void* base = nullptr;
    MPI_Win_allocate_shared(board_bytes, 1, MPI_INFO_NULL, node, &base, &board_window_);
    MPI_Comm_free(&node);
    MPI_Aint bytes = 0;
    int unit = 0;
    MPI_Win_shared_query(board_window_, kOwner, &bytes, &unit, &base);
    if (rank_ == kOwner) new (base) Board();
    board_ = static_cast<Board*>(base);
    const MPI_Aint counter_bytes = rank_ == kOwner ? static_cast<MPI_Aint>(sizeof(std::uint64_t)) : 0;
    MPI_Win_allocate(counter_bytes, sizeof(std::uint64_t), MPI_INFO_NULL, MPI_COMM_WORLD, &counter_base_,
                     &counter_window_);
    MPI_Barrier(MPI_COMM_WORLD);  // the board is constructed before any rank uses it
  }
  ~MpiSync() override {
    MPI_Win_free(&counter_window_);
    MPI_Win_free(&board_window_);
  }

  // Untimed. The barrier keeps the owner from clearing the board while another rank still reads the last tally;
  // the driver's barrier before the timed run orders the reset before any rank's use.
  void reset() override {
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank_ == kOwner) {
      board_->reset();
      const std::uint64_t zero = 0;
      MPI_Win_lock(MPI_LOCK_EXCLUSIVE, kOwner, 0, counter_window_);
      MPI_Put(&zero, 1, MPI_UINT64_T, kOwner, 0, 1, MPI_UINT64_T, counter_window_);
      MPI_Win_unlock(kOwner, counter_window_);
    }
    took_part_ = false;
  }

  void run_reference(Shape shape) override {
    took_part_ = true;
    reference_loop(shape);
    MPI_Barrier(MPI_COMM_WORLD);
  }

  void run_test(Shape shape) override {
    took_part_ = true;
    Board& board = *board_;
    switch (variant_.construct) {
      case Construct::barrier:
        construct_loop(shape, [&](std::uint64_t i) {
          barrier_step(board, rank_, size_, i, [] { MPI_Barrier(MPI_COMM_WORLD); });
        });
        break;
      case Construct::lock:
        construct_loop(shape, [&](std::uint64_t) { locked_increment(); });
        break;
      case Construct::atomic: {
        const std::uint64_t one = 1;
        std::uint64_t previous = 0;
        MPI_Win_lock_all(0, counter_window_);
        construct_loop(shape, [&](std::uint64_t) {
          MPI_Fetch_and_op(&one, &previous, MPI_UINT64_T, kOwner, 0, MPI_SUM, counter_window_);
          MPI_Win_flush(kOwner, counter_window_);
        });
        MPI_Win_unlock_all(counter_window_);
        break;
      }
      case Construct::reduction:
        construct_loop(shape, [&](std::uint64_t i) {
          const std::uint64_t mine = reduction_value(rank_, i);
          std::uint64_t sum = 0;
          MPI_Allreduce(&mine, &sum, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
          check_reduction(board, rank_, size_, i, sum);
          count_done(board, rank_);
        });
        break;
      default: throw std::logic_error("not an MPI construct");
    }
    MPI_Barrier(MPI_COMM_WORLD);
  }

  int participants() override { return team().sum(took_part_ ? 1 : 0); }

  // The board is shared; the window's counter is read by its owner and broadcast (lock and atomic fill both
  // guarded and counter: only the construct's own one is checked).
  Tally tally() override {
    Tally t = Tally::of(*board_, size_);
    std::uint64_t value = 0;
    if (rank_ == kOwner) {
      MPI_Win_lock(MPI_LOCK_SHARED, kOwner, 0, counter_window_);
      MPI_Get(&value, 1, MPI_UINT64_T, kOwner, 0, 1, MPI_UINT64_T, counter_window_);
      MPI_Win_unlock(kOwner, counter_window_);
    }
    MPI_Bcast(&value, 1, MPI_UINT64_T, kOwner, MPI_COMM_WORLD);
    t.guarded = t.counter = value;
    return t;
  }

 private:
  // One increment of rank 0's counter as a get and a separate put inside an exclusive lock epoch: a lock that
  // did not exclude would lose updates.
  void locked_increment() {
    std::uint64_t value = 0;
    MPI_Win_lock(MPI_LOCK_EXCLUSIVE, kOwner, 0, counter_window_);
    MPI_Get(&value, 1, MPI_UINT64_T, kOwner, 0, 1, MPI_UINT64_T, counter_window_);
    MPI_Win_flush(kOwner, counter_window_);
    ++value;
    MPI_Put(&value, 1, MPI_UINT64_T, kOwner, 0, 1, MPI_UINT64_T, counter_window_);
    MPI_Win_unlock(kOwner, counter_window_);
  }

  Variant variant_;
  int rank_ = 0;
  int size_ = 1;
  Board* board_ = nullptr;
  MPI_Win board_window_ = MPI_WIN_NULL;
  std::uint64_t* counter_base_ = nullptr;
  MPI_Win counter_window_ = MPI_WIN_NULL;
  bool took_part_ = false;
};

}  // namespace

ModelInfo model_info() {
  ModelInfo info;
  info.variants = {{Construct::fork_join, "",
                    "MPI has no fork/join: the ranks are started once by mpirun and live for the whole program"},
                   {Construct::barrier, ""},
                   {Construct::lock, ""},
                   {Construct::atomic, ""},
                   {Construct::reduction, ""}};
  // A window lock takes microseconds: it waits like a barrier.
  info.inner = [](const Variant& v) -> std::uint64_t {
    return v.construct == Construct::lock ? 256 : default_inner(v.construct);
  };
  info.make = [](const Variant& v, int) { return std::make_unique<MpiSync>(v); };
  return info;
}

}  // namespace parbench::sync
