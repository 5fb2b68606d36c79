// A matrix model whose GEMM is wrong, for the tests that such a model cannot pass (tests/matrix_gemm.cmake).
// The threads model's GEMM, plus, per build:
//   MATRIX_GEMM_BROKEN_ONE_ELEMENT  worker 0 adds 1 to one element of C after computing it, every round;
//   MATRIX_GEMM_BROKEN_LAZY         the product is computed in the warm-up round only; later rounds return at
//                                   once, leaving C as the driver reset it (NaN).
// Either must fail with "verification failed" instead of reporting GFLOP/s.
#include <memory>
#include <vector>

#include "matrix/kernels.hpp"
#include "matrix/matrix.hpp"
#include "parbench/thread_team.hpp"

namespace parbench::matrix {
namespace {

class BrokenGemm final : public GemmModel {
 public:
  BrokenGemm(GemmVariant variant, int workers, std::uint64_t n)
      : variant_(variant),
        workers_(workers),
        n_(n),
        a_(new double[n * n]),
        b_(new double[n * n]),
        c_(new double[n * n]),
        workspaces_(make_workspaces(workers)),
        team_(workers, [this](int w) {
#ifdef MATRIX_GEMM_BROKEN_LAZY
          if (rounds_ > 1) return;
#endif
          gemm_worker_round(variant_, matrices(), workers_, w, workspaces_[static_cast<std::size_t>(w)]);
#ifdef MATRIX_GEMM_BROKEN_ONE_ELEMENT
          // An element inside worker 0's block, away from the first row, column and diagonal.
          const gemm::Tile t = tile_of(n_, grid_of(workers_), w);
          if (w == 0 && t.row_end - t.row_begin > 2 && t.col_end - t.col_begin > 3)
            c_[(t.row_begin + 2) * n_ + t.col_begin + 3] += 1;
#endif
        }) {}

  void run_round() override {
    ++rounds_;
    team_.run_round();
  }
  int participants() override { return team_.participants(); }
  GemmMatrices matrices() override { return {a_.get(), b_.get(), c_.get(), n_}; }

 private:
  GemmVariant variant_;
  int workers_;
  std::uint64_t n_;
  std::unique_ptr<double[]> a_, b_, c_;
  std::vector<gemm::Workspace<double>> workspaces_;
  int rounds_ = 0;
  ThreadTeam team_;
};

}  // namespace

ModelInfo model_info() {
  ModelInfo info;
  info.gemm.variants = {GemmVariant::gemm, GemmVariant::gemm_naive};
  info.gemm.make = [](GemmVariant v, int workers, std::uint64_t n) { return std::make_unique<BrokenGemm>(v, workers, n); };
  return info;
}

}  // namespace parbench::matrix
