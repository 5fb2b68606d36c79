// matrix with OpenMP: one parallel region per round. `parallel for schedule(static)` over the workers' parts,
// one part per thread, so thread w takes part w in the initialising loop and in every round (a static schedule
// with the same trip count and thread count gives the same assignment): first touch by the thread that uses the
// data, with the kernel written once (kernels.hpp) instead of an inlined loop per model. dot combines with the
// reduction clause; the region's implicit barrier ends the round.
#include <omp.h>

#include <memory>

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

}  // namespace

ModelInfo model_info() {
  ModelInfo info;
  info.stream.kernels = kAllStreamKernels;
  info.stream.make = [](int workers, std::uint64_t elements) {
    omp_set_dynamic(0);  // else an oversubscribed request may silently get fewer threads
    return std::make_unique<OpenmpStream>(workers, elements);
  };
  info.context = {{"openmp_version", std::to_string(_OPENMP)}};
  return info;
}

}  // namespace parbench::matrix
