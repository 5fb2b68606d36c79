// How big the STREAM arrays are: at least four times the last-level cache (so that no array, and no worker's part
// of one, can stay in cache between rounds), and never more than the available memory holds. Header-only so that
// the unit tests can point the detection at a fake sysfs tree.
#pragma once
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace parbench::matrix {

// Assumed when sysfs tells nothing (a container without /sys/devices/system/cpu/*/cache): larger than the LLC of
// most single-socket x86 servers, so the arrays stay out of cache; recorded as assumed in the context.
inline constexpr std::uint64_t kFallbackLlcBytes = 128ull << 20;
// The array size rule: per array at least this many times the LLC, rounded up to whole Mi-elements.
inline constexpr std::uint64_t kLlcMultiple = 4;
inline constexpr std::uint64_t kElementRounding = 1ull << 20;
// Verify-only arrays: small (in cache), still thousands of elements per worker.
inline constexpr std::uint64_t kVerifyElements = 1ull << 18;

struct LastLevelCache {
  std::uint64_t bytes = 0;  // all instances together (e.g. one L3 per socket or per CCX, summed)
  int level = 0;            // 0: not detected
  int instances = 0;
  std::string method;
};

// "48K", "107520K", "32M" as sysfs writes cache sizes; 0 when unreadable.
inline std::uint64_t parse_cache_size(const std::string& text) {
  std::uint64_t value = 0;
  std::size_t i = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') value = value * 10 + std::uint64_t(text[i++] - '0');
  if (i == 0) return 0;
  if (i < text.size() && text[i] == 'K') value <<= 10;
  else if (i < text.size() && text[i] == 'M') value <<= 20;
  else if (i < text.size() && text[i] == 'G') value <<= 30;
  return value;
}

inline std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// The highest-level data or unified cache under `cpu_root` (normally /sys/devices/system/cpu), counted once per
// distinct instance (its shared_cpu_list) over cpu0..cpu(N-1): cpu0's L3 alone would undercount a machine with
// an L3 per socket or per CCX. Falls back to kFallbackLlcBytes when nothing is found.
inline LastLevelCache detect_llc(const std::string& cpu_root = "/sys/devices/system/cpu") {
  LastLevelCache llc;
  std::uint64_t size = 0;
  std::set<std::string> instances;
  for (int cpu = 0; cpu < 4096; ++cpu) {
    const std::string cache = cpu_root + "/cpu" + std::to_string(cpu) + "/cache/";
    if (!std::filesystem::exists(cpu_root + "/cpu" + std::to_string(cpu))) break;
    for (int index = 0; index < 16; ++index) {
      const std::string dir = cache + "index" + std::to_string(index) + "/";
      const std::string level_text = first_line(dir + "level");
      if (level_text.empty()) break;
      if (first_line(dir + "type") == "Instruction") continue;
      const int level = std::atoi(level_text.c_str());
      const std::uint64_t bytes = parse_cache_size(first_line(dir + "size"));
      if (bytes == 0 || level < llc.level) continue;
      if (level > llc.level) {
        llc.level = level;
        size = bytes;
        instances.clear();
      }
      std::string shared = first_line(dir + "shared_cpu_list");
      instances.insert(shared.empty() ? "cpu" + std::to_string(cpu) : shared);
    }
  }
  if (llc.level == 0) {
    llc.bytes = kFallbackLlcBytes;
    llc.method = "assumed " + std::to_string(kFallbackLlcBytes >> 20) + " MiB (no cache sizes under " + cpu_root + ")";
    return llc;
  }
  llc.instances = static_cast<int>(instances.size());
  llc.bytes = size * instances.size();
  llc.method = "sysfs " + cpu_root + ": L" + std::to_string(llc.level) + " " + std::to_string(size >> 10) +
               " KiB x " + std::to_string(instances.size()) + " instance(s)";
  return llc;
}

// Elements per array for a last-level cache of `llc_bytes`: kLlcMultiple times it in doubles, rounded up to whole
// kElementRounding (so the arrays can never be smaller than the rule).
constexpr std::uint64_t default_stream_elements(std::uint64_t llc_bytes) {
  const std::uint64_t at_least = (kLlcMultiple * llc_bytes + sizeof(double) - 1) / sizeof(double);
  return (at_least + kElementRounding - 1) / kElementRounding * kElementRounding;
}

// Bytes of the three arrays of `elements` doubles; false when that overflows 64 bits.
constexpr bool stream_bytes(std::uint64_t elements, std::uint64_t& bytes) {
  constexpr std::uint64_t per_element = 3 * sizeof(double);
  if (elements > UINT64_MAX / per_element) return false;
  bytes = elements * per_element;
  return true;
}

// MemAvailable from a meminfo file, in bytes; 0 when it cannot be read.
inline std::uint64_t available_memory(const std::string& meminfo = "/proc/meminfo") {
  std::ifstream in(meminfo);
  std::string key;
  std::uint64_t kib = 0;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    if (fields >> key >> kib && key == "MemAvailable:") return kib << 10;
  }
  return 0;
}

// Empty when three arrays of `elements` fit in `available` bytes (0: unknown, not checked), else why not.
inline std::string stream_fit_problem(std::uint64_t elements, std::uint64_t available) {
  std::uint64_t bytes = 0;
  const bool representable = stream_bytes(elements, bytes);
  if (available == 0 || (representable && bytes <= available)) return {};
  auto mib = [](std::uint64_t b) { return std::to_string(b >> 20) + " MiB"; };
  return "three arrays of " + std::to_string(elements) + " doubles need " +
         (representable ? mib(bytes) : std::string("more than 2^64 bytes")) + ", more than the " + mib(available) +
         " of memory available (MemAvailable)";
}

}  // namespace parbench::matrix
