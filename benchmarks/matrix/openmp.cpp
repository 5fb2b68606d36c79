// matrix with OpenMP: one parallel region per round. `parallel for schedule(static)` over the workers' parts,
// one part per thread, so thread w takes part w in the initialising loop and in every round (a static schedule
// with the same trip count and thread count gives the same assignment): first touch by the thread that uses the
// data, with the kernel written once (kernels.hpp) instead of an inlined loop per model. dot combines with the
// reduction clause; the region's implicit barrier ends the round.
// GEMM: `parallel for collapse(2) schedule(static)` over the grid's block rows × block columns, one block per
// thread; each thread uses the workspace of its thread number.
#include <omp.h>

#include <memory>
#include <vector>

#include "matrix/kernels.hpp"
#include "matrix/matrix.hpp"
#include "parbench/participation.hpp"

namespace parbench::matrix {
namespace {

class OpenmpStream final : public StreamModel {
 public:
  OpenmpStream(int workers, std::uint64_t elements)
      : workers_(workers),
        elements_(elements),
        a_(new double[elements]),  // untouched until initialize()
        b_(new double[elements]),
        c_(new double[elements]) {}

  void initialize() override {
    const StreamArrays arrays = local_arrays();
#pragma omp parallel for schedule(static) num_threads(workers_)
    for (int w = 0; w < workers_; ++w) {
      const Range r = range_of(elements_, workers_, w);
      stream_initialize(arrays, r.begin, r.end);
    }
  }

  double run_round(StreamKernel k) override {
    const std::uint64_t round = ++round_;
    const StreamArrays arrays = local_arrays();
    double sum = 0;
#pragma omp parallel for schedule(static) num_threads(workers_) reduction(+ : sum)
    for (int w = 0; w < workers_; ++w) {
      participation_.mark(omp_get_thread_num(), round);
      const Range r = range_of(elements_, workers_, w);
      sum += run_stream_kernel(k, arrays, r.begin, r.end);
    }
    return sum;
  }

  int participants() override { return participation_.count(workers_, round_); }
  StreamArrays local_arrays() override { return {a_.get(), b_.get(), c_.get(), elements_}; }

 private:
  int workers_;
  std::uint64_t elements_;
  std::unique_ptr<double[]> a_, b_, c_;
  Participation participation_;
  std::uint64_t round_ = 0;
};

class OpenmpGemm final : public GemmModel {
 public:
  OpenmpGemm(GemmVariant variant, int workers, std::uint64_t n)
      : variant_(variant),
        workers_(workers),
        n_(n),
        a_(new double[n * n]),
        b_(new double[n * n]),
        c_(new double[n * n]),
        workspaces_(make_workspaces(workers)) {}

  void run_round() override {
    const std::uint64_t round = ++round_;
    const GemmMatrices m = matrices();
    const Grid grid = grid_of(workers_);
#pragma omp parallel for collapse(2) schedule(static) num_threads(workers_)
    for (int row = 0; row < grid.rows; ++row)
      for (int col = 0; col < grid.cols; ++col) {
        const int thread = omp_get_thread_num();
        participation_.mark(thread, round);
        run_gemm_tile(variant_, n_, m.a, m.b, m.c, tile_of(n_, grid, row * grid.cols + col),
                      workspaces_[static_cast<std::size_t>(thread)]);
      }
  }
  int participants() override { return participation_.count(workers_, round_); }
  GemmMatrices matrices() override { return {a_.get(), b_.get(), c_.get(), n_}; }

 private:
  GemmVariant variant_;
  int workers_;
  std::uint64_t n_;
  std::unique_ptr<double[]> a_, b_, c_;
  std::vector<gemm::Workspace<double>> workspaces_;
  Participation participation_;
  std::uint64_t round_ = 0;
};

}  // namespace

ModelInfo model_info() {
  ModelInfo info;
  info.stream.kernels = kAllStreamKernels;
  info.stream.make = [](int workers, std::uint64_t elements) {
    omp_set_dynamic(0);  // else an oversubscribed request may silently get fewer threads
    return std::make_unique<OpenmpStream>(workers, elements);
  };
  info.gemm.variants = {GemmVariant::gemm, GemmVariant::gemm_naive};
  info.gemm.make = [](GemmVariant v, int workers, std::uint64_t n) {
    omp_set_dynamic(0);
    return std::make_unique<OpenmpGemm>(v, workers, n);
  };
  info.context = {{"openmp_version", std::to_string(_OPENMP)}};
  return info;
}

}  // namespace parbench::matrix
