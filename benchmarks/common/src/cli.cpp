#include "parbench/cli.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace parbench {

std::vector<int> parse_worker_list(const std::string& text, int max_workers) {
  std::vector<int> workers;
  std::string_view rest = text;
  while (true) {
    const auto comma = rest.find(',');
    const std::string item(rest.substr(0, comma));
    char* end = nullptr;
    errno = 0;
    const long n = std::strtol(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || errno != 0 || n < 1 || n > max_workers)
      throw UsageError("bad worker count '" + item + "' in '" + text + "' (want integers 1.." +
                       std::to_string(max_workers) + ", comma-separated)");
    workers.push_back(static_cast<int>(n));
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return workers;
}

std::uint64_t parse_size(const std::string& text) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long n = std::strtoull(text.c_str(), &end, 10);
  std::uint64_t scale = 1;
  const std::string suffix(end ? end : "");
  if (suffix == "k") scale = 1000;
  else if (suffix == "M") scale = 1000 * 1000;
  else if (suffix == "G") scale = 1000 * 1000 * 1000;
  else if (!suffix.empty()) throw UsageError("bad size '" + text + "' (want a positive integer, optional k/M/G)");
  if (text.empty() || text[0] == '-' || errno != 0 || n == 0 || n > UINT64_MAX / scale)
    throw UsageError("bad size '" + text + "' (want a positive integer, optional k/M/G)");
  return n * scale;
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
    } else if (arg.rfind("--parbench", 0) == 0) {
      throw UsageError("unknown flag '" + std::string(arg) +
                       "' (known: --parbench_workers=LIST, --parbench_size=N, --parbench_verify_only)");
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  argv[argc] = nullptr;
  return options;
}

}  // namespace parbench
