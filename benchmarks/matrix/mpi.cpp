// matrix with MPI: workers are ranks, and each rank owns its part of the arrays (allocated and first-touched by
// the rank itself, the same contiguous split as the other models). A round: every rank streams its part; dot's
// partial sums are combined with MPI_Allreduce inside the timed round; MPI_Barrier ends the round. The round time
// is the slowest rank's (run_rounds), so the bandwidth is every rank's bytes over that time: summed over ranks.
#include <mpi.h>

#include <memory>

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

}  // namespace

ModelInfo model_info() {
  ModelInfo info;
  info.stream.kernels = kAllStreamKernels;
  info.stream.make = [](int, std::uint64_t elements) { return std::make_unique<MpiStream>(elements); };
  return info;
}

}  // namespace parbench::matrix
