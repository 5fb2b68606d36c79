// A sync model whose barrier does not wait (every worker passes at once), for the test that a broken barrier
// cannot pass: its case must fail verification (the phase check after each barrier) instead of reporting a number.
#include "parbench/thread_team.hpp"
#include "sync/kernels.hpp"
#include "sync/sync.hpp"

namespace parbench::sync {
namespace {

class BrokenBarrierSync final : public Model {
 public:
  explicit BrokenBarrierSync(int workers)
      : workers_(workers), board_(std::make_unique<Board>()), team_(workers, [this](int w) { work(w); }) {}

  void reset() override { board_->reset(); }
  void run_reference(Shape shape) override { activate(shape, true); }
  void run_test(Shape shape) override { activate(shape, false); }
  int participants() override { return team_.participants(); }
  Tally tally() override { return Tally::of(*board_, workers_); }

 private:
  void activate(Shape shape, bool reference) {
    shape_ = shape;
    reference_ = reference;
    team_.run_round();
  }
  void work(int w) {
    if (reference_) return reference_loop(shape_);
    construct_loop(shape_, [&](std::uint64_t i) { barrier_step(*board_, w, workers_, i, [] {}); });
  }

  int workers_;
  std::unique_ptr<Board> board_;
  Shape shape_;
  bool reference_ = true;
  ThreadTeam team_;
};

}  // namespace

ModelInfo model_info() {
  ModelInfo info;
  info.variants = {{Construct::barrier, "broken"}};
  info.inner = [](const Variant&) -> std::uint64_t { return 1024; };
  info.make = [](const Variant&, int workers) { return std::make_unique<BrokenBarrierSync>(workers); };
  return info;
}

}  // namespace parbench::sync
