// matrix with MPI: workers are ranks, and each rank owns its part of the arrays (allocated and first-touched by
// the rank itself, the same contiguous split as the other models). A round: every rank streams its part; dot's
// partial sums are combined with MPI_Allreduce inside the timed round; MPI_Barrier ends the round. The round time
// is the slowest rank's (run_rounds), so the bandwidth is every rank's bytes over that time: summed over ranks.
// GEMM (`gemm`, `gemm_naive`): row blocks. Rank 0 holds A, B and C; inside the timed round it scatters A's row
// blocks (MPI_Scatterv), broadcasts B (MPI_Bcast), every rank computes its rows of C with the variant's kernel
// on its own workspace, and rank 0 gathers them (MPI_Gatherv). Counts are in rows (an MPI type of n doubles), so
// no count overflows an int.
// GEMM `gemm_summa`: SUMMA on the rows × cols process grid of grid_of(ranks) (a prime count gives p × 1, still
// SUMMA: row panels of B broadcast down one column). Rank (r, c) owns the blocks A[r, c], B[r, c] and C[r, c]
// of the same 2-D block split as the shared-memory models' C; the blocks are distributed once per case and C's
// blocks gathered after each round, untimed, as data would already live distributed in an application that
// scales across nodes. The timed round is SUMMA itself: for each k segment (the union of the column split of A
// and the row split of B), the owner of A's panel broadcasts it along its grid row and the owner of B's panel
// along its grid column (MPI_Bcast on row and column communicators), and every rank adds the panels' product
// to its C block with the shared kernel (beta = 0 for the first segment, then 1).
#include <mpi.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <vector>

#include "matrix/kernels.hpp"
#include "matrix/matrix.hpp"
#include "parbench/team.hpp"

namespace parbench::matrix {
namespace {

class MpiStream final : public StreamModel {
 public:
  explicit MpiStream(std::uint64_t elements) {
    int rank = 0, size = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    mine_ = range_of(elements, size, rank);
    const std::uint64_t n = mine_.end - mine_.begin;
    a_.reset(new double[n]);  // untouched until initialize()
    b_.reset(new double[n]);
    c_.reset(new double[n]);
  }

  void initialize() override {
    stream_initialize(local_arrays(), 0, local_arrays().elements);
    MPI_Barrier(MPI_COMM_WORLD);
  }

