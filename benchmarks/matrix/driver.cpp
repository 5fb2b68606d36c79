// Registers, sizes, times and verifies the matrix cases for whichever model this executable is built with: the
// STREAM part (BabelStream's kernels, gb_per_s) and the GEMM part (C = A·B, gflops), and measures the FP64 peak
// once at start-up for the JSON context.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <thread>

#include "matrix/kernels.hpp"
#include "matrix/matrix.hpp"
#include "matrix/stream_size.hpp"
#include "parbench/cpu_clock.hpp"
#include "parbench/registry.hpp"
#include "parbench/rounds.hpp"
#include "parbench/team.hpp"

namespace parbench::matrix {

std::string_view name_of(StreamKernel k) {
  switch (k) {
    case StreamKernel::copy: return "copy";
    case StreamKernel::scale: return "scale";
    case StreamKernel::add: return "add";
    case StreamKernel::triad: return "triad";
    case StreamKernel::dot: return "dot";
  }
  return "unknown";
}

std::string_view name_of(GemmVariant v) {
  switch (v) {
    case GemmVariant::gemm: return "gemm";
    case GemmVariant::gemm_naive: return "gemm_naive";
    case GemmVariant::gemm_summa: return "gemm_summa";
    case GemmVariant::gemm_cublas: return "gemm_cublas";
  }
  return "unknown";
}

namespace {

// ---- STREAM verification --------------------------------------------------------------------------------------

// Every array element is compared with its analytic value within this relative tolerance (triad may be
// contracted into one FMA, which rounds once instead of twice).
constexpr double kElementTolerance = 1e-12;
// dot's sum is compared with elements * a * b within this relative tolerance: the partial sums of different
// worker counts and vector lanes round differently (at most ~1e-9 relative on 10^8 elements), while one element
// missing or counted twice is 1/elements (above 1e-8 up to 10^8 elements; verify-only arrays are 2^18).
constexpr double kDotTolerance = 1e-8;
// Before each round, every kPoisonStride-th element (by global index, at a phase that moves every round) is
// marked: in the array the kernel writes it is set to NaN, so a round that did not write it fails even though the
// analytic values are the same every round; for dot, which writes nothing, a's element is set to a value that
// alternates between rounds (kDotMarks), so each round's sum differs from the last round's and a repeated old sum
// fails. Arrays shorter than the stride are marked at every round's phase all the same. The marks are sparse, so the arrays stay
// out of cache (rewriting a whole array would leave its last LLC's worth in cache and flatter the next round).
constexpr std::uint64_t kPoisonStride = 1021;
constexpr double kDotMarks[2] = {0.3, 0.7};

// The marked elements of one round: global indices g with g % stride == phase (stride: kPoisonStride, or the
// array length when shorter, so every round marks at least one element).
struct Marks {
  std::uint64_t stride = kPoisonStride;
  std::uint64_t phase = 0;
  double dot_mark = kDotMarks[0];

