#include "parbench/cli.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string_view>

namespace parbench {

const char* const kOptionsHelp =
    "parbench options:\n"
    "  --parbench_workers=LIST   worker counts to run, comma-separated (default: the model's list; MPI: the\n"
    "                            world size, set with mpirun -np)\n"
    "  --parbench_size=N         work per round, 1..10^12, optional k/M/G suffix (default: the workload's)\n"
    "  --parbench_verify_only    a few small verified rounds per case, for smoke tests\n"
    "  --parbench_<option>=VALUE a workload's own options (see docs/<workload>.md); an unknown one is bad input\n"
    "  exit code: 0, 1 if a case failed its checks, 2 on bad input\n"
    "\n";

const char* const kCommonFlags = "--parbench_workers=LIST, --parbench_size=N, --parbench_verify_only";

namespace {

// Digits only: strtoull alone would also take blanks, a sign or a hexadecimal prefix.
bool is_number(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The value of a decimal integer, or nothing when it is not one or overflows.
bool to_u64(std::string_view digits, std::uint64_t& value) {
  if (!is_number(digits)) return false;
  const std::string text(digits);
  errno = 0;
  value = std::strtoull(text.c_str(), nullptr, 10);
  return errno == 0;
}

// Google Benchmark's numeric flags: an integer or a finite number within [low, high].
void check_benchmark_flag(std::string_view arg) {
  struct Range {
    std::string_view flag;
    double low, high;
    bool integer;
  };
  static constexpr Range kRanges[] = {{"--benchmark_repetitions=", 1, 1e6, true},
                                      {"--benchmark_min_time=", 0, 1e6, false},
                                      {"--benchmark_min_warmup_time=", 0, 1e6, false}};
  for (const Range& r : kRanges) {
    if (arg.rfind(r.flag, 0) != 0) continue;
    const std::string value(arg.substr(r.flag.size()));
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(value.c_str(), &end);
    const bool numeric = !value.empty() && *end == '\0' && errno == 0 && std::isfinite(v) &&
                         (!r.integer || is_number(value));
    if (!numeric || v < r.low || v > r.high)
      throw UsageError("bad value in '" + std::string(arg) + "' (want " + (r.integer ? "an integer" : "a number") +
                       " from " + std::to_string(static_cast<long long>(r.low)) + " to " +
                       std::to_string(static_cast<long long>(r.high)) + ")");
  }
}

}  // namespace

std::vector<int> parse_worker_list(const std::string& text, int max_workers) {
  std::vector<int> workers;
  std::string_view rest = text;
  while (true) {
    const auto comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    std::uint64_t n = 0;
    if (!to_u64(item, n) || n < 1 || n > static_cast<std::uint64_t>(max_workers))
      // The absolute limit is no model's: the model's own maximum is checked, and named, once it is known.
      throw UsageError("bad worker count '" + std::string(item) + "' in '" + text + "' (want comma-separated " +
                       (max_workers < kMaxAnyWorkers ? "integers from 1 to " + std::to_string(max_workers)
                                                     : std::string("positive integers")) + ")");
    if (std::find(workers.begin(), workers.end(), static_cast<int>(n)) != workers.end())
      throw UsageError("worker count " + std::to_string(n) + " appears twice in '" + text + "'");
    workers.push_back(static_cast<int>(n));
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return workers;
}

std::uint64_t parse_size(const std::string& text) {
  std::string_view digits = text;
  std::uint64_t scale = 1;
  if (!digits.empty()) {
    switch (digits.back()) {
      case 'k': scale = 1000; break;
      case 'M': scale = 1000 * 1000; break;
      case 'G': scale = 1000 * 1000 * 1000; break;
      default: break;
    }
    if (scale != 1) digits.remove_suffix(1);
  }
  std::uint64_t n = 0;
  if (!to_u64(digits, n) || n == 0 || n > kMaxSize / scale)
    throw UsageError("bad size '" + text + "' (want an integer from 1 to 10^12, optional k/M/G suffix)");
  return n * scale;
}

std::uint64_t parse_integer(const std::string& flag, const std::string& text, std::uint64_t low, std::uint64_t high) {
  std::uint64_t n = 0;
  if (!to_u64(text, n) || n < low || n > high)
    throw UsageError("bad value '" + text + "' for --parbench_" + flag + " (want an integer from " +
                     std::to_string(low) + " to " + std::to_string(high) + ")");
  return n;
}

namespace {
// Splits "a,b,c" into its items; an empty item is kept so that the caller rejects it.
std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> items;
  std::string::size_type start = 0;
  while (true) {
    const auto comma = text.find(',', start);
    items.push_back(text.substr(start, comma - start));
    if (comma == std::string::npos) return items;
    start = comma + 1;
  }
}
}  // namespace

std::vector<std::uint64_t> parse_integer_list(const std::string& flag, const std::string& text, std::uint64_t low,
                                              std::uint64_t high) {
  std::vector<std::uint64_t> values;
  for (const std::string& item : split_commas(text)) {
    const std::uint64_t v = parse_integer(flag, item, low, high);
    if (std::find(values.begin(), values.end(), v) != values.end())
      throw UsageError("value " + item + " appears twice in --parbench_" + flag + "=" + text);
    values.push_back(v);
  }
  return values;
}

std::vector<std::string> parse_name_list(const std::string& flag, const std::string& text,
                                         const std::vector<std::string>& known) {
  std::vector<std::string> names;
  for (const std::string& item : split_commas(text)) {
    if (std::find(known.begin(), known.end(), item) == known.end()) {
      std::string list;
      for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
      throw UsageError("unknown value '" + item + "' for --parbench_" + flag + " (known: " + list + ")");
    }
    if (std::find(names.begin(), names.end(), item) != names.end())
      throw UsageError("value " + item + " appears twice in --parbench_" + flag + "=" + text);
    names.push_back(item);
  }
  return names;
}

Options take_options(int& argc, char** argv) {
  Options options;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value_of = [&](std::string_view flag) -> std::string {
      return std::string(arg.substr(flag.size() + 1));
    };
    if (arg.rfind("--parbench_workers=", 0) == 0) {
      options.workers = parse_worker_list(value_of("--parbench_workers"), kMaxAnyWorkers);
    } else if (arg.rfind("--parbench_size=", 0) == 0) {
      options.size = parse_size(value_of("--parbench_size"));
    } else if (arg == "--parbench_verify_only") {
      options.verify_only = true;
    } else if (arg.rfind("--parbench_", 0) == 0 && arg.find('=') != std::string_view::npos &&
               arg.find('=') > std::string_view("--parbench_").size()) {
      // A workload's own option; main checks the name once the workload has declared its options.
      const auto eq = arg.find('=');
      const std::string name(arg.substr(std::string_view("--parbench_").size(), eq - std::string_view("--parbench_").size()));
      for (const auto& [seen, _] : options.workload_flags)
        if (seen == name) throw UsageError("flag '--parbench_" + name + "' given twice");
      options.workload_flags.emplace_back(name, std::string(arg.substr(eq + 1)));
    } else if (arg.rfind("--parbench", 0) == 0) {
      throw UsageError("unknown flag '" + std::string(arg) + "' (known: " + std::string(kCommonFlags) + ")");
    } else {
      check_benchmark_flag(arg);
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  argv[argc] = nullptr;
  return options;
}

}  // namespace parbench
