#include <gtest/gtest.h>

#include <cstdint>

#include <memory>

#include "parbench/cpu_clock.hpp"
#include "parbench/padded.hpp"
#include "parbench/participation.hpp"
#include "parbench/rounds.hpp"

TEST(ShareOf, SplitsExactlyAndEvenly) {
  for (std::uint64_t total : {0u, 1u, 7u, 1000u, 1000003u}) {
    for (int parts : {1, 2, 3, 7, 64}) {
      std::uint64_t sum = 0, low = UINT64_MAX, high = 0;
      for (int i = 0; i < parts; ++i) {
        const auto share = parbench::share_of(total, parts, i);
        sum += share;
        low = std::min(low, share);
        high = std::max(high, share);
      }
      EXPECT_EQ(sum, total) << total << "/" << parts;
      EXPECT_LE(high - low, 1u) << total << "/" << parts;
    }
  }
}

TEST(ExpectEqual, ReportsBothNumbers) {
  EXPECT_FALSE(parbench::expect_equal("total", 5, 5).has_value());
  const auto problem = parbench::expect_equal("total", 5, 4);
  ASSERT_TRUE(problem.has_value());
  EXPECT_NE(problem->find("is 4, expected 5"), std::string::npos);
}

TEST(Padded, KeepsNeighboursOnSeparateLines) {
  parbench::Padded<std::uint64_t> cells[2];
  const auto distance = reinterpret_cast<const char*>(&cells[1]) - reinterpret_cast<const char*>(&cells[0]);
  EXPECT_GE(static_cast<std::size_t>(distance), parbench::kDestructiveRange);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(&cells[0]) % parbench::kDestructiveRange, 0u);
}

TEST(UnsynchronizedIncrement, CountsInOneThread) {
  std::atomic<std::uint64_t> cell{0};
  for (int i = 0; i < 1000; ++i) parbench::unsynchronized_increment(cell);
  EXPECT_EQ(cell.load(), 1000u);
}

class CapturingReporter : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& r : runs) {
      errors += r.error_occurred ? 1 : 0;
      message = r.error_message;
      if (auto it = r.counters.find("participation_min"); it != r.counters.end()) participation_min = it->second;
    }
  }
  int errors = 0;
  std::string message;
  double participation_min = -1;
};

// Runs `rounds` as a benchmark case of `iterations` rounds and returns what was reported.
CapturingReporter run_case(const char* name, parbench::Rounds rounds, int iterations = 5) {
  benchmark::RegisterBenchmark(name, [rounds](benchmark::State& state) {
    const auto totals = parbench::run_rounds(state, rounds);
    parbench::report_throughput(state, totals, rounds.ops_per_round);
  })->Iterations(iterations)->UseManualTime();
  CapturingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter, name);
  return reporter;
}

parbench::Rounds trivial_rounds(int workers) {
  parbench::Rounds r;
  r.workers = workers;
  r.ops_per_round = 1;
  r.run = [] {};
  r.participants = [workers] { return workers; };
  r.verify = []() -> parbench::Check { return std::nullopt; };
  return r;
}

// A case whose verification fails must be reported as an error, count as failed, and stop its loop. The
// warm-up round is checked too, so the third check is the second timed round.
TEST(RunRounds, FailedVerificationBecomesAnErrorAndCounts) {
  const int before = parbench::failed_cases();
  auto r = trivial_rounds(1);
  auto checks = std::make_shared<int>(0);
  r.verify = [checks]() -> parbench::Check {
    if (++*checks == 3) return std::string("deliberate mismatch");
    return std::nullopt;
  };
  const auto reported = run_case("fails_in_round_2", r);
  EXPECT_EQ(reported.errors, 1);
  EXPECT_EQ(reported.message, "verification failed: deliberate mismatch (round 2)");
  EXPECT_EQ(parbench::failed_cases(), before + 1);
}

// A round in which a worker did nothing is a failed case, never a number.
TEST(RunRounds, ARoundWithoutEveryWorkerFails) {
  const int before = parbench::failed_cases();
  auto r = trivial_rounds(2);
  auto calls = std::make_shared<int>(0);
  r.participants = [calls] { return ++*calls == 3 ? 1 : 2; };
  const auto reported = run_case("worker_missing_in_round_2", r);
  EXPECT_EQ(reported.errors, 1);
  EXPECT_EQ(reported.message, "failed: only 1 of 2 workers took part in round 2");
  EXPECT_EQ(parbench::failed_cases(), before + 1);
}

TEST(RunRounds, ReportsTheFewestParticipants) {
  const auto reported = run_case("every_worker_took_part", trivial_rounds(3));
  EXPECT_EQ(reported.errors, 0);
  EXPECT_EQ(reported.participation_min, 3);
}

// A round faster than one cycle per operation per worker did not do its work (a folded loop, a no-op lock).
TEST(RunRounds, APhysicallyImpossibleRateFails) {
  auto r = trivial_rounds(2);
  r.ops_per_round = 1e15;  // "done" in well under a second: 1e-5 cycles per op
  r.cpu_ops = true;
  const auto reported = run_case("impossibly_fast", r);
  EXPECT_EQ(reported.errors, 1);
  EXPECT_EQ(reported.message.rfind("failed: physically impossible rate: ", 0), 0u) << reported.message;
  EXPECT_NE(reported.message.find("with 2 workers at "), std::string::npos) << reported.message;
}

TEST(RunRounds, RateIsNotCheckedForNonCpuWorkers) {
  auto r = trivial_rounds(2);
  r.ops_per_round = 1e15;
  r.cpu_ops = false;
  EXPECT_EQ(run_case("gpu_like_fast", r).errors, 0);
}

TEST(CpuClock, MeasuresAPlausibleFrequency) {
  const auto& clock = parbench::measured_cpu_clock();
  EXPECT_GT(clock.hz, 0.2e9);
  EXPECT_LT(clock.hz, 10e9);
  EXPECT_FALSE(clock.method.empty());
}

TEST(Participation, CountsWorkersStampedWithTheRound) {
  parbench::Participation p;
  p.mark(0, 1);
  p.mark(2, 1);
  EXPECT_EQ(p.count(3, 1), 2);
  p.mark(0, 2);
  EXPECT_EQ(p.count(3, 2), 1);  // the stamps of round 1 do not count for round 2
}