  static Marks of_round(std::uint64_t round, std::uint64_t elements) {
    Marks m;
    m.stride = std::max<std::uint64_t>(1, std::min(kPoisonStride, elements));
    m.phase = round % m.stride;
    m.dot_mark = kDotMarks[round % 2];
    return m;
  }
  // The first marked index of a part that starts at global index `offset`, as a local index.
  std::uint64_t first_local(std::uint64_t offset) const { return (phase + stride - offset % stride) % stride; }
  bool marked(std::uint64_t global) const { return global % stride == phase; }
  // Marked elements among the global indices [0, elements).
  std::uint64_t count(std::uint64_t elements) const {
    return elements > phase ? (elements - phase - 1) / stride + 1 : 0;
  }
};

struct Values {
  double a = kStartA, b = kStartB, c = kStartC;
};

// The arrays' values after one pass of k over the start values; each case runs one kernel only, and no kernel
// reads the array it writes, so every round ends in this state.
Values expected_after(StreamKernel k) {
  Values v;
  switch (k) {
    case StreamKernel::copy: v.c = kStartA; break;
    case StreamKernel::scale: v.b = kScalar * kStartC; break;
    case StreamKernel::add: v.c = kStartA + kStartB; break;
    case StreamKernel::triad: v.a = kStartB + kScalar * kStartC; break;
    case StreamKernel::dot: break;
  }
  return v;
}

// The array kernel k writes (null for dot).
double* output_of(StreamKernel k, const StreamArrays& arrays) {
  switch (k) {
    case StreamKernel::copy:
    case StreamKernel::add: return arrays.c;
    case StreamKernel::scale: return arrays.b;
    case StreamKernel::triad: return arrays.a;
    case StreamKernel::dot: return nullptr;
  }
  return nullptr;
}

bool close(double actual, double expected, double tolerance) {
  return std::fabs(actual - expected) <= tolerance * std::fabs(expected);  // false for NaN
}

std::string describe_element(char array, std::uint64_t index, double actual, double expected, StreamKernel k) {
  char text[200];
  std::snprintf(text, sizeof text, "%c[%llu] is %.17g, expected %.17g after %s", array,
                static_cast<unsigned long long>(index), actual, expected, std::string(name_of(k)).c_str());
  return text;
}

// Every element of this process's part of a, b and c against its analytic value (the arrays not written too: a
// kernel writing the wrong array is caught), and dot's sum against its analytic value with this round's marks.
Check check_stream(StreamKernel k, const StreamArrays& local, std::uint64_t offset, std::uint64_t elements,
                   const Marks& marks, double dot) {
  const Values v = expected_after(k);
  const struct {
    char name;
    const double* data;
    double expected;
    double at_marks;  // dot's marked input element
  } arrays[] = {{'a', local.a, v.a, k == StreamKernel::dot ? marks.dot_mark : v.a}, {'b', local.b, v.b, v.b},
                {'c', local.c, v.c, v.c}};
  for (const auto& array : arrays)
    for (std::uint64_t i = 0; i < local.elements; ++i)
      if (!close(array.data[i], array.expected, kElementTolerance)) {
        const bool mark = marks.marked(offset + i) && array.at_marks != array.expected;
        if (mark && close(array.data[i], array.at_marks, kElementTolerance)) continue;
        return describe_element(array.name, offset + i, array.data[i], mark ? array.at_marks : array.expected, k);
      }
  if (k == StreamKernel::dot) {
    const std::uint64_t marked = marks.count(elements);
    const double expected =
        static_cast<double>(elements - marked) * (kStartA * kStartB) + static_cast<double>(marked) * (marks.dot_mark * kStartB);
    if (!close(dot, expected, kDotTolerance)) {
      char text[200];
      std::snprintf(text, sizeof text, "dot is %.17g, expected %.17g (%llu elements, %llu of them marked)", dot,
                    expected, static_cast<unsigned long long>(elements), static_cast<unsigned long long>(marked));
      return std::string(text);
    }
  }
  return std::nullopt;
}

// ---- STREAM cases ---------------------------------------------------------------------------------------------

// Empty when three arrays of `elements` fit in the host's available memory and in the model's device memory.
std::string stream_fit_problem(std::uint64_t elements, const StreamPart& part) {
  std::string problem = matrix::stream_fit_problem(elements, available_memory());
  if (problem.empty() && part.device_memory_bytes != 0) {
    problem = matrix::stream_fit_problem(elements, part.device_memory_bytes);
    if (!problem.empty()) problem.replace(problem.find("(MemAvailable)"), 14, "(free device memory)");
  }
  return problem;
}

struct StreamSizing {
  LastLevelCache llc;
  std::uint64_t default_elements = 0;
};

std::uint64_t elements_of(const CaseContext& ctx, const StreamSizing& sizing) {
  return ctx.round_size(sizing.default_elements, kVerifyElements);
}

void run_stream_case(benchmark::State& state, const CaseContext& ctx, const ModelInfo& info,
                     const StreamSizing& sizing, StreamKernel kernel) {
  const std::uint64_t elements = elements_of(ctx, sizing);
  // The default size is not the user's input: when it does not fit here, the case is skipped with the reason.
  // (A --parbench_size that does not fit was refused before any case, with exit code 2.) MPI ranks agree on it,
  // so that no rank waits in a round the others skipped.
  const std::string problem = stream_fit_problem(elements, info.stream);
  if (!team().all(problem.empty())) {
    skip_case(state, problem.empty() ? "the arrays do not fit in another rank's available memory" : problem);
    return;
  }
  const std::unique_ptr<StreamModel> model =
      make_model(state, [&] { return info.stream.make(ctx.workers, elements); });
  if (!model) return;
  try {
    model->initialize();  // the workers' first touch of their own parts, before any round
  } catch (const std::exception& e) {
    fail_case(state, std::string("failed: initializing the arrays: ") + e.what());
    return;
  }

  std::uint64_t round = 0;
  Marks marks;
  double dot = std::numeric_limits<double>::quiet_NaN();
  Rounds rounds;
  rounds.workers = ctx.workers;
  rounds.ops_per_round = static_cast<double>(elements);
  // The cycles-per-operation floor is for dependent updates; a vector loop streams several elements per cycle
  // from cache (verify-only arrays), so it does not apply. The marks below prove each round did its work.
  rounds.cpu_ops = false;
  rounds.prepare = [&] {
    dot = std::numeric_limits<double>::quiet_NaN();
    const StreamArrays local = model->local_arrays();
    const std::uint64_t offset = model->local_offset();
    if (kernel == StreamKernel::dot && round > 0)  // last round's marks back to a's value
      for (std::uint64_t i = marks.first_local(offset); i < local.elements; i += marks.stride) local.a[i] = kStartA;
    marks = Marks::of_round(round, elements);
    double* marked = kernel == StreamKernel::dot ? local.a : output_of(kernel, local);
    const double mark = kernel == StreamKernel::dot ? marks.dot_mark : std::numeric_limits<double>::quiet_NaN();
    for (std::uint64_t i = marks.first_local(offset); i < local.elements; i += marks.stride) marked[i] = mark;
    model->local_arrays_written();
    ++round;
  };
  rounds.run = [&] { dot = model->run_round(kernel); };
  rounds.participants = [&] { return model->participants(); };
  rounds.verify = [&]() -> Check {
    return check_stream(kernel, model->local_arrays(), model->local_offset(), elements, marks, dot);
  };
  const RoundTotals totals = run_rounds(state, rounds);
  report_throughput(state, totals, static_cast<double>(elements));
  if (totals.ok && totals.rounds > 0 && totals.seconds > 0) {
    const double bytes = bytes_per_element(kernel) * static_cast<double>(elements) * static_cast<double>(totals.rounds);
    state.counters["bytes_per_second"] = bytes / totals.seconds;
    state.counters["gb_per_s"] = bytes / totals.seconds / 1e9;  // decimal GB, as BabelStream reports
    state.counters["bytes_per_element"] = bytes_per_element(kernel);
  }
}

void register_stream(Registry& registry, const std::shared_ptr<const ModelInfo>& info) {
  auto sizing = std::make_shared<StreamSizing>();
  if (info->stream.cache_bytes != 0) sizing->llc = {info->stream.cache_bytes, 0, 1, info->stream.cache_method};
  else sizing->llc = detect_llc();
  sizing->default_elements = default_stream_elements(sizing->llc.bytes);
  // A size the user asked for that cannot fit is bad input: one line, exit code 2, nothing allocated.
  if (registry.size() != 0)
    if (const std::string problem = stream_fit_problem(registry.size(), info->stream); !problem.empty())
      throw UsageError("--parbench_size=" + std::to_string(registry.size()) + ": " + problem);

  for (StreamKernel k : info->stream.kernels)
    registry.add(
        std::string(name_of(k)),
        [info, sizing, k](benchmark::State& state, const CaseContext& ctx) {
          run_stream_case(state, ctx, *info, *sizing, k);
        },
        [sizing](const CaseContext& ctx) -> Params { return {{"elements", std::to_string(elements_of(ctx, *sizing))}}; },
        "gb_per_s");

  registry.add_context("matrix_llc_bytes", std::to_string(sizing->llc.bytes));
  registry.add_context("matrix_llc_method", sizing->llc.method);
  registry.add_context("matrix_stream_default_elements", std::to_string(sizing->default_elements));
  registry.add_context("matrix_stream_rule", "elements per array >= " + std::to_string(kLlcMultiple) +
                                                 " x LLC / 8 bytes, rounded up to a multiple of " +
                                                 std::to_string(kElementRounding));
  char values[96];
  std::snprintf(values, sizeof values, "a=%g b=%g c=%g scalar=%g", kStartA, kStartB, kStartC, kScalar);
  registry.add_context("matrix_stream_start_values", values);
  registry.add_context("matrix_stream_stores", "plain stores (no non-temporal hints, as BabelStream's default)");
}


// ---- GEMM -----------------------------------------------------------------------------------------------------

constexpr std::uint64_t kMaxN = 1u << 20;  // n² doubles then still fit in 64-bit byte counts with room
const std::vector<std::uint64_t> kDefaultN = {256, 512, 1024, 2048};
// The naive loop strides down a column of B (one cache line and, at n >= 512, one page per term): measured here
// 0.12 GF/s at n = 1024 on one core, ~17 s a round; the default stops at 512 (~1 s a round) to keep runs modest.
constexpr std::uint64_t kDefaultNaiveMaxN = 512;
const std::vector<std::uint64_t> kVerifyN = {67, 130};  // odd sizes: partial tiles and panels everywhere
// Matrices of n×n doubles held at once, counted for the memory check: A, B, C, the reference product, and one
// more for MPI's row blocks and copies of B (a bound, not an exact count).
constexpr std::uint64_t kGemmMatrices = 5;
// Entries checked per round when no OpenBLAS reference exists (besides the first row and column and the diagonal).
constexpr std::uint64_t kSampledEntries = 4096;

// Empty when kGemmMatrices matrices of n×n doubles fit in `available` bytes (0: unknown, not checked).
std::string gemm_fit_problem(std::uint64_t n, std::uint64_t available) {
  const std::uint64_t bytes = kGemmMatrices * n * n * sizeof(double);  // n <= kMaxN: no overflow
  if (available == 0 || bytes <= available) return {};
  return "n=" + std::to_string(n) + " needs " + std::to_string(bytes >> 20) + " MiB for " +
         std::to_string(kGemmMatrices) + " matrices of " + std::to_string(n) + "x" + std::to_string(n) +
         " doubles, more than the " + std::to_string(available >> 20) + " MiB available (MemAvailable)";
}

// A correct product of the integer inputs is exact; the bound still scales with n as the classical dot-product
// error bound does (2(n+2)·eps·Σ|a·b|, with |a|,|b| <= 4), so a kernel with another legitimate summation order on
// non-integer inputs would pass it too. One wrong term (>= 1) exceeds it for every n up to kMaxN.
double gemm_tolerance(std::uint64_t n) {
  const double dn = static_cast<double>(n);
  return 2 * (dn + 2) * std::numeric_limits<double>::epsilon() * 16 * dn;
}

struct GemmReference {
  std::vector<double> full;  // n×n from OpenBLAS, or empty
  std::vector<std::pair<std::uint64_t, double>> sampled;  // (index, exact value) otherwise
};

GemmReference make_reference(std::uint64_t n, const GemmMatrices& m) {
  GemmReference ref;
  ref.full.resize(n * n);
  if (gemm_reference(n, m.a, m.b, ref.full.data())) return ref;
  ref.full.clear();
  ref.full.shrink_to_fit();
  auto add = [&](std::uint64_t i, std::uint64_t j) {
    ref.sampled.emplace_back(i * n + j, gemm_reference_entry(n, m.a, m.b, i, j));
  };
  for (std::uint64_t j = 0; j < n; ++j) add(0, j);
  for (std::uint64_t i = 1; i < n; ++i) add(i, 0), add(i, i);
  std::uint64_t h = 0x2545F4914F6CDD1Dull;
  for (std::uint64_t s = 0; s < kSampledEntries; ++s) {
    h ^= h << 13, h ^= h >> 7, h ^= h << 17;
    add((h >> 20) % n, (h >> 42) % n);
  }
  return ref;
}

Check check_gemm(std::uint64_t n, const double* c, const GemmReference& ref) {
  const double tolerance = gemm_tolerance(n);
  auto wrong = [&](std::uint64_t index, double expected) -> Check {
    char text[200];
    std::snprintf(text, sizeof text, "C[%llu][%llu] is %.17g, expected %.17g (tolerance %.3g)",
                  static_cast<unsigned long long>(index / n), static_cast<unsigned long long>(index % n), c[index],
                  expected, tolerance);
    return std::string(text);
  };
  if (!ref.full.empty()) {
    for (std::uint64_t i = 0; i < n * n; ++i)
      if (!(std::fabs(c[i] - ref.full[i]) <= tolerance)) return wrong(i, ref.full[i]);  // NaN fails
  } else {
    for (const auto& [index, expected] : ref.sampled)
      if (!(std::fabs(c[index] - expected) <= tolerance)) return wrong(index, expected);
  }
  return std::nullopt;
}

void run_gemm_case(benchmark::State& state, const CaseContext& ctx, const ModelInfo& info, GemmVariant variant,
                   std::uint64_t n) {
  // A default size that does not fit here is skipped with the reason (a --parbench_n that cannot fit was refused
  // before any case, exit code 2); MPI ranks agree, so that no rank waits in a round the others skipped.
  const std::string problem = gemm_fit_problem(n, available_memory());
  if (!team().all(problem.empty())) {
    skip_case(state, problem.empty() ? "the matrices do not fit in another rank's available memory" : problem);
    return;
  }
  const std::unique_ptr<GemmModel> model = make_model(state, [&] { return info.gemm.make(variant, ctx.workers, n); });
  if (!model) return;
  const GemmMatrices m = model->matrices();
  const bool holds_result = m.c != nullptr;  // MPI: rank 0 only
  GemmReference reference;
  if (holds_result) {
    for (std::uint64_t i = 0; i < n; ++i)
      for (std::uint64_t j = 0; j < n; ++j) {
        m.writable_a()[i * n + j] = gemm_input(0, i, j);
        m.writable_b()[i * n + j] = gemm_input(1, i, j);
      }
    reference = make_reference(n, m);  // once per case, untimed; every round's C is compared with it
  }
  try {
    model->inputs_written();
  } catch (const std::exception& e) {
    fail_case(state, std::string("failed: copying the inputs: ") + e.what());
    return;
  }

  Rounds rounds;
  rounds.workers = ctx.workers;
  const double flops = 2.0 * static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(n);
  rounds.ops_per_round = flops;
  rounds.cpu_ops = false;  // many flops per cycle: the per-op cycle floor does not apply; the check proves the work
  rounds.prepare = [&] {
    // C reset to NaN before every round: a block no worker wrote fails the check.
    if (holds_result) std::fill(m.c, m.c + n * n, std::numeric_limits<double>::quiet_NaN());
    model->output_poisoned();
  };
  rounds.run = [&] { model->run_round(); };
  rounds.participants = [&] { return model->participants(); };
  rounds.verify = [&]() -> Check {
    model->result_needed();
    if (!holds_result) return std::nullopt;
    return check_gemm(n, m.c, reference);
  };
  const RoundTotals totals = run_rounds(state, rounds);
  report_throughput(state, totals, flops);
  if (totals.ok && totals.rounds > 0 && totals.seconds > 0) {
    state.counters["gflops"] = flops * static_cast<double>(totals.rounds) / totals.seconds / 1e9;
    state.counters["flops_per_round"] = flops;
  }
}

void register_gemm(Registry& registry, const std::shared_ptr<const ModelInfo>& info) {
  if (info->gemm.variants.empty()) return;
  const std::string given = registry.option(
      "n", "", "GEMM matrix sizes n (square), comma-separated (default 256,512,1024,2048; gemm_naive up to 512)");
  std::vector<std::uint64_t> sizes = registry.verify_only() ? kVerifyN : kDefaultN;
  std::uint64_t naive_max = registry.verify_only() ? kMaxN : kDefaultNaiveMaxN;
  bool n_given = false;  // given empty is bad input, not the default
  for (const auto& [flag, value] : registry.given_options()) n_given = n_given || flag == "n";
  if (n_given) {
    sizes = parse_integer_list("n", given, 1, kMaxN);
    naive_max = kMaxN;  // the user's sizes are run as asked
    for (std::uint64_t n : sizes)
      if (const std::string problem = gemm_fit_problem(n, available_memory()); !problem.empty())
        throw UsageError("--parbench_n=" + given + ": " + problem);
  }
  for (GemmVariant v : info->gemm.variants)
    for (std::uint64_t n : sizes) {
      if (v == GemmVariant::gemm_naive && n > naive_max) continue;
      registry.add(
          std::string(name_of(v)),
          [info, v, n](benchmark::State& state, const CaseContext& ctx) { run_gemm_case(state, ctx, *info, v, n); },
          [n](const CaseContext&) -> Params { return {{"n", std::to_string(n)}}; }, "gflops");
    }
  registry.add_context("matrix_gemm_inputs", "integers in [-4, 4] from a hash of (matrix, i, j): exact products");
  registry.add_context("matrix_gemm_reference",
                       have_openblas_reference()
                           ? "OpenBLAS cblas_dgemm on 1 thread, once per case; every element compared every round"
                           : "exact dot products of the first row and column, the diagonal and " +
                                 std::to_string(kSampledEntries) + " hashed entries, every round");
  registry.add_context("matrix_gemm_naive_max_n", std::to_string(naive_max));
  for (const auto& [key, value] : gemm::default_blocking<double>().context()) registry.add_context(key, value);
}

// ---- FP64 peak ------------------------------------------------------------------------------------------------

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// GFLOP/s of fma_chain_loop on `threads` threads at once, each running `iterations`.
double measure_fma(int threads, std::uint64_t iterations) {
  std::vector<std::thread> team;
  const auto start = std::chrono::steady_clock::now();
  for (int t = 1; t < threads; ++t) team.emplace_back([iterations] { benchmark::DoNotOptimize(fma_chain_loop(iterations)); });
  benchmark::DoNotOptimize(fma_chain_loop(iterations));
  for (auto& thread : team) thread.join();
  const double seconds = seconds_since(start);
  return fma_flops(iterations) * threads / seconds / 1e9;
}

// The measured FP64 peak (one thread, then one per logical CPU) and the nominal one from the measured clock.
void measure_peak(Registry& registry) {
  if (team().rank() != 0) return;  // one measurement per run (the other ranks' context is not reported)
  const double target = registry.verify_only() ? 0.005 : 0.05;  // seconds per measurement
  // Calibrate: grow the iteration count until one call takes a tenth of the target (also the warm-up that lets a
  // VM's clock and the vector units' power state settle).
  std::uint64_t iterations = 1024;
  for (;;) {
    const auto start = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(fma_chain_loop(iterations));
    const double took = seconds_since(start);
    if (took >= target / 10 || iterations >= (1ull << 40)) {
      iterations = static_cast<std::uint64_t>(static_cast<double>(iterations) * target / std::max(took, 1e-9));
      break;
    }
    iterations *= 4;
  }
  const int cpus = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  const double one = measure_fma(1, iterations), all = measure_fma(cpus, iterations);
  // FMA units per core: 2 is assumed for AVX-512 and AVX2 (server AVX-512 parts from Skylake-SP Gold 6xxx on and
  // every AVX2 core since Haswell have two FMA pipes; some Xeon Silver/Bronze have one 512-bit unit); the portable
  // build's SSE2 loop issues a multiply and an add, counted as one unit of 2-double "FMA" pairs. The measured
  // figure is the one to trust: it is below the nominal one where a core has fewer units or fuses two 256-bit
  // halves for a 512-bit operation.
  const int units = 2;
  const double mhz = measured_cpu_clock().hz / 1e6;
  const double nominal = mhz * 1e6 * fma_vector_doubles() * 2 * units / 1e9;
  char text[64];
  std::snprintf(text, sizeof text, "%.2f", one);
  registry.add_context("peak_gflops_fp64_measured_1core", text);
  std::snprintf(text, sizeof text, "%.2f", all);
  registry.add_context("peak_gflops_fp64_measured_all", text);
  std::snprintf(text, sizeof text, "%.2f", nominal);
  registry.add_context("peak_gflops_fp64_nominal_1core", mhz > 0 ? text : "unknown");
  registry.add_context(
      "peak_method",
      std::string("measured: ") + std::to_string(fma_chains()) + " independent FMA chains of " +
          fma_instruction_set() + ", ~" + std::to_string(static_cast<int>(target * 1000)) + " ms on 1 thread and on " +
          std::to_string(cpus) + " threads (hardware_concurrency, unpinned), after a calibration run; nominal: "
          "parbench_cpu_mhz_measured x " + std::to_string(fma_vector_doubles()) + " doubles x 2 (FMA) x " +
          std::to_string(units) + " FMA units per core (assumed, not detected)");
}

}  // namespace
}  // namespace parbench::matrix

void parbench_register(parbench::Registry& registry) {
  using namespace parbench::matrix;
  auto info = std::make_shared<const ModelInfo>(model_info());
  if (!info->stream.kernels.empty()) register_stream(registry, info);
  register_gemm(registry, info);
  if (info->cpu_workers) measure_peak(registry);
  registry.set_default_workers(info->default_workers);
  registry.set_max_workers(info->max_workers);
  registry.set_primary_metric(info->stream.kernels.empty() ? "gflops" : "gb_per_s");  // openblas: GEMM only
  registry.set_unavailable(info->unavailable);
  for (const auto& [key, value] : info->context) registry.add_context(key, value);
}
