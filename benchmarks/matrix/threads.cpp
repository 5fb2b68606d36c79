// matrix with std::thread: a persistent, pinned ThreadTeam (the caller is worker 0). Worker w initialises and
// then streams over the same contiguous part of the arrays every round (static split, first touch by its user);
// dot's partial sums sit in padded per-worker cells, summed by the caller once the team has joined.
// GEMM: the same team; worker w computes block w of C on the 2-D grid (gemm_worker_round) with its own workspace.
#include <memory>
#include <vector>

#include "matrix/kernels.hpp"
#include "matrix/matrix.hpp"
#include "parbench/padded.hpp"
#include "parbench/pin.hpp"
#include "parbench/thread_team.hpp"

namespace parbench::matrix {
namespace {

class ThreadsStream final : public StreamModel {
 public:
  ThreadsStream(int workers, std::uint64_t elements)
      : workers_(workers),
        elements_(elements),
        // new double[] without () leaves the pages untouched until initialize()'s workers write them.
        a_(new double[elements]),
        b_(new double[elements]),
        c_(new double[elements]),
        partial_(static_cast<std::size_t>(workers)),
        team_(workers, [this](int w) {
          const Range r = range_of(elements_, workers_, w);
          if (initializing_) stream_initialize(arrays(), r.begin, r.end);
          else partial_[static_cast<std::size_t>(w)].value = run_stream_kernel(kernel_, arrays(), r.begin, r.end);
        }) {}

  void initialize() override {
    initializing_ = true;
    team_.run_round();
    initializing_ = false;
  }
  double run_round(StreamKernel k) override {
    kernel_ = k;
    team_.run_round();
    double sum = 0;
    for (const auto& p : partial_) sum += p.value;
    return sum;
  }
  int participants() override { return team_.participants(); }
  StreamArrays local_arrays() override { return arrays(); }

 private:
  StreamArrays arrays() const { return {a_.get(), b_.get(), c_.get(), elements_}; }

  int workers_;
  std::uint64_t elements_;
  std::unique_ptr<double[]> a_, b_, c_;
  std::vector<Padded<double>> partial_;
  bool initializing_ = false;              // set before the team is woken, read by the workers after
  StreamKernel kernel_ = StreamKernel::copy;
  ThreadTeam team_;  // last: its threads use the members above
};

class ThreadsGemm final : public GemmModel {
 public:
  ThreadsGemm(GemmVariant variant, int workers, std::uint64_t n)
      : variant_(variant),
        workers_(workers),
        n_(n),
        a_(new double[n * n]),
        b_(new double[n * n]),
        c_(new double[n * n]),
        workspaces_(make_workspaces(workers)),
        team_(workers, [this](int w) {
          gemm_worker_round(variant_, matrices(), workers_, w, workspaces_[static_cast<std::size_t>(w)]);
        }) {}

  void run_round() override { team_.run_round(); }
  int participants() override { return team_.participants(); }
  GemmMatrices matrices() override { return {a_.get(), b_.get(), c_.get(), n_}; }

 private:
  GemmVariant variant_;
  int workers_;
  std::uint64_t n_;
  std::unique_ptr<double[]> a_, b_, c_;
  std::vector<gemm::Workspace<double>> workspaces_;
  ThreadTeam team_;  // last: its threads use the members above
};

}  // namespace

ModelInfo model_info() {
  ModelInfo info;
  info.stream.kernels = kAllStreamKernels;
  info.stream.make = [](int workers, std::uint64_t elements) {
    return std::make_unique<ThreadsStream>(workers, elements);
  };
  info.gemm.variants = {GemmVariant::gemm, GemmVariant::gemm_naive};
  info.gemm.make = [](GemmVariant v, int workers, std::uint64_t n) {
    return std::make_unique<ThreadsGemm>(v, workers, n);
  };
  info.context = pin_context();
  return info;
}

}  // namespace parbench::matrix
