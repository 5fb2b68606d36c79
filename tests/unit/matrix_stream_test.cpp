// The STREAM part's sizing (last-level cache detection and its fallback, the array-size rule, the memory check),
// the split of the arrays among workers, and the kernels' results.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "matrix/kernels.hpp"
#include "matrix/stream_size.hpp"

namespace parbench::matrix {
namespace {

namespace fs = std::filesystem;

// A fake /sys/devices/system/cpu tree, removed at the end of the test.
class FakeSysfs {
 public:
  FakeSysfs() : root_(fs::temp_directory_path() / ("matrix_sysfs_" + std::to_string(::getpid()) + "_" +
                                                   std::to_string(counter_++))) {
    fs::create_directories(root_);
  }
  ~FakeSysfs() { fs::remove_all(root_); }
  void cache(int cpu, int index, int level, const std::string& type, const std::string& size,
             const std::string& shared) {
    const fs::path dir = root_ / ("cpu" + std::to_string(cpu)) / "cache" / ("index" + std::to_string(index));
    fs::create_directories(dir);
    write(dir / "level", std::to_string(level));
    write(dir / "type", type);
    write(dir / "size", size);
    write(dir / "shared_cpu_list", shared);
  }
  void cpu_without_caches(int cpu) { fs::create_directories(root_ / ("cpu" + std::to_string(cpu))); }
  std::string root() const { return root_.string(); }

