// matrix with OpenBLAS: the reference a user would pick instead of writing a parallel GEMM. Variant `gemm` only
// (no STREAM, no naive loop): one cblas_dgemm per round with openblas_set_num_threads(workers), so its cases carry
// the same names as the models' (`gemm/n:<n>/workers:<p>`) and sit beside them. OpenBLAS starts, wakes and joins
// its own thread pool; which of its threads took part cannot be seen from outside (participants: not tracked),
// and the product is checked like every model's.
#include <cblas.h>

#include <memory>

#include "matrix/kernels.hpp"
#include "matrix/matrix.hpp"
#include "parbench/participation.hpp"

namespace parbench::matrix {
namespace {

class OpenblasGemm final : public GemmModel {
 public:
  OpenblasGemm(int workers, std::uint64_t n)
      : workers_(workers), n_(n), a_(new double[n * n]), b_(new double[n * n]), c_(new double[n * n]) {}

  void run_round() override {
    // Set every round: the driver's reference product sets OpenBLAS to one thread, untimed, once per case.
    openblas_set_num_threads(workers_);
    const auto n = static_cast<blasint>(n_);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a_.get(), n, b_.get(), n, 0.0, c_.get(), n);
  }
  int participants() override { return kNotTracked; }
  GemmMatrices matrices() override { return {a_.get(), b_.get(), c_.get(), n_}; }

 private:
  int workers_;
  std::uint64_t n_;
  std::unique_ptr<double[]> a_, b_, c_;
};

}  // namespace

ModelInfo model_info() {
  ModelInfo info;
  info.gemm.variants = {GemmVariant::gemm};
  info.gemm.make = [](GemmVariant, int workers, std::uint64_t n) { return std::make_unique<OpenblasGemm>(workers, n); };
  info.context = {{"openblas_config", openblas_get_config()}, {"openblas_corename", openblas_get_corename()},
                  {"openblas_max_threads", std::to_string(openblas_get_num_procs())}};
  return info;
}

}  // namespace parbench::matrix