  double run_round(StreamKernel k) override {
    took_part_ = true;
    const StreamArrays arrays = local_arrays();
    double sum = run_stream_kernel(k, arrays, 0, arrays.elements);
    if (k == StreamKernel::dot) {
      const double partial = sum;
      MPI_Allreduce(&partial, &sum, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    return sum;
  }

  int participants() override {
    const int ranks = team().sum(took_part_ ? 1 : 0);
    took_part_ = false;
    return ranks;
  }
  StreamArrays local_arrays() override { return {a_.get(), b_.get(), c_.get(), mine_.end - mine_.begin}; }
  std::uint64_t local_offset() override { return mine_.begin; }

 private:
  Range mine_;
  std::unique_ptr<double[]> a_, b_, c_;
  bool took_part_ = false;
};

class MpiGemm final : public GemmModel {
 public:
  MpiGemm(GemmVariant variant, std::uint64_t n) : variant_(variant), n_(n) {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    int size = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    for (int r = 0; r < size; ++r) {
      const Range rows = range_of(n, size, r);
      counts_.push_back(static_cast<int>(rows.end - rows.begin));
      displacements_.push_back(static_cast<int>(rows.begin));
    }
    rows_ = static_cast<std::uint64_t>(counts_[static_cast<std::size_t>(rank_)]);
    b_.reset(new double[n * n]);  // rank 0: the whole B it broadcasts; other ranks: where they receive it
    if (rank_ == 0) {
      a_.reset(new double[n * n]);
      c_.reset(new double[n * n]);
    }
    local_a_.reset(new double[std::max<std::uint64_t>(1, rows_ * n)]);
    local_c_.reset(new double[std::max<std::uint64_t>(1, rows_ * n)]);
    MPI_Type_contiguous(static_cast<int>(n), MPI_DOUBLE, &row_);
    MPI_Type_commit(&row_);
  }
  ~MpiGemm() override { MPI_Type_free(&row_); }

  void run_round() override {
    took_part_ = true;
    MPI_Scatterv(a_.get(), counts_.data(), displacements_.data(), row_, local_a_.get(), static_cast<int>(rows_),
                 row_, 0, MPI_COMM_WORLD);
    MPI_Bcast(b_.get(), static_cast<int>(n_), row_, 0, MPI_COMM_WORLD);
    if (rows_ > 0) run_gemm_rows(variant_, n_, rows_, local_a_.get(), b_.get(), local_c_.get(), workspace_);
    MPI_Gatherv(local_c_.get(), static_cast<int>(rows_), row_, c_.get(), counts_.data(), displacements_.data(), row_,
                0, MPI_COMM_WORLD);
  }

  int participants() override {
    const int ranks = team().sum(took_part_ ? 1 : 0);
    took_part_ = false;
    return ranks;
  }
  GemmMatrices matrices() override {
    if (rank_ != 0) return {nullptr, nullptr, nullptr, n_};
    return {a_.get(), b_.get(), c_.get(), n_};
  }

 private:
  GemmVariant variant_;
  std::uint64_t n_;
  int rank_ = 0;
  std::vector<int> counts_, displacements_;  // rows per rank, first row per rank
  std::uint64_t rows_ = 0;
  std::unique_ptr<double[]> a_, b_, c_, local_a_, local_c_;
  gemm::Workspace<double> workspace_;
  MPI_Datatype row_ = MPI_DATATYPE_NULL;
  bool took_part_ = false;
};

class MpiSumma final : public GemmModel {
 public:
  explicit MpiSumma(std::uint64_t n) : n_(n) {
    int size = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    grid_ = grid_of(size);
    row_ = rank_ / grid_.cols;
    col_ = rank_ % grid_.cols;
    MPI_Comm_split(MPI_COMM_WORLD, row_, col_, &row_comm_);  // rank in row_comm_ = col_
    MPI_Comm_split(MPI_COMM_WORLD, col_, row_, &col_comm_);  // rank in col_comm_ = row_
    mine_ = tile_of(n, grid_, rank_);
    rows_ = mine_.row_end - mine_.row_begin;
    cols_ = mine_.col_end - mine_.col_begin;
    // k segments: A's columns are split like C's (by grid column), B's rows like C's rows (by grid row).
    std::vector<std::uint64_t> cuts = {0, n};
    for (int c = 0; c < grid_.cols; ++c) cuts.push_back(range_of(n, grid_.cols, c).begin);
    for (int r = 0; r < grid_.rows; ++r) cuts.push_back(range_of(n, grid_.rows, r).begin);
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    for (std::size_t i = 0; i + 1 < cuts.size(); ++i) segments_.push_back({cuts[i], cuts[i + 1]});
    if (rank_ == 0) {
      a_.reset(new double[n * n]);
      b_.reset(new double[n * n]);
      c_.reset(new double[n * n]);
    }
    const std::uint64_t block = std::max<std::uint64_t>(1, rows_ * cols_);
    local_a_.reset(new double[block]);
    local_b_.reset(new double[block]);
    local_c_.reset(new double[block]);
    std::uint64_t widest = 1;
    for (const Range& s : segments_) widest = std::max(widest, s.end - s.begin);
    panel_a_.reset(new double[std::max<std::uint64_t>(1, rows_ * widest)]);
    panel_b_.reset(new double[std::max<std::uint64_t>(1, widest * cols_)]);
  }
  ~MpiSumma() override {
    MPI_Comm_free(&row_comm_);
    MPI_Comm_free(&col_comm_);
  }

  // Untimed: rank 0 sends every rank its blocks of A and B.
  void inputs_written() override {
    exchange_blocks([&](const gemm::Tile& t, double* packed, int) {
      if (rank_ == 0) pack(a_.get(), t, packed), pack(b_.get(), t, packed + area(t));
    }, [&](double* packed) {
      std::copy(packed, packed + rows_ * cols_, local_a_.get());
      std::copy(packed + rows_ * cols_, packed + 2 * rows_ * cols_, local_b_.get());
    }, 2, /*to_root=*/false);
  }
  void output_poisoned() override {
    std::fill(local_c_.get(), local_c_.get() + rows_ * cols_, std::numeric_limits<double>::quiet_NaN());
  }
  // Untimed: rank 0 gathers every rank's block of C.
  void result_needed() override {
    exchange_blocks([&](const gemm::Tile&, double*, int) {}, [&](double*) {}, 1, /*to_root=*/true);
  }

  void run_round() override {
    took_part_ = true;
    for (std::size_t s = 0; s < segments_.size(); ++s) {
      const Range k = segments_[s];
      const std::uint64_t width = k.end - k.begin;
      const int a_owner = owner(grid_.cols, k.begin), b_owner = owner(grid_.rows, k.begin);
      if (col_ == a_owner) {  // my A block holds columns k of my rows: copy them out as the panel
        const std::uint64_t offset = k.begin - mine_.col_begin;
        for (std::uint64_t i = 0; i < rows_; ++i)
          std::copy_n(local_a_.get() + i * cols_ + offset, width, panel_a_.get() + i * width);
      }
      if (row_ == b_owner) {  // my B block holds rows k of my columns
        const std::uint64_t offset = k.begin - mine_.row_begin;
        std::copy_n(local_b_.get() + offset * cols_, width * cols_, panel_b_.get());
      }
      MPI_Bcast(panel_a_.get(), static_cast<int>(rows_ * width), MPI_DOUBLE, a_owner, row_comm_);
      MPI_Bcast(panel_b_.get(), static_cast<int>(width * cols_), MPI_DOUBLE, b_owner, col_comm_);
      if (rows_ == 0 || cols_ == 0) continue;
      gemm::Operands<double> op;
      op.m = rows_;
      op.n = cols_;
      op.k = width;
      op.a = panel_a_.get();
      op.lda = width;
      op.b = panel_b_.get();
      op.ldb = cols_;
      op.beta = s == 0 ? 0.0 : 1.0;
      op.c = local_c_.get();
      op.ldc = cols_;
      gemm::gemm_block(op, {0, rows_, 0, cols_}, workspace_);
    }
  }

  int participants() override {
    const int ranks = team().sum(took_part_ ? 1 : 0);
    took_part_ = false;
    return ranks;
  }
  GemmMatrices matrices() override {
    if (rank_ != 0) return {nullptr, nullptr, nullptr, n_};
    return {a_.get(), b_.get(), c_.get(), n_};
  }

 private:
  static std::uint64_t area(const gemm::Tile& t) { return (t.row_end - t.row_begin) * (t.col_end - t.col_begin); }
  void pack(const double* full, const gemm::Tile& t, double* out) const {
    const std::uint64_t width = t.col_end - t.col_begin;
    for (std::uint64_t i = t.row_begin; i < t.row_end; ++i)
      std::copy_n(full + i * n_ + t.col_begin, width, out + (i - t.row_begin) * width);
  }
  void unpack(const double* in, const gemm::Tile& t, double* full) const {
    const std::uint64_t width = t.col_end - t.col_begin;
    for (std::uint64_t i = t.row_begin; i < t.row_end; ++i)
      std::copy_n(in + (i - t.row_begin) * width, width, full + i * n_ + t.col_begin);
  }
  // The grid row (or column) of `parts` whose range of n holds index k.
  int owner(int parts, std::uint64_t k) const {
    for (int p = 0; p < parts; ++p)
      if (k < range_of(n_, parts, p).end) return p;
    return parts - 1;
  }
  // Blocks between rank 0 and every rank, point to point (untimed): `count` matrices' blocks per rank.
  // to_root false: rank 0 packs with fill() and sends, each rank receives into a buffer and store()s it;
  // true: each rank sends its C block and rank 0 unpacks every one into C.
  template <class Fill, class Store>
  void exchange_blocks(Fill fill, Store store, int count, bool to_root) {
    int size = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    const std::uint64_t mine = rows_ * cols_ * static_cast<std::uint64_t>(count);
    std::vector<double> buffer;
    if (!to_root) {
      if (rank_ == 0) {
        for (int r = size - 1; r >= 0; --r) {  // rank 0's own last, so the buffer ends holding it
          const gemm::Tile t = tile_of(n_, grid_, r);
          buffer.assign(std::max<std::uint64_t>(1, area(t) * count), 0);
          fill(t, buffer.data(), r);
          if (r != 0) MPI_Send(buffer.data(), static_cast<int>(area(t) * count), MPI_DOUBLE, r, 0, MPI_COMM_WORLD);
        }
      } else {
        buffer.assign(std::max<std::uint64_t>(1, mine), 0);
        MPI_Recv(buffer.data(), static_cast<int>(mine), MPI_DOUBLE, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      }
      store(buffer.data());
      return;
    }
    if (rank_ != 0) {
      MPI_Send(local_c_.get(), static_cast<int>(rows_ * cols_), MPI_DOUBLE, 0, 1, MPI_COMM_WORLD);
      return;
    }
    unpack(local_c_.get(), mine_, c_.get());
    for (int r = 1; r < size; ++r) {
      const gemm::Tile t = tile_of(n_, grid_, r);
      buffer.assign(std::max<std::uint64_t>(1, area(t)), 0);
      MPI_Recv(buffer.data(), static_cast<int>(area(t)), MPI_DOUBLE, r, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      unpack(buffer.data(), t, c_.get());
    }
  }

  std::uint64_t n_;
  int rank_ = 0, row_ = 0, col_ = 0;
  Grid grid_;
  MPI_Comm row_comm_ = MPI_COMM_NULL, col_comm_ = MPI_COMM_NULL;
  gemm::Tile mine_;
  std::uint64_t rows_ = 0, cols_ = 0;
  std::vector<Range> segments_;
  std::unique_ptr<double[]> a_, b_, c_, local_a_, local_b_, local_c_, panel_a_, panel_b_;
  gemm::Workspace<double> workspace_;
  bool took_part_ = false;
};

}  // namespace

ModelInfo model_info() {
  ModelInfo info;
  info.stream.kernels = kAllStreamKernels;
  info.stream.make = [](int, std::uint64_t elements) { return std::make_unique<MpiStream>(elements); };
  info.gemm.variants = {GemmVariant::gemm, GemmVariant::gemm_naive, GemmVariant::gemm_summa};
  info.gemm.make = [](GemmVariant v, int, std::uint64_t n) -> std::unique_ptr<GemmModel> {
    if (v == GemmVariant::gemm_summa) return std::make_unique<MpiSumma>(n);
    return std::make_unique<MpiGemm>(v, n);
  };
  return info;
}

}  // namespace parbench::matrix