 private:
  static void write(const fs::path& path, const std::string& text) { std::ofstream(path) << text << "\n"; }
  static inline int counter_ = 0;
  fs::path root_;
};

TEST(MatrixStreamSize, ParsesSysfsCacheSizes) {
  EXPECT_EQ(parse_cache_size("48K"), 48u << 10);
  EXPECT_EQ(parse_cache_size("107520K"), 107520ull << 10);
  EXPECT_EQ(parse_cache_size("32M"), 32ull << 20);
  EXPECT_EQ(parse_cache_size("512"), 512u);
  EXPECT_EQ(parse_cache_size(""), 0u);
  EXPECT_EQ(parse_cache_size("K"), 0u);
}

TEST(MatrixStreamSize, DetectsTheHighestDataCacheLevel) {
  FakeSysfs sys;
  for (int cpu = 0; cpu < 2; ++cpu) {
    sys.cache(cpu, 0, 1, "Data", "48K", std::to_string(cpu));
    sys.cache(cpu, 1, 1, "Instruction", "32K", std::to_string(cpu));
    sys.cache(cpu, 2, 2, "Unified", "2048K", std::to_string(cpu));
    sys.cache(cpu, 3, 3, "Unified", "107520K", "0-1");
  }
  const LastLevelCache llc = detect_llc(sys.root());
  EXPECT_EQ(llc.level, 3);
  EXPECT_EQ(llc.instances, 1);  // one L3 shared by both CPUs: counted once
  EXPECT_EQ(llc.bytes, 107520ull << 10);
  EXPECT_NE(llc.method.find("sysfs"), std::string::npos);
}

TEST(MatrixStreamSize, CountsEveryInstanceOfTheLastLevel) {
  FakeSysfs sys;  // two sockets (or CCXs), one L3 each; an instruction cache listed last is not a data cache
  for (int cpu = 0; cpu < 4; ++cpu) {
    sys.cache(cpu, 0, 2, "Unified", "1024K", std::to_string(cpu));
    sys.cache(cpu, 1, 3, "Unified", "32M", cpu < 2 ? "0-1" : "2-3");
    sys.cache(cpu, 2, 4, "Instruction", "64M", "0-3");
  }
  const LastLevelCache llc = detect_llc(sys.root());
  EXPECT_EQ(llc.level, 3);
  EXPECT_EQ(llc.instances, 2);
  EXPECT_EQ(llc.bytes, 64ull << 20);
}

TEST(MatrixStreamSize, FallsBackWhenSysfsHasNoCaches) {
  FakeSysfs sys;
  sys.cpu_without_caches(0);
  const LastLevelCache empty = detect_llc(sys.root());
  EXPECT_EQ(empty.level, 0);
  EXPECT_EQ(empty.bytes, kFallbackLlcBytes);
  EXPECT_NE(empty.method.find("assumed"), std::string::npos);

  const LastLevelCache missing = detect_llc(sys.root() + "/no/such/dir");
  EXPECT_EQ(missing.bytes, kFallbackLlcBytes);
  EXPECT_NE(missing.method.find("assumed"), std::string::npos);
}

TEST(MatrixStreamSize, ArraysAreAtLeastFourTimesTheCacheInWholeMiElements) {
  for (std::uint64_t llc : {1ull, 8ull << 20, 107520ull << 10, 105ull << 20, 256ull << 20, 3ull << 30}) {
    const std::uint64_t elements = default_stream_elements(llc);
    EXPECT_GE(elements * sizeof(double), kLlcMultiple * llc) << llc;
    EXPECT_EQ(elements % kElementRounding, 0u) << llc;
    EXPECT_LT((elements - kElementRounding) * sizeof(double), kLlcMultiple * llc) << "not the smallest: " << llc;
  }
  EXPECT_EQ(default_stream_elements(105ull << 20), 53ull << 20);  // this VM: 105 MiB L3 -> 420 MiB per array
}

TEST(MatrixStreamSize, RefusesArraysThatDoNotFit) {
  const std::uint64_t gib = 1ull << 30;
  EXPECT_EQ(stream_fit_problem(1000, gib), "");
  EXPECT_EQ(stream_fit_problem(gib / 24, gib), "");  // exactly three arrays' worth
  const std::string too_big = stream_fit_problem(gib / 24 + 1, gib);
  EXPECT_NE(too_big.find("MemAvailable"), std::string::npos) << too_big;
  const std::string overflow = stream_fit_problem(UINT64_MAX / 8, gib);
  EXPECT_NE(overflow.find("2^64"), std::string::npos) << overflow;
  EXPECT_EQ(stream_fit_problem(UINT64_MAX, 0), "");  // unknown memory: not checked
}

TEST(MatrixStreamSize, ReadsMemAvailable) {
  const fs::path file = fs::temp_directory_path() / ("matrix_meminfo_" + std::to_string(::getpid()));
  std::ofstream(file) << "MemTotal:       24682416 kB\nMemFree:  100 kB\nMemAvailable:   23676104 kB\n";
  EXPECT_EQ(available_memory(file.string()), 23676104ull << 10);
  fs::remove(file);
  EXPECT_EQ(available_memory(file.string()), 0u);
}

TEST(MatrixStreamSplit, PartsAreContiguousAndCoverTheArrays) {
  for (std::uint64_t elements : {0ull, 1ull, 2ull, 7ull, 1000ull, 1000003ull})
    for (int workers : {1, 2, 3, 7, 256}) {
      std::uint64_t next = 0, smallest = UINT64_MAX, largest = 0;
      for (int w = 0; w < workers; ++w) {
        const Range r = range_of(elements, workers, w);
        EXPECT_EQ(r.begin, next);
        next = r.end;
        smallest = std::min(smallest, r.end - r.begin);
        largest = std::max(largest, r.end - r.begin);
      }
      EXPECT_EQ(next, elements);
      EXPECT_LE(largest - smallest, 1u);
    }
}

TEST(MatrixStreamKernels, ComputeBabelStreamsDefinitionsOverTheirRangeOnly) {
  constexpr std::uint64_t n = 1001;
  std::vector<double> a(n, -1), b(n, -1), c(n, -1);
  const StreamArrays arrays{a.data(), b.data(), c.data(), n};
  stream_initialize(arrays, 1, n - 1);
  EXPECT_EQ(a[0], -1);  // outside the range: untouched
  EXPECT_EQ(c[n - 1], -1);
  stream_initialize(arrays, 0, n);
  EXPECT_EQ(a[500], kStartA);
  EXPECT_EQ(b[500], kStartB);
  EXPECT_EQ(c[500], kStartC);

  stream_copy(a.data(), c.data(), 0, n);
  EXPECT_EQ(c[n - 1], kStartA);
  stream_scale(b.data(), c.data(), 2.0, 3, n);
  EXPECT_EQ(b[2], kStartB);
  EXPECT_EQ(b[3], 2.0 * kStartA);
  stream_add(a.data(), b.data(), c.data(), 0, n);
  EXPECT_DOUBLE_EQ(c[10], kStartA + 2.0 * kStartA);
  stream_triad(a.data(), b.data(), c.data(), 0.5, 0, n);
  EXPECT_DOUBLE_EQ(a[10], 2.0 * kStartA + 0.5 * 3.0 * kStartA);
  std::vector<double> ones(n, 1.0), twos(n, 2.0);
  EXPECT_DOUBLE_EQ(stream_dot(ones.data(), twos.data(), 0, n), 2.0 * n);
  EXPECT_DOUBLE_EQ(stream_dot(ones.data(), twos.data(), 10, 20), 20.0);
  EXPECT_EQ(run_stream_kernel(StreamKernel::copy, arrays, 0, n), 0.0);
  EXPECT_EQ(c[7], a[7]);
}

}  // namespace
}  // namespace parbench::matrix
