// A matrix model that does not do the STREAM work it is timed for, for the tests that such a model cannot pass.
// Built twice (tests/matrix.cmake):
//   MATRIX_BROKEN_SKIP_ONE  every worker skips the last element of its part, in every kernel;
//   MATRIX_BROKEN_LAZY      the kernels run in the warm-up round only; later rounds return at once, leaving the
//                           arrays as the warm-up round left them (right values, no work: the per-round poison
//                           must catch it) and repeating the warm-up round's dot sum.
// Either must fail with "verification failed" instead of reporting a bandwidth.
#include <memory>
#include <vector>

#include "matrix/kernels.hpp"
#include "matrix/matrix.hpp"
#include "parbench/padded.hpp"
#include "parbench/thread_team.hpp"

namespace parbench::matrix {
namespace {

class BrokenStream final : public StreamModel {
 public:
  BrokenStream(int workers, std::uint64_t elements)
      : workers_(workers),
        elements_(elements),
        a_(new double[elements]),
        b_(new double[elements]),
        c_(new double[elements]),
        partial_(static_cast<std::size_t>(workers)),
        team_(workers, [this](int w) {
          Range r = range_of(elements_, workers_, w);
          if (initializing_) {
            stream_initialize(arrays(), r.begin, r.end);
            return;
          }
#ifdef MATRIX_BROKEN_SKIP_ONE
          if (r.end > r.begin) --r.end;
#endif
#ifdef MATRIX_BROKEN_LAZY
          if (rounds_ > 1) return;
#endif
          partial_[static_cast<std::size_t>(w)].value = run_stream_kernel(kernel_, arrays(), r.begin, r.end);
        }) {}

  void initialize() override {
    initializing_ = true;
    team_.run_round();
    initializing_ = false;
  }
  double run_round(StreamKernel k) override {
    kernel_ = k;
    ++rounds_;
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
  bool initializing_ = false;
  StreamKernel kernel_ = StreamKernel::copy;
  std::uint64_t rounds_ = 0;
  ThreadTeam team_;
};

}  // namespace

ModelInfo model_info() {
  ModelInfo info;
  info.stream.kernels = kAllStreamKernels;
  info.stream.make = [](int workers, std::uint64_t elements) { return std::make_unique<BrokenStream>(workers, elements); };
  return info;
}

}  // namespace parbench::matrix
