// gemm_probe: a manual measuring program for the shared GEMM kernel (not a test: nothing here is asserted).
// Prints the blocking chosen and, for square n×n×n products, the median GFLOP/s of the kernel and of
// single-thread OpenBLAS, run alternately so that a noisy minute of the host falls on both, and checks that the
// two results agree.
//   build/tools/gemm_probe [--sizes=256,512,1024,1536,2048] [--reps=5] [--precision=fp64|fp32]
//                          [--kc=N --mc=N --nc=N] [--clock=wall|cpu]
#include <time.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "parbench/gemm/gemm.hpp"

#ifdef PARBENCH_HAVE_OPENBLAS
#include <cblas.h>
#endif

namespace {

struct Settings {
  std::vector<std::uint64_t> sizes{256, 512, 1024, 1536, 2048};
  std::uint64_t reps = 5;
  std::string precision = "fp64";
  std::uint64_t kc = 0, mc = 0, nc = 0;  // 0: the detected blocking's
  // wall: CLOCK_MONOTONIC. cpu: CLOCK_THREAD_CPUTIME_ID, the time this thread ran, which leaves out the slices
  // that other processes (or the hypervisor, where steal time is accounted) took from it on a shared machine.
  std::string clock = "wall";
};

double seconds(const std::string& clock) {
  timespec t;
  clock_gettime(clock == "cpu" ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC, &t);
  return double(t.tv_sec) + double(t.tv_nsec) * 1e-9;
}

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// An integer low..high, decimal digits only.
std::uint64_t parse_count(const std::string& flag, const std::string& text, std::uint64_t low, std::uint64_t high) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || text[0] == '+' || error != std::errc() || stop != end || value < low || value > high)
    throw UsageError("bad value '" + text + "' for " + flag + " (want an integer from " + std::to_string(low) +
                     " to " + std::to_string(high) + ")");
  return value;
}

std::string parse_choice(const std::string& flag, const std::string& text, const std::vector<std::string>& known) {
  if (std::find(known.begin(), known.end(), text) != known.end()) return text;
  std::string list;
  for (const auto& k : known) list += (list.empty() ? "" : "|") + k;
  throw UsageError("bad value '" + text + "' for " + flag + " (want " + list + ")");
}

Settings parse(int argc, char** argv) {
  Settings s;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const std::size_t eq = arg.find('=');
    const std::string flag = arg.substr(0, eq), value = eq == std::string::npos ? "" : arg.substr(eq + 1);
    if (flag == "--sizes") {
      s.sizes.clear();
      std::size_t start = 0;
      while (true) {
        const std::size_t comma = value.find(',', start);
        s.sizes.push_back(parse_count(flag, value.substr(start, comma - start), 1, 16384));
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    } else if (flag == "--reps") {
      s.reps = parse_count(flag, value, 1, 1000);
    } else if (flag == "--precision") {
      s.precision = parse_choice(flag, value, {"fp64", "fp32"});
    } else if (flag == "--clock") {
      s.clock = parse_choice(flag, value, {"wall", "cpu"});
    } else if (flag == "--kc") {
      s.kc = parse_count(flag, value, 1, 65536);
    } else if (flag == "--mc") {
      s.mc = parse_count(flag, value, 1, 65536);
    } else if (flag == "--nc") {
      s.nc = parse_count(flag, value, 1, 65536);
    } else {
      throw UsageError("unknown option '" + arg +
                       "' (known: --sizes=, --reps=, --precision=fp64|fp32, --kc=, --mc=, --nc=, --clock=wall|cpu)");
    }
  }
  return s;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#ifdef PARBENCH_HAVE_OPENBLAS
void reference(std::size_t n, const double* a, const double* b, double* c) {
  const int in = static_cast<int>(n);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, in, in, in, 1.0, a, in, b, in, 0.0, c, in);
}
void reference(std::size_t n, const float* a, const float* b, float* c) {
  const int in = static_cast<int>(n);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, in, in, in, 1.0f, a, in, b, in, 0.0f, c, in);
}
#endif

