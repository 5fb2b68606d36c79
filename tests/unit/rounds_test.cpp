#include <gtest/gtest.h>

#include <cstdint>

#include "parbench/padded.hpp"
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

// A case whose verification fails must be reported as an error, count as failed, and stop its loop.
static void FailsOnSecondRound(benchmark::State& state) {
  int round = 0;
  const auto totals = parbench::run_rounds(
      state, [] {}, [] {}, [&]() -> parbench::Check {
        if (++round == 2) return std::string("deliberate mismatch");
        return std::nullopt;
      });
  EXPECT_FALSE(totals.ok);
  EXPECT_EQ(totals.rounds, 1);
}

class CapturingReporter : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& r : runs) {
      errors += r.error_occurred ? 1 : 0;
      message = r.error_message;
    }
  }
  int errors = 0;
  std::string message;
};

TEST(RunRounds, FailedVerificationBecomesAnErrorAndCounts) {
  const int before = parbench::failed_cases();
  benchmark::RegisterBenchmark("fails_on_second_round", FailsOnSecondRound)->Iterations(5)->UseManualTime();
  CapturingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter, "fails_on_second_round");
  EXPECT_EQ(reporter.errors, 1);
  EXPECT_EQ(reporter.message, "verification failed: deliberate mismatch");
  EXPECT_EQ(parbench::failed_cases(), before + 1);
}
