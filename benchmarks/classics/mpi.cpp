// classics with MPI: workers are ranks; producer_consumer only, as a send/receive pipeline. The first half of the
// ranks (split_of) produce, the rest consume; producer p sends its item j to consumer j mod consumers, so every
// consumer knows how many items it will receive and from whom. The bounded buffer is each producer's window of
// `buffer` synchronous sends (MPI_Issend completes only once the consumer has matched it): a producer with that
// many items not yet received waits for the oldest. Consumers receive from any producer; MPI's non-overtaking
// rule keeps each producer's items in order, which the shared consumer kernel checks. A round ends with
// MPI_Barrier, inside the timer.
// Not offered: philosophers and bank (shared forks and balances have no natural message-passing form here), and
// the watchdog (a rank blocked in MPI_Recv cannot be woken; the harness's timeout ends a stuck run).
#include <mpi.h>

#include <vector>

#include "classics/classics.hpp"
#include "classics/kernels.hpp"
#include "parbench/rounds.hpp"
#include "parbench/team.hpp"

namespace parbench::classics {
namespace {

constexpr int kItemTag = 7;

class MpiPipeline {
 public:
  MpiPipeline(Ring&, std::uint64_t window, int workers)
      : split_(split_of(workers)), sends_(window, MPI_REQUEST_NULL), in_flight_(window) {}
  bool push(std::uint64_t item, const std::atomic<bool>&) {
    const std::uint64_t sequence = item & ((std::uint64_t{1} << kSequenceBits) - 1);
    const int consumer = split_.producers + static_cast<int>(sequence % static_cast<std::uint64_t>(split_.consumers));
    const std::size_t slot = sent_++ % sends_.size();
    MPI_Wait(&sends_[slot], MPI_STATUS_IGNORE);  // the window is full: wait for the oldest to be received
    in_flight_[slot] = item;
    MPI_Issend(&in_flight_[slot], 1, MPI_UINT64_T, consumer, kItemTag, MPI_COMM_WORLD, &sends_[slot]);
    return true;
  }
  bool pop(std::uint64_t& item, const std::atomic<bool>&) {
    MPI_Recv(&item, 1, MPI_UINT64_T, MPI_ANY_SOURCE, kItemTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    return true;
  }
  // A producer's last sends, before the round's barrier.
  void drain() {
    MPI_Waitall(static_cast<int>(sends_.size()), sends_.data(), MPI_STATUSES_IGNORE);
    sent_ = 0;
  }
  // How many items consumer rank `rank` receives in a round of `items`.
  std::uint64_t items_for(int rank, std::uint64_t items) const {
    const auto c = static_cast<std::uint64_t>(rank - split_.producers);
    const auto consumers = static_cast<std::uint64_t>(split_.consumers);
    std::uint64_t count = 0;
    for (int p = 0; p < split_.producers; ++p) {
      const std::uint64_t made = share_of(items, split_.producers, p);
      count += made / consumers + (c < made % consumers ? 1 : 0);
    }
    return count;
  }
  const Split& split() const { return split_; }

 private:
  Split split_;
  std::vector<MPI_Request> sends_;
  std::vector<std::uint64_t> in_flight_;  // each send's item stays here until it completes
  std::uint64_t sent_ = 0;
};

class MpiProducerConsumer final : public Model {
 public:
  MpiProducerConsumer(int workers, std::uint64_t window) {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    work_ = std::make_unique<HandOver<MpiPipeline>>(*arena_, workers, window, workers);
  }
  Arena& arena() override { return *arena_; }
  void run_round(const RoundOrder& order) override {
    took_part_ = true;
    MpiPipeline& pipeline = work_->queue;
    const bool producer = rank_ < pipeline.split().producers;
    // A consumer's budget is what it will receive (the shared kernel takes exactly its budget).
    if (!producer) arena_->budget.store(static_cast<std::int64_t>(pipeline.items_for(rank_, order.size)));
    work_->run(rank_, order);
    if (producer) pipeline.drain();
    MPI_Barrier(MPI_COMM_WORLD);
  }
  int participants() override {
    const int took_part = team().sum(took_part_ ? 1 : 0);
    took_part_ = false;
    return took_part;
  }
  // Every rank's tally, gathered to every rank (verdicts must agree).
  RoundResult result(const Case&, int workers) override {
    const Tally& mine = arena_->tallies[rank_].value;
    const std::uint64_t local[3] = {mine.done, mine.checksum, mine.violations};
    std::vector<std::uint64_t> all(3 * static_cast<std::size_t>(workers));
    MPI_Allgather(local, 3, MPI_UINT64_T, all.data(), 3, MPI_UINT64_T, MPI_COMM_WORLD);
    RoundResult r;
    for (int w = 0; w < workers; ++w) {
      r.done.push_back(all[3 * w]);
      r.refused_by.push_back(0);
      r.checksum += all[3 * w + 1];
      r.violations += all[3 * w + 2];
    }
    return r;
  }
  bool abortable() const override { return false; }

 private:
  int rank_ = 0;
  bool took_part_ = false;
  std::unique_ptr<Arena> arena_ = std::make_unique<Arena>();
  std::unique_ptr<HandOver<MpiPipeline>> work_;
};

}  // namespace

ModelInfo model_info() {
  ModelInfo info;
  info.offers = {{Variant::producer_consumer, "send_recv", {64}}};
  info.make = [](const Case& c, int workers) { return std::make_unique<MpiProducerConsumer>(workers, c.buffer); };
  return info;
}

}  // namespace parbench::classics
