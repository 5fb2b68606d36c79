#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "parbench/cli.hpp"

using parbench::UsageError;

TEST(WorkerList, ParsesCommaSeparatedCounts) {
  EXPECT_EQ(parbench::parse_worker_list("1,2,4", 8), (std::vector<int>{1, 2, 4}));
  EXPECT_EQ(parbench::parse_worker_list("3", 8), (std::vector<int>{3}));
}

TEST(WorkerList, RejectsZeroNegativeTooLargeAndGarbage) {
  for (const char* bad : {"0", "-1", "9", "1,,2", "", "2,x", "1.5", "1,2,", "+2", " 2", "2 ", "0x2", "2,2",
                          "99999999999999999999", "4294967298"})
    EXPECT_THROW(parbench::parse_worker_list(bad, 8), UsageError) << bad;
}

TEST(Size, ParsesSuffixes) {
  EXPECT_EQ(parbench::parse_size("30M"), 30'000'000u);
  EXPECT_EQ(parbench::parse_size("64k"), 64'000u);
  EXPECT_EQ(parbench::parse_size("12"), 12u);
  EXPECT_EQ(parbench::parse_size("1000G"), 1'000'000'000'000u);
  for (const char* bad : {"0", "-3", "12x", "", "k", " 5", "+5", "5 ", "0x10", "1e3", "5kk", "0k", "1001G",
                          "1000000000001", "18446744073709551615", "99999999999999999999", "18446744073709551616k"})
    EXPECT_THROW(parbench::parse_size(bad), UsageError) << bad;
}

struct Argv {
  explicit Argv(std::vector<std::string> a) : args(std::move(a)) {
    for (auto& s : args) pointers.push_back(s.data());
    pointers.push_back(nullptr);
    argc = static_cast<int>(args.size());
  }
  std::vector<std::string> args;
  std::vector<char*> pointers;
  int argc;
};

TEST(TakeOptions, RemovesOwnFlagsAndKeepsTheRest) {
  Argv a({"exe", "--parbench_workers=1,2", "--benchmark_filter=x", "--parbench_verify_only", "--parbench_size=5k"});
  const auto options = parbench::take_options(a.argc, a.pointers.data());
  EXPECT_EQ(options.workers, (std::vector<int>{1, 2}));
  EXPECT_TRUE(options.verify_only);
  EXPECT_EQ(options.size, 5000u);
  ASSERT_EQ(a.argc, 2);
  EXPECT_STREQ(a.pointers[1], "--benchmark_filter=x");
  EXPECT_EQ(a.pointers[2], nullptr);
}

TEST(TakeOptions, RejectsUnknownParbenchFlagWithoutValue) {
  Argv a({"exe", "--parbench_verify"});
  EXPECT_THROW(parbench::take_options(a.argc, a.pointers.data()), UsageError);
}

// --parbench_<name>=<value> may be a workload's option: kept for main to check against the workload's declarations
// (the executable test executable_rejects_parbench_wrokers_2 checks that an undeclared one is bad input).
TEST(TakeOptions, KeepsOtherParbenchFlagsForTheWorkload) {
  Argv a({"exe", "--parbench_wrokers=2", "--parbench_cs=0,100"});
  const parbench::Options o = parbench::take_options(a.argc, a.pointers.data());
  ASSERT_EQ(o.workload_flags.size(), 2u);
  EXPECT_EQ(o.workload_flags[0], (std::pair<std::string, std::string>{"wrokers", "2"}));
  EXPECT_EQ(o.workload_flags[1], (std::pair<std::string, std::string>{"cs", "0,100"}));
  Argv twice({"exe", "--parbench_cs=1", "--parbench_cs=2"});
  EXPECT_THROW(parbench::take_options(twice.argc, twice.pointers.data()), UsageError);
}

TEST(OptionValues, ParseIntegersAndNamesOrSayWhy) {
  EXPECT_EQ(parbench::parse_integer("cs", "100", 0, 1000), 100u);
  for (const char* bad : {"-1", "1001", "", "1e3", " 5", "0x10"})
    EXPECT_THROW(parbench::parse_integer("cs", bad, 0, 1000), UsageError) << bad;
  EXPECT_EQ(parbench::parse_integer_list("cs", "0,10,100", 0, 1000), (std::vector<std::uint64_t>{0, 10, 100}));
  EXPECT_THROW(parbench::parse_integer_list("cs", "0,,1", 0, 1000), UsageError);
  EXPECT_THROW(parbench::parse_integer_list("cs", "5,5", 0, 1000), UsageError);
  const std::vector<std::string> known = {"tas", "mcs"};
  EXPECT_EQ(parbench::parse_name_list("lock", "mcs,tas", known), (std::vector<std::string>{"mcs", "tas"}));
  EXPECT_THROW(parbench::parse_name_list("lock", "clh", known), UsageError);
  EXPECT_THROW(parbench::parse_name_list("lock", "tas,tas", known), UsageError);
}

TEST(TakeOptions, RejectsGoogleBenchmarkNumbersOutOfRange) {
  for (const char* bad : {"--benchmark_repetitions=-3", "--benchmark_repetitions=0", "--benchmark_repetitions=1.5",
                          "--benchmark_min_time=-1", "--benchmark_min_time=nan", "--benchmark_min_time=inf",
                          "--benchmark_min_time=", "--benchmark_min_warmup_time=-0.5"}) {
    Argv a({"exe", bad});
    EXPECT_THROW(parbench::take_options(a.argc, a.pointers.data()), UsageError) << bad;
  }
  Argv good({"exe", "--benchmark_repetitions=3", "--benchmark_min_time=0.05", "--benchmark_min_warmup_time=0"});
  EXPECT_NO_THROW(parbench::take_options(good.argc, good.pointers.data()));
  EXPECT_EQ(good.argc, 4);
}
