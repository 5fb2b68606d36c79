// Registers, times, verifies and watches the classics cases for whichever model this executable is built with.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

#include "classics/classics.hpp"
#include "classics/kernels.hpp"
#include "parbench/fairness.hpp"
#include "parbench/registry.hpp"
#include "parbench/rounds.hpp"

namespace parbench::classics {

std::string_view name_of(Variant v) {
  switch (v) {
    case Variant::producer_consumer: return "producer_consumer";
    case Variant::philosophers: return "philosophers";
    case Variant::bank: return "bank";
  }
  return "unknown";
}

namespace {

// Work per round by default (--parbench_size overrides): items handed over, meals served, transfers attempted.
std::uint64_t default_round(Variant v) {
  switch (v) {
    case Variant::producer_consumer: return 20000;
    case Variant::philosophers: return 20000;
    case Variant::bank: return 1u << 20;
  }
  return 0;
}
// Verify-only rounds are capped lower for the hand-over problems: at 3 workers on 2 cores a hand-over may wait
// for a scheduler time slice.
std::uint64_t verify_cap(Variant v) { return v == Variant::bank ? CaseContext::kVerifyRoundSize : 8192; }

std::uint64_t round_size_of(const CaseContext& ctx, Variant v) {
  return ctx.round_size(default_round(v), verify_cap(v));
}

// Options, read once while registering.
struct Settings {
  std::vector<std::uint64_t> buffers;  // empty: each method's own default
  std::uint64_t accounts = 64;
  std::chrono::milliseconds watchdog_limit{2000};
};

// The watchdog: a thread that, while a round runs, checks that the workers' progress (items, meals, transfers)
// moves; if it has not moved for `limit`, it sets Arena::abort, every wait in the round gives up, and the round
// fails with "deadlock detected". Started once per case, after the model (a forking model's children are made
// from a single-threaded parent).
class Watchdog {
 public:
  Watchdog(Model& model, std::chrono::milliseconds limit)
      : model_(model), arena_(model.arena()), limit_(limit), thread_([this] { watch(); }) {}
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> hold(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  void round_starts() {
    std::lock_guard<std::mutex> hold(mutex_);
    running_ = true;
    last_progress_ = arena_.progress_sum();
    last_change_ = std::chrono::steady_clock::now();
  }
  void round_ends() {
    std::lock_guard<std::mutex> hold(mutex_);
    running_ = false;
  }
  bool fired() const { return fired_.load(); }

 private:
  void watch() {
    const auto poll = std::max(std::chrono::milliseconds(5), limit_ / 20);
    std::unique_lock<std::mutex> hold(mutex_);
    while (!stop_) {
      wake_.wait_for(hold, poll);
      if (!running_ || stop_) continue;
      const std::uint64_t progress = arena_.progress_sum();
      const auto now = std::chrono::steady_clock::now();
      if (progress != last_progress_) {
        last_progress_ = progress;
        last_change_ = now;
      } else if (now - last_change_ >= limit_ && !arena_.abort.load()) {
        fired_.store(true);
        model_.abort();
      }
    }
  }

  Model& model_;
  Arena& arena_;
  std::chrono::milliseconds limit_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false, running_ = false;
  std::uint64_t last_progress_ = 0;
  std::chrono::steady_clock::time_point last_change_;
  std::atomic<bool> fired_{false};
  std::thread thread_;  // last: it uses the members above
};

std::uint64_t sum_of(const std::vector<std::uint64_t>& values) {
  std::uint64_t sum = 0;
  for (std::uint64_t v : values) sum += v;
  return sum;
}

// Every item consumed exactly once (count and checksum), each producer's items in order at every consumer.
Check check_producer_consumer(const RoundResult& r, std::uint64_t items, int workers) {
  const Split split = split_of(workers);
  std::uint64_t made = 0, taken = 0;
  for (int w = 0; w < workers; ++w) (w < split.producers ? made : taken) += r.done[static_cast<std::size_t>(w)];
  if (Check problem = expect_equal("items produced", items, made)) return problem;
  if (Check problem = expect_equal("items consumed", items, taken)) return problem;
  if (r.violations != 0)
    return std::to_string(r.violations) + " items reached a consumer out of order or twice";
  if (r.checksum != expected_checksum(items, split.producers))
    return "checksum of the consumed items differs: an item was lost and another duplicated";
  return std::nullopt;
}

// Every meal served, and nobody ever found a fork taken or a neighbour eating while eating.
Check check_philosophers(const RoundResult& r, std::uint64_t meals) {
  if (r.violations != 0)
    return "fork check: " + std::to_string(r.violations) + " times a fork was held by another or a neighbour was eating";
  return expect_equal("meals served", meals, sum_of(r.done));
}

// Money conserved, no balance below zero, and every transfer either made or refused.
Check check_bank(const RoundResult& r, const Case& c, std::uint64_t transfers, int workers) {
  const auto expected_total = static_cast<std::int64_t>(c.accounts) * kInitialBalance;
  if (r.total_balance != expected_total)
    return "total balance " + std::to_string(r.total_balance) + " != " + std::to_string(expected_total) +
           " (money created or lost)";
  if (r.lowest_balance < 0) return "a balance went negative: " + std::to_string(r.lowest_balance);
  for (int w = 0; w < workers; ++w) {
    const auto i = static_cast<std::size_t>(w);
    if (r.done[i] + r.refused_by[i] != share_of(transfers, workers, w))
      return "worker " + std::to_string(w) + ": " + std::to_string(r.done[i]) + " made + " +
             std::to_string(r.refused_by[i]) + " refused != " + std::to_string(share_of(transfers, workers, w)) +
             " attempted";
  }
  return std::nullopt;
}

void run_case(benchmark::State& state, const CaseContext& ctx, const ModelInfo& info, const Settings& settings,
              const Case& c) {
  const std::uint64_t size = round_size_of(ctx, c.variant);
  if (c.variant == Variant::producer_consumer && ctx.workers < 2)
    return skip_case(state, "producer_consumer needs a producer and a consumer (2 or more workers)");
  if (c.variant == Variant::philosophers && ctx.workers < 2)
    return skip_case(state, "a table needs 2 or more philosophers (one per worker)");

  const std::unique_ptr<Model> model = make_model(state, [&] { return info.make(c, ctx.workers); });
  if (!model) return;
  std::unique_ptr<Watchdog> watchdog;
  if (model->abortable()) watchdog = std::make_unique<Watchdog>(*model, settings.watchdog_limit);

  bool warm_up = true;
  std::uint64_t round_number = 0, refused = 0;
  double jain_sum = 0, min_share = 1, max_share = 0;
  std::int64_t timed_rounds = 0;
  Rounds rounds;
  rounds.workers = ctx.workers;
  rounds.ops_per_round = static_cast<double>(size);
  rounds.cpu_ops = info.cpu_workers;
  rounds.prepare = [&] {
    model->arena().reset(c);
    model->reset();
    if (watchdog) watchdog->round_starts();
  };
  rounds.run = [&] { model->run_round(RoundOrder{size, ++round_number}); };
  rounds.participants = [&] { return model->participants(); };
  rounds.verify = [&]() -> Check {
    if (watchdog) watchdog->round_ends();
    const RoundResult r = model->result(c, ctx.workers);
    if (r.aborted)
      return "deadlock detected: no item, meal or transfer for " + std::to_string(settings.watchdog_limit.count()) +
             " ms (the watchdog's limit); the round was stopped";
    Check problem;
    switch (c.variant) {
      case Variant::producer_consumer: problem = check_producer_consumer(r, size, ctx.workers); break;
      case Variant::philosophers: problem = check_philosophers(r, size); break;
      case Variant::bank: problem = check_bank(r, c, size, ctx.workers); break;
    }
    if (problem) return problem;
    if (warm_up) {
      warm_up = false;
      return std::nullopt;
    }
    ++timed_rounds;
    refused += r.refused;
    if (c.variant == Variant::philosophers) {
      const Shares s = shares(r.done);
      jain_sum += jain_index(r.done);
      min_share = std::min(min_share, s.min);
      max_share = std::max(max_share, s.max);
    }
    return std::nullopt;
  };
  const RoundTotals totals = run_rounds(state, rounds);
  watchdog.reset();
  report_throughput(state, totals, static_cast<double>(size));
  if (!totals.ok || timed_rounds == 0) return;
  if (c.variant == Variant::philosophers) {
    state.counters["fairness"] = jain_sum / static_cast<double>(timed_rounds);  // mean of the rounds' indices
    state.counters["min_share"] = min_share;  // hungriest philosopher's fraction of a round's meals, all rounds
    state.counters["max_share"] = max_share;  // greediest philosopher's fraction, all rounds
  }
  if (c.variant == Variant::bank)  // refused transfers (overdrafts) as a fraction of those attempted
    state.counters["refused_fraction"] = static_cast<double>(refused) / (static_cast<double>(size) * timed_rounds);
}

Settings read_settings(Registry& registry) {
  Settings s;
  // "per-method" (the default) keeps each method's own sizes; an empty value is bad input like any other.
  const std::string buffers = registry.option("buffer", "per-method",
                                              "producer_consumer buffer sizes, e.g. 1,5,64 (1..1024; default per method)");
  if (buffers != "per-method") s.buffers = parse_integer_list("buffer", buffers, 1, kMaxBuffer);
  s.accounts = parse_integer("accounts",
                             registry.option("accounts", "64", "bank accounts (2..4096)"), 2, kMaxAccounts);
  s.watchdog_limit = std::chrono::milliseconds(parse_integer(
      "watchdog_ms",
      registry.option("watchdog_ms", "2000", "ms without progress before a round is failed as deadlocked"), 10,
      600000));
  return s;
}

}  // namespace
}  // namespace parbench::classics

void parbench_register(parbench::Registry& registry) {
  using namespace parbench::classics;
  auto settings = std::make_shared<const Settings>(read_settings(registry));
  auto info = std::make_shared<const ModelInfo>(model_info());
  for (const Offer& offer : info->offers) {
    std::vector<std::uint64_t> buffers = {0};
    if (offer.variant == Variant::producer_consumer) buffers = settings->buffers.empty() ? offer.buffers : settings->buffers;
    for (std::uint64_t buffer : buffers) {
      Case c{offer.variant, offer.method, buffer, offer.variant == Variant::bank ? settings->accounts : 0};
      registry.add(
          std::string(name_of(offer.variant)),
          [info, settings, c](benchmark::State& state, const parbench::CaseContext& ctx) {
            run_case(state, ctx, *info, *settings, c);
          },
          [c](const parbench::CaseContext& ctx) -> parbench::Params {
            parbench::Params p{{"method", c.method}};
            if (c.variant == Variant::producer_consumer) p.emplace_back("buffer", std::to_string(c.buffer));
            if (c.variant == Variant::bank) p.emplace_back("accounts", std::to_string(c.accounts));
            p.emplace_back("size", std::to_string(round_size_of(ctx, c.variant)));
            return p;
          });
    }
  }
  registry.set_default_workers(info->default_workers);
  registry.set_max_workers(info->max_workers);
  registry.set_primary_metric("items_per_second");
  registry.set_unavailable(info->unavailable);
  for (const auto& [key, value] : info->context) registry.add_context(key, value);
}
