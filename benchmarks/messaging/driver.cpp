// Registers, times and verifies the messaging cases for whichever model this executable is built with.
#include <algorithm>
#include <memory>
#include <string>

#include "messaging/kernels.hpp"
#include "messaging/messaging.hpp"
#include "parbench/registry.hpp"
#include "parbench/rounds.hpp"

namespace parbench::messaging {
namespace {

constexpr std::uint64_t kMaxBytes = 64ull << 20;   // --parbench_bytes upper bound (two rings of this per case)
constexpr std::uint64_t kMaxWindow = 1024;
constexpr std::uint64_t kRoundBytes = 4ull << 20;  // a default round moves about this much one way...
constexpr std::uint64_t kMinMessages = 8;           // ...in at least this many messages (bandwidth: one window)...
constexpr std::uint64_t kMaxMessages = 2048;        // ...and at most this many (8 B: ~10 ms over a pipe)
// Verify-only rounds: at most 64 messages and about 1 MiB each way, at least 4 (bandwidth: one whole window), so
// the smoke tests of all sizes stay well inside their time limit on a busy machine.
constexpr std::uint64_t kVerifyMessages = 64;
// The quick set: the harness passes no workload option, and the 11 sizes of the full sweep (8 B, then 16 B
// to 4 MiB in powers of 4, by --parbench_bytes) made `./run_all.sh --profile quick` several minutes longer.
constexpr const char* kDefaultBytes = "8,4096,1048576";
constexpr std::uint64_t kVerifyBytes = 1ull << 20;
constexpr std::uint64_t kVerifyMinMessages = 4;

std::uint64_t round_up(std::uint64_t n, std::uint64_t multiple) { return (n + multiple - 1) / multiple * multiple; }

// Messages per round: latency round trips, or bandwidth messages in whole windows.
std::uint64_t messages_of(const CaseContext& ctx, const Shape& shape) {
  const std::uint64_t by_bytes = std::clamp<std::uint64_t>(kRoundBytes / shape.bytes, kMinMessages, kMaxMessages);
  const std::uint64_t verify_cap =
      std::clamp<std::uint64_t>(kVerifyBytes / shape.bytes, kVerifyMinMessages, kVerifyMessages);
  const std::uint64_t n = ctx.round_size(by_bytes, verify_cap);
  return shape.mode == Mode::bandwidth ? round_up(n, shape.window) : n;
}

std::string describe(const char* side, const Tally& t) {
  return std::string(side) + " got " + std::to_string(t.bad) + " bad messages of " + std::to_string(t.received) +
         " (the first should have been message " + std::to_string(t.first_bad) + ", it had " +
         std::to_string(t.first_bad_length) + " bytes)";
}

Check check_round(const RoundResult& r, const Job& job, bool one_way) {
  const bool latency = job.shape.mode == Mode::latency;
  if (one_way) {
    if (r.receiver.bad != 0) return describe("the receiver", r.receiver);
    return expect_equal("messages received", latency ? 2 * job.messages : job.messages, r.receiver.received);
  }
  if (r.sender.peer_gone || r.receiver.peer_gone) return std::string("the transport ended mid-round (peer gone)");
  if (r.receiver.bad != 0) return describe("worker 1", r.receiver);
  if (r.sender.bad != 0) return describe(latency ? "worker 0 (pongs)" : "worker 0 (acks)", r.sender);
  if (Check problem = expect_equal("messages worker 1 received", job.messages, r.receiver.received)) return problem;
  return expect_equal(latency ? "pongs worker 0 received" : "acks worker 0 received",
                      latency ? job.messages : job.messages / job.shape.window, r.sender.received);
}

void run_case(benchmark::State& state, const CaseContext& ctx, const ModelInfo& info, const std::string& transport,
              const Shape& shape) {
  if (ctx.workers != 2) {
    skip_case(state, "ping-pong runs between exactly 2 workers (MPI: exactly 2 ranks, mpiexec -np 2)");
    return;
  }
  const std::unique_ptr<Model> model = make_model(state, [&] { return info.make(transport, ctx.workers, shape); });
  if (!model) return;

  Job job{shape, messages_of(ctx, shape), 0};
  // One-way messages per round: half a round trip each in latency mode (ns_per_op is then the latency).
  const double trips = static_cast<double>(job.messages) * (shape.mode == Mode::latency ? 2 : 1);
  std::uint64_t round = 0;
  Rounds rounds;
  rounds.workers = ctx.workers;
  rounds.ops_per_round = trips;
  rounds.cpu_ops = true;
  rounds.prepare = [&] {
    model->reset();
    job.first = round++ * 2 * job.messages;  // every message of the case has its own number
  };
  rounds.run = [&] { model->run_round(job); };
  rounds.participants = [&] { return model->participants(); };
  rounds.verify = [&] { return check_round(model->result(), job, info.one_way); };
  const RoundTotals totals = run_rounds(state, rounds);
  report_throughput(state, totals, trips);
  if (!totals.ok || totals.rounds == 0 || totals.seconds <= 0) return;
  const double seconds = totals.seconds / static_cast<double>(totals.rounds);
  if (shape.mode == Mode::latency)
    state.counters["latency_ns"] = seconds * 1e9 / trips;  // half the round trip
  else
    state.counters["gb_per_s"] = static_cast<double>(shape.bytes) * static_cast<double>(job.messages) / seconds / 1e9;
}

std::string joined(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ",") + n;
  return s;
}

}  // namespace
}  // namespace parbench::messaging

