// matrix with oneTBB: a TbbTeam (arena of `workers` slots, each slot's thread pinned to its CPU, exactly `workers`
// chunks per round, each on its own thread). A chunk takes the part of its arena slot, not of its chunk number:
// which thread runs which chunk changes from round to round, while a slot keeps its CPU, so the slot's part is
// always streamed from the CPU that first touched it. tbb::parallel_for with a dynamic partitioner would hand
// ranges to whichever thread steals them, so first touch and use would not match. dot combines the slots'
// partial sums after the join.
// GEMM: the same TbbTeam, each arena slot computing block `slot` of C on the 2-D grid with its own workspace. Not
// parallel_for over blocked_range2d: its partitioner makes as many chunks as it likes and hands them to whichever
// thread steals them, so neither "every worker took part" nor "one workspace per worker" could be checked or
// kept without extra bookkeeping; the team gives exactly `workers` chunks on `workers` threads, and the 2-D block
// split is the same as the other models'.
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/version.h>

#include <memory>
#include <vector>

#include "matrix/kernels.hpp"
#include "matrix/matrix.hpp"
#include "parbench/padded.hpp"
#include "parbench/pin.hpp"
#include "parbench/tbb_team.hpp"

namespace parbench::matrix {
namespace {

class TbbStream final : public StreamModel {
 public:
  TbbStream(int workers, std::uint64_t elements)
      : workers_(workers),
        elements_(elements),
        a_(new double[elements]),  // untouched until initialize()
        b_(new double[elements]),
        c_(new double[elements]),
        partial_(static_cast<std::size_t>(workers)),
        team_(workers) {}

  void initialize() override {
    team_.run_round([&](int) {
      const int slot = tbb::this_task_arena::current_thread_index();
      if (slot < 0 || slot >= workers_) return;  // cannot happen in an arena of `workers` slots; left unwritten
      const Range r = range_of(elements_, workers_, slot);
      stream_initialize(local_arrays(), r.begin, r.end);
    });
  }

  double run_round(StreamKernel k) override {
    for (auto& p : partial_) p.value = 0;
    team_.run_round([&](int) {
      const int slot = tbb::this_task_arena::current_thread_index();
      if (slot < 0 || slot >= workers_) return;  // participation and verification then fail the round
      const Range r = range_of(elements_, workers_, slot);
      partial_[static_cast<std::size_t>(slot)].value = run_stream_kernel(k, local_arrays(), r.begin, r.end);
    });
    double sum = 0;
    for (const auto& p : partial_) sum += p.value;
    return sum;
  }

  int participants() override { return team_.participants(); }
  StreamArrays local_arrays() override { return {a_.get(), b_.get(), c_.get(), elements_}; }

 private:
  int workers_;
  std::uint64_t elements_;
  std::unique_ptr<double[]> a_, b_, c_;
  std::vector<Padded<double>> partial_;
  TbbTeam team_;
};

class TbbGemm final : public GemmModel {
 public:
  TbbGemm(GemmVariant variant, int workers, std::uint64_t n)
      : variant_(variant),
        workers_(workers),
        n_(n),
        a_(new double[n * n]),
        b_(new double[n * n]),
        c_(new double[n * n]),
        workspaces_(make_workspaces(workers)),
        team_(workers) {}

  void run_round() override {
    team_.run_round([&](int) {
      const int slot = tbb::this_task_arena::current_thread_index();
      if (slot < 0 || slot >= workers_) return;  // participation and verification then fail the round
      gemm_worker_round(variant_, matrices(), workers_, slot, workspaces_[static_cast<std::size_t>(slot)]);
    });
  }
  int participants() override { return team_.participants(); }
  GemmMatrices matrices() override { return {a_.get(), b_.get(), c_.get(), n_}; }

 private:
  GemmVariant variant_;
  int workers_;
  std::uint64_t n_;
  std::unique_ptr<double[]> a_, b_, c_;
  std::vector<gemm::Workspace<double>> workspaces_;
  TbbTeam team_;
};

}  // namespace

ModelInfo model_info() {
  ModelInfo info;
  info.stream.kernels = kAllStreamKernels;
  info.stream.make = [](int workers, std::uint64_t elements) { return std::make_unique<TbbStream>(workers, elements); };
  info.gemm.variants = {GemmVariant::gemm, GemmVariant::gemm_naive};
  info.gemm.make = [](GemmVariant v, int workers, std::uint64_t n) { return std::make_unique<TbbGemm>(v, workers, n); };
  info.context = pin_context();
  info.context.emplace_back("tbb_version", TBB_VERSION_STRING);
  return info;
}

}  // namespace parbench::matrix
