// Command-line options every parbench executable understands, on top of Google Benchmark's own flags.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace parbench {

// Bad input on the command line; main turns it into one line on stderr and exit code 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Largest worker count a CPU model accepts (fixed-size per-worker cells live in shared memory).
inline constexpr int kMaxCpuWorkers = 256;
// Largest worker count any model accepts on the command line (GPU models count threads).
inline constexpr int kMaxAnyWorkers = 1 << 24;
// Largest work per round: 10^12 items already take minutes per round; larger is a typo.
inline constexpr std::uint64_t kMaxSize = 1'000'000'000'000ULL;

struct Options {
  std::vector<int> workers;      // empty: the model's default list
  bool verify_only = false;      // a few small rounds per case, for smoke tests
  std::uint64_t size = 0;        // workload-defined problem size per round; 0: the workload's default
  // --parbench_<name>=<value> flags that are not the common ones: a workload's own options (Registry::add_option),
  // checked against the workload's declarations once it has registered.
  std::vector<std::pair<std::string, std::string>> workload_flags;
};

// The --parbench_* flags, for --help.
extern const char* const kOptionsHelp;

// Parses "1,2,4" into distinct worker counts 1..max_workers; throws UsageError on anything else.
std::vector<int> parse_worker_list(const std::string& text, int max_workers);

// Parses a size 1..kMaxSize (decimal digits, optional k/M/G suffix); throws UsageError.
std::uint64_t parse_size(const std::string& text);

// The common --parbench_* flags, for error messages.
extern const char* const kCommonFlags;

// Parses an integer from `low` to `high` (decimal digits only) for the flag `flag`; throws UsageError.
std::uint64_t parse_integer(const std::string& flag, const std::string& text, std::uint64_t low, std::uint64_t high);
// Parses a comma-separated list of such integers, distinct; throws UsageError.
std::vector<std::uint64_t> parse_integer_list(const std::string& flag, const std::string& text, std::uint64_t low,
                                              std::uint64_t high);
// Parses a comma-separated list of distinct names, each one of `known`; throws UsageError naming the known ones.
std::vector<std::string> parse_name_list(const std::string& flag, const std::string& text,
                                         const std::vector<std::string>& known);

// Removes the --parbench_* flags from argv and returns them; throws UsageError on a bad one, and on a numeric
// Google Benchmark flag out of range (Google Benchmark 1.7.1 aborts on a negative repetition count).
Options take_options(int& argc, char** argv);

}  // namespace parbench