void parbench_register(parbench::Registry& registry) {
  using namespace parbench;
  using namespace parbench::messaging;
  auto info = std::make_shared<ModelInfo>(model_info());

  const auto chosen = parse_name_list(
      "transports",
      registry.option("transports", joined(info->transports), "transports to run (default: all of this model's)"),
      info->transports);
  const auto sizes = parse_integer_list(
      "bytes",
      registry.option("bytes", kDefaultBytes,
                      "message sizes in bytes, multiples of 8 from 8 to 64 MiB (default 8 B, 4 KiB, 1 MiB; the full "
                      "sweep: 8,16,64,256,1024,4096,16384,65536,262144,1048576,4194304)"),
      8, kMaxBytes);
  for (std::uint64_t b : sizes)
    if (b % kWordBytes != 0)
      throw UsageError("bad value '" + std::to_string(b) + "' for --parbench_bytes (want multiples of 8)");
  const std::uint64_t window = parse_integer(
      "window", registry.option("window", "64", "bandwidth mode: messages in flight before each ack (1..1024)"), 1,
      kMaxWindow);

  for (const std::string& transport : info->transports) {
    if (std::find(chosen.begin(), chosen.end(), transport) == chosen.end()) continue;
    for (Mode mode : {Mode::latency, Mode::bandwidth})
      for (std::uint64_t bytes : sizes) {
        const Shape shape{mode, static_cast<std::size_t>(bytes), window};
        registry.add(
            transport,
            [info, transport, shape](benchmark::State& state, const CaseContext& ctx) {
              run_case(state, ctx, *info, transport, shape);
            },
            [shape](const CaseContext& ctx) {
              Params p = {{"mode", shape.mode == Mode::latency ? "latency" : "bandwidth"},
                          {"bytes", std::to_string(shape.bytes)}};
              if (shape.mode == Mode::bandwidth) p.emplace_back("window", std::to_string(shape.window));
              p.emplace_back("size", std::to_string(messages_of(ctx, shape)));
              return p;
            });
      }
  }
  registry.set_default_workers({2});
  registry.set_primary_metric("ns_per_op");
  registry.set_unavailable(info->unavailable);
  registry.add_context("messaging_transports", joined(info->transports));
  registry.add_context("messaging_check", "per message: sum of (64-bit word XOR position) over the received bytes");
  for (const auto& [key, value] : info->context) registry.add_context(key, value);
}
