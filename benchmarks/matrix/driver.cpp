// Registers, sizes, times and verifies the matrix cases for whichever model this executable is built with.
// Today: the STREAM part (BabelStream's kernels); the GEMM part registers beside it when it is built.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "matrix/kernels.hpp"
#include "matrix/matrix.hpp"
#include "matrix/stream_size.hpp"
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
        [sizing](const CaseContext& ctx) -> Params { return {{"elements", std::to_string(elements_of(ctx, *sizing))}}; });

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

}  // namespace
}  // namespace parbench::matrix

void parbench_register(parbench::Registry& registry) {
  using namespace parbench::matrix;
  auto info = std::make_shared<const ModelInfo>(model_info());
  register_stream(registry, info);
  registry.set_default_workers(info->default_workers);
  registry.set_max_workers(info->max_workers);
  registry.set_primary_metric("gb_per_s");
  registry.set_unavailable(info->unavailable);
  for (const auto& [key, value] : info->context) registry.add_context(key, value);
}
