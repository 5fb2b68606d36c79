// matrix with processes: workers forked once per case (ForkPool). The three arrays live in one anonymous
// MAP_SHARED mapping made before the fork and left untouched by the parent, so child w's initialisation is the
// first touch of its own part: shared anonymous memory is shmem, and under the default NUMA policy a shmem page is
// placed on the node of the CPU that first faults it in, as private memory is. Dot's partial sums go to padded
// cells in the shared control block; the parent sums them once every child is done (inside the timed round).
// GEMM: A, B and C in one MAP_SHARED segment made before the fork; child w computes block w of C on the 2-D grid
// with its own workspace (made in the parent before the fork, so each child writes its own copy-on-write pages).
#include <memory>

#include "matrix/kernels.hpp"
#include "matrix/matrix.hpp"
#include "parbench/fork_pool.hpp"
#include "parbench/padded.hpp"
#include "parbench/pin.hpp"
#include "parbench/shm.hpp"

namespace parbench::matrix {
namespace {

struct Control {
  bool initializing = false;                // written by the parent before each round
  StreamKernel kernel = StreamKernel::copy;
  Padded<double> partial[kMaxCpuWorkers]{};
};

class ProcessesStream final : public StreamModel {
 public:
  ProcessesStream(int workers, std::uint64_t elements)
      : workers_(workers),
        elements_(elements),
        arrays_region_(3 * elements * sizeof(double)),
        pool_(workers, [this](int w) {
          Control& control = *control_;
          const Range r = range_of(elements_, workers_, w);
          if (control.initializing) stream_initialize(arrays(), r.begin, r.end);
          else control.partial[w].value = run_stream_kernel(control.kernel, arrays(), r.begin, r.end);
        }) {}

  void initialize() override {
    control_->initializing = true;
    pool_.run_round();
    control_->initializing = false;
  }
  double run_round(StreamKernel k) override {
    control_->kernel = k;
    pool_.run_round();
    double sum = 0;
    for (int w = 0; w < workers_; ++w) sum += control_->partial[w].value;
    return sum;
  }
  int participants() override { return pool_.participants(); }
  StreamArrays local_arrays() override { return arrays(); }

 private:
  StreamArrays arrays() const {
    auto* base = static_cast<double*>(arrays_region_.data());
    return {base, base + elements_, base + 2 * elements_, elements_};
  }

  int workers_;
  std::uint64_t elements_;
  SharedRegion arrays_region_;  // made before the pool forks, so every child maps it
  Shared<Control> control_;
  ForkPool pool_;
};

class ProcessesGemm final : public GemmModel {
 public:
  ProcessesGemm(GemmVariant variant, int workers, std::uint64_t n)
      : variant_(variant),
        workers_(workers),
        n_(n),
        matrices_region_(3 * n * n * sizeof(double)),
        workspaces_(make_workspaces(workers)),
        pool_(workers, [this](int w) {
          gemm_worker_round(variant_, matrices(), workers_, w, workspaces_[static_cast<std::size_t>(w)]);
        }) {}

  void run_round() override { pool_.run_round(); }
  int participants() override { return pool_.participants(); }
  GemmMatrices matrices() override {
    auto* base = static_cast<double*>(matrices_region_.data());
    return {base, base + n_ * n_, base + 2 * n_ * n_, n_};
  }

 private:
  GemmVariant variant_;
  int workers_;
  std::uint64_t n_;
  SharedRegion matrices_region_;  // made before the pool forks, so every child maps it
  std::vector<gemm::Workspace<double>> workspaces_;
  ForkPool pool_;
};

}  // namespace

ModelInfo model_info() {
  ModelInfo info;
  info.stream.kernels = kAllStreamKernels;
  info.stream.make = [](int workers, std::uint64_t elements) {
    return std::make_unique<ProcessesStream>(workers, elements);
  };
  info.gemm.variants = {GemmVariant::gemm, GemmVariant::gemm_naive};
  info.gemm.make = [](GemmVariant v, int workers, std::uint64_t n) {
    return std::make_unique<ProcessesGemm>(v, workers, n);
  };
  info.context = pin_context();
  return info;
}

}  // namespace parbench::matrix