template <class T>
int probe(const Settings& s) {
  using namespace parbench::gemm;
  Blocking blocking = default_blocking<T>();
  if (s.kc || s.mc || s.nc)
    blocking = blocking.with_sizes(s.kc ? s.kc : blocking.kc, s.mc ? s.mc : blocking.mc, s.nc ? s.nc : blocking.nc);
  for (const auto& [key, value] : blocking.context()) std::printf("%-22s %s\n", key.c_str(), value.c_str());
#ifdef PARBENCH_HAVE_OPENBLAS
  openblas_set_num_threads(1);
  std::printf("%-22s %s, 1 thread (core %s)\n", "openblas", openblas_get_config(), openblas_get_corename());
#else
  std::printf("%-22s not built (no OpenBLAS with cblas.h found at configure time)\n", "openblas");
#endif
  // GF/s: median (and best) of the repetitions; ratio: the median of the per-repetition ratios, each from two
  // runs back to back, which a slow second of the host disturbs less than a ratio of the medians.
  std::printf("%-22s %s\n", "clock", s.clock == "cpu" ? "thread CPU time" : "wall (monotonic)");
  std::printf("\n%6s %22s %22s %8s %12s\n", "n", "parbench GF/s med/best", "openblas GF/s med/best", "ratio",
              "max rel diff");
  Workspace<T> workspace(blocking);
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<T> dist(-1, 1);
  int status = 0;
  for (const std::uint64_t n : s.sizes) {
    std::vector<T> a(n * n), b(n * n), c(n * n), c_ref(n * n, T(0));
    for (auto& x : a) x = dist(rng);
    for (auto& x : b) x = dist(rng);
    const Operands<T> op{n, n, n, T(1), a.data(), n, b.data(), n, T(0), c.data(), n};
    const double flops = 2.0 * double(n) * double(n) * double(n);
    std::vector<double> ours, theirs;
    for (std::uint64_t r = 0; r <= s.reps; ++r) {  // round 0 is a warm-up (first touch, page faults)
      double t0 = seconds(s.clock);
      gemm(op, workspace);
      double t1 = seconds(s.clock);
      if (r) ours.push_back(flops / (t1 - t0) * 1e-9);
#ifdef PARBENCH_HAVE_OPENBLAS
      t0 = seconds(s.clock);
      reference(n, a.data(), b.data(), c_ref.data());
      t1 = seconds(s.clock);
      if (r) theirs.push_back(flops / (t1 - t0) * 1e-9);
#endif
    }
    double worst = 0;
    std::string diff = "-";
#ifdef PARBENCH_HAVE_OPENBLAS
    // Entries are sums of n products of values in [-1, 1]: relative to sqrt(n), their typical magnitude.
    for (std::size_t i = 0; i < c.size(); ++i)
      worst = std::max(worst, double(std::abs(c[i] - c_ref[i])) / std::sqrt(double(n)));
    char text[32];
    std::snprintf(text, sizeof text, "%.1e", worst);
    diff = text;
    if (!(worst < (sizeof(T) == 8 ? 1e-12 : 1e-4))) status = 1;
#endif
    std::vector<double> ratios;
    for (std::size_t r = 0; r < theirs.size(); ++r) ratios.push_back(ours[r] / theirs[r]);
    const auto best = [](const std::vector<double>& v) { return v.empty() ? 0.0 : *std::max_element(v.begin(), v.end()); };
    std::printf("%6llu %13.2f / %6.2f %13.2f / %6.2f %8.3f %12s\n", static_cast<unsigned long long>(n), median(ours),
                best(ours), theirs.empty() ? 0.0 : median(theirs), best(theirs), ratios.empty() ? 0.0 : median(ratios),
                diff.c_str());
    std::fflush(stdout);
  }
  if (status) std::fprintf(stderr, "gemm_probe: the kernel's result differs from OpenBLAS's\n");
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Settings s = parse(argc, argv);
    return s.precision == "fp64" ? probe<double>(s) : probe<float>(s);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "gemm_probe: %s\n", e.what());
    return 2;
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "gemm_probe: %s\n", e.what());
    return 2;
  }
}
