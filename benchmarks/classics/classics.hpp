// The classics workload: three textbook concurrency problems, each solved by several methods.
//   producer_consumer  producers hand numbered items to consumers through a bounded buffer (the basket of n loaves)
//   philosophers       N philosophers share N forks around a table; each meal needs both neighbouring forks
//   bank               random transfers between accounts; a transfer that would overdraw is refused
// A round is a fixed amount of work (items, meals, transfers). The loops are written once (kernels.hpp) over the
// model's own primitives (a queue, a table of forks, a bank); a model file holds only how its persistent workers
// start, wake and join and which primitives it uses; the driver (driver.cpp) times, verifies, watches for
// deadlock and reports for every model alike.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "parbench/cli.hpp"
#include "parbench/padded.hpp"

namespace parbench::classics {

enum class Variant { producer_consumer, philosophers, bank };
std::string_view name_of(Variant v);

// Largest buffer (slots) and number of accounts a case may ask for; both live in the Arena, which may sit in
// shared memory, so they are bounded.
inline constexpr std::uint64_t kMaxBuffer = 1024;
inline constexpr std::uint64_t kMaxAccounts = 4096;
inline constexpr std::int64_t kInitialBalance = 1000;  // every account's balance at the start of a round
inline constexpr std::uint64_t kMaxAmount = 100;        // a transfer moves 1..kMaxAmount

// One case's work: the variant, its method, and the parameters that change it.
struct Case {
  Variant variant = Variant::producer_consumer;
  std::string method;
  std::uint64_t buffer = 0;    // producer_consumer: slots in the bounded buffer
  std::uint64_t accounts = 0;  // bank
};

// How producer_consumer splits its workers: half produce (rounded down, at least one), the rest consume; worker
// w < producers is producer w, the others are consumers. One worker cannot hand anything to anybody.
struct Split {
  int producers = 0, consumers = 0;
};
inline Split split_of(int workers) {
  const int producers = workers / 2 > 0 ? workers / 2 : 1;
  return {producers, workers - producers};
}

// A round's orders: how much work (items, meals, transfers) and its number (the bank's generators are seeded by
// worker and round, so every round's transfers differ and every run's are the same).
struct RoundOrder {
  std::uint64_t size = 0;
  std::uint64_t number = 0;
};

// The ring of slots a bounded buffer keeps its items in (producer_consumer). Plain indices for buffers guarded by
// a lock; the single-producer single-consumer ring uses its own atomic indices.
struct Ring {
  std::uint64_t capacity = 1;
  std::uint64_t head = 0, tail = 0;  // next slot to take from / put into, counted without wrapping
  alignas(kDestructiveRange) std::atomic<std::uint64_t> spsc_head{0};
  alignas(kDestructiveRange) std::atomic<std::uint64_t> spsc_tail{0};
  alignas(kDestructiveRange) std::uint64_t slots[kMaxBuffer]{};

  void put(std::uint64_t item) { slots[tail++ % capacity] = item; }
  std::uint64_t take() { return slots[head++ % capacity]; }
};

// One worker's record of one round, written once at its end (and so never contended).
struct Tally {
  std::uint64_t done = 0;        // items consumed, meals eaten, transfers made
  std::uint64_t checksum = 0;    // producer_consumer: sum of mix(item) over the items consumed
  std::uint64_t violations = 0;  // producer_consumer: out-of-order items; philosophers: forks or neighbours taken
  std::uint64_t refused = 0;     // bank: transfers refused for lack of funds
};

// The round's shared state, on the heap (threads, tbb, openmp) or in shared memory (processes).
struct Arena {
  alignas(kDestructiveRange) std::atomic<std::int64_t> budget{0};  // items not yet claimed / meals not yet served
  alignas(kDestructiveRange) std::atomic<bool> abort{false};       // set by the watchdog: every wait gives up
  alignas(kDestructiveRange) std::atomic<int> seated{0};           // philosophers at the table this round
  alignas(kDestructiveRange) std::atomic<int> start_line{0};       // philosophers/naive: left forks taken
  Padded<std::atomic<std::uint64_t>> progress[kMaxCpuWorkers]{};   // each worker's count so far, for the watchdog
  Padded<Tally> tallies[kMaxCpuWorkers]{};
  Padded<std::atomic<int>> fork_owner[kMaxCpuWorkers]{};           // philosophers: who holds fork f; -1 nobody
  Padded<std::atomic<bool>> eating[kMaxCpuWorkers]{};              // philosophers: p is eating
  Padded<std::atomic<std::int64_t>> balances[kMaxAccounts]{};      // bank
  Ring ring;                                                       // producer_consumer

  void reset(const Case& c) {
    budget.store(0);
    abort.store(false);
    seated.store(0);
    start_line.store(0);
    for (int w = 0; w < kMaxCpuWorkers; ++w) {
      progress[w].value.store(0);
      tallies[w].value = Tally{};
      fork_owner[w].value.store(-1);
      eating[w].value.store(false);
    }
    for (std::uint64_t a = 0; a < kMaxAccounts; ++a) balances[a].value.store(a < c.accounts ? kInitialBalance : 0);
    ring.capacity = c.buffer > 0 ? c.buffer : 1;
    ring.head = ring.tail = 0;
    ring.spsc_head.store(0);
    ring.spsc_tail.store(0);
  }
  // Items, meals or transfers made so far this round, all workers together (read by the watchdog at any time).
  std::uint64_t progress_sum() const {
    std::uint64_t sum = 0;
    for (const auto& p : progress) sum += p.value.load(std::memory_order_relaxed);
    return sum;
  }
};

// What a round did, for verification (untimed). Built from the Arena's tallies; MPI combines its ranks'.
struct RoundResult {
  bool aborted = false;                // the watchdog stopped the round
  std::vector<std::uint64_t> done;     // per worker
  std::uint64_t checksum = 0;          // producer_consumer
  std::uint64_t violations = 0;
  std::uint64_t refused = 0;           // bank
  std::vector<std::uint64_t> refused_by;  // bank, per worker
  std::int64_t total_balance = 0;      // bank
  std::int64_t lowest_balance = 0;     // bank

  static RoundResult of(const Arena& arena, const Case& c, int workers) {
    RoundResult r;
    r.aborted = arena.abort.load();
    for (int w = 0; w < workers; ++w) {
      const Tally& t = arena.tallies[w].value;
      r.done.push_back(t.done);
      r.refused_by.push_back(t.refused);
      r.checksum += t.checksum;
      r.violations += t.violations;
      r.refused += t.refused;
    }
    if (c.variant == Variant::bank) {
      r.lowest_balance = arena.balances[0].value.load();
      for (std::uint64_t a = 0; a < c.accounts; ++a) {
        const std::int64_t b = arena.balances[a].value.load();
        r.total_balance += b;
        if (b < r.lowest_balance) r.lowest_balance = b;
      }
    }
    return r;
  }
};

// What is timed is the same in every model: workers exist before the round (made once per case), the round sets
// the budget and wakes them, they work until it is spent, and the round ends when all are done.
class Model {
 public:
  virtual ~Model() = default;
  // The round's shared state; the driver resets it (untimed) and the watchdog reads its progress.
  virtual Arena& arena() = 0;
  // Untimed, after the Arena's reset: anything else of the model's to restore before a round.
  virtual void reset() {}
  // Timed: one round of `order.size` items, meals or transfers.
  virtual void run_round(const RoundOrder& order) = 0;
  // Untimed: how many workers took part in the last round (kNotTracked where the model cannot tell).
  virtual int participants() = 0;
  // Untimed: what the last round did (the same on every rank).
  virtual RoundResult result(const Case& c, int workers) { return RoundResult::of(arena(), c, workers); }
  // Whether the watchdog can stop a stuck round (its waits give up once abort() is called).
  virtual bool abortable() const { return true; }
  // Called by the watchdog's thread: every wait of the round gives up. A model whose primitive has its own way
  // to stop waiters (tbb's concurrent_bounded_queue::abort) adds it.
  virtual void abort() { arena().abort.store(true); }
};

// The methods a model offers for a variant, and the buffer sizes each producer_consumer method runs with by
// default (--parbench_buffer overrides them; empty for the other variants).
struct Offer {
  Variant variant;
  std::string method;
  std::vector<std::uint64_t> buffers;
};

struct ModelInfo {
  std::vector<Offer> offers;
  std::vector<int> default_workers;  // empty: the main's default (1 and the core count)
  int max_workers = kMaxCpuWorkers;
  bool cpu_workers = true;
  std::string unavailable;
  std::vector<std::pair<std::string, std::string>> context;
  // Builds the model for one case; may throw parbench::SkipCase.
  std::function<std::unique_ptr<Model>(const Case&, int workers)> make;
};

// Defined by each model file.
ModelInfo model_info();

}  // namespace parbench::classics
