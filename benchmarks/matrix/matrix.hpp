// The matrix workload: memory bandwidth (STREAM, BabelStream's five kernels) and dense matrix multiply (GEMM,
// variants `gemm`, `gemm_naive`, MPI's `gemm_summa`, with their own parameter n), two parts side by side. A model file
// implements the part(s) it offers with its own idiom, calling the shared kernels (kernels.hpp); the driver
// (driver.cpp) sizes, times, verifies and reports for every model alike.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "parbench/cli.hpp"

namespace parbench::matrix {

// ---- The STREAM part ------------------------------------------------------------------------------------------

// BabelStream's kernels (its `mul` is called `scale` here, as the issue names it).
enum class StreamKernel {
  copy,   // c = a
  scale,  // b = scalar * c
  add,    // c = a + b
  triad,  // a = b + scalar * c
  dot,    // sum(a * b)
};

std::string_view name_of(StreamKernel k);

// Bytes moved per element, counted the way BabelStream counts them: arrays read plus arrays written, 8 bytes each
// (no write-allocate read of the destination is counted).
constexpr double bytes_per_element(StreamKernel k) {
  return k == StreamKernel::add || k == StreamKernel::triad ? 3 * sizeof(double) : 2 * sizeof(double);
}

inline const std::vector<StreamKernel> kAllStreamKernels = {StreamKernel::copy, StreamKernel::scale,
                                                            StreamKernel::add, StreamKernel::triad,
                                                            StreamKernel::dot};

// Start values and scalar. a, b and the scalar are BabelStream's; c starts at 0.05 instead of its 0.0 so that
// every kernel's result depends on every input it reads (with c = 0, scale would give 0 and triad would give b,
// so a kernel that ignored c would pass), and differs from the value its output array starts with.
inline constexpr double kStartA = 0.1, kStartB = 0.2, kStartC = 0.05, kScalar = 0.4;

// Three arrays of doubles (a, b, c), or the part of them this process holds (MPI: this rank's; CUDA: a host copy).
struct StreamArrays {
  double* a = nullptr;
  double* b = nullptr;
  double* c = nullptr;
  std::uint64_t elements = 0;  // per array, in this view
};

// What is timed is the same in every model: the workers exist and have first-touched their own parts of the
// arrays before the first round; a round wakes them, each runs the kernel over its own contiguous part (the same
// part it initialised), dot's partial sums are combined, and the round ends when every worker is done.
class StreamModel {
 public:
  virtual ~StreamModel() = default;
  // Untimed, once per case: every worker writes the start values into its own part (first touch, so pages land
  // on the NUMA node of the worker that will use them).
  virtual void initialize() = 0;
  // Timed: one pass of kernel k over the arrays by all workers. Returns dot's combined sum (the same on every
  // rank); 0 for the other kernels.
  virtual double run_round(StreamKernel k) = 0;
  // Untimed: how many workers took part in the last round (kNotTracked where the model cannot tell).
  virtual int participants() = 0;
  // Untimed: this process's part of the arrays, readable and writable by the driver (verification, poisoning).
  virtual StreamArrays local_arrays() = 0;
  // Untimed: the driver wrote into local_arrays(); a model whose arrays live elsewhere (GPU) copies them back.
  virtual void local_arrays_written() {}
  // Untimed: the global index of local_arrays()'s first element (MPI: the rank's offset; else 0).
  virtual std::uint64_t local_offset() { return 0; }
};

struct StreamPart {
  std::vector<StreamKernel> kernels;  // empty: the model offers no STREAM case
  // Builds the model for one case: `elements` per array in total, split among `workers`. May throw SkipCase.
  std::function<std::unique_ptr<StreamModel>(int workers, std::uint64_t elements)> make;
  // The cache the arrays must outgrow, when it is not the host's last-level cache (a GPU's L2), and how it was
  // found; 0: the host's, detected by the driver.
  std::uint64_t cache_bytes = 0;
  std::string cache_method;
  // Memory the arrays live in besides the host's (a GPU's free memory); 0: host memory only. The host's
  // MemAvailable is always checked (verification reads the arrays on the host).
  std::uint64_t device_memory_bytes = 0;
};

// ---- The GEMM part --------------------------------------------------------------------------------------------

// C = A·B on square n×n row-major FP64 matrices.
enum class GemmVariant {
  gemm,         // the shared serial kernel (parbench/gemm/gemm.hpp) on each worker's block of C
  gemm_naive,   // the textbook i-j-k loop (gemm_naive_block) on the same blocks
  gemm_summa,   // MPI only: SUMMA on a 2-D process grid
  gemm_cublas,  // CUDA only: cuBLAS dgemm, the GPU reference
};

std::string_view name_of(GemmVariant v);

// The matrices of one case as the driver sees them: A and B written once by the driver (untimed), C read after
// each round. Full n×n on the process that holds the result (MPI: rank 0; other ranks get nulls).
struct GemmMatrices {
  const double* a = nullptr;
  const double* b = nullptr;
  double* c = nullptr;
  std::uint64_t n = 0;
  double* writable_a() const { return const_cast<double*>(a); }
  double* writable_b() const { return const_cast<double*>(b); }
};

// What is timed is the same in every model: the workers exist and own their packing workspaces before the first
// round; a round wakes them, each computes its block of C = A·B (MPI: the distribution and collection of the
// blocks included), and ends when every worker is done and C is complete where the driver reads it.
class GemmModel {
 public:
  virtual ~GemmModel() = default;
  // Untimed, once per case: the driver wrote A and B into matrices(); a model that keeps them elsewhere copies.
  virtual void inputs_written() {}
  // Timed: one product C = A·B by all workers.
  virtual void run_round() = 0;
  // Untimed: how many workers took part in the last round (kNotTracked where the model cannot tell).
  virtual int participants() = 0;
  // Untimed: the driver's view (for writing the inputs, poisoning C before a round, reading C after it).
  virtual GemmMatrices matrices() = 0;
  // Untimed: the driver poisoned C before a round (a GPU model copies it over); after the round, C is brought
  // back where matrices() points (result_needed).
  virtual void output_poisoned() {}
  virtual void result_needed() {}
};

struct GemmPart {
  std::vector<GemmVariant> variants;  // empty: the model offers no GEMM case
  // Builds the model for one case of variant v. May throw SkipCase.
  // A model whose matrices also live elsewhere (a GPU) checks that memory itself and throws SkipCase.
  std::function<std::unique_ptr<GemmModel>(GemmVariant v, int workers, std::uint64_t n)> make;
};

// ---- The workload ---------------------------------------------------------------------------------------------

// What a model offers. Each part has its own variants and parameters.
struct ModelInfo {
  StreamPart stream;
  GemmPart gemm;
  std::vector<int> default_workers;  // empty: the main's default (1 and the core count)
  int max_workers = kMaxCpuWorkers;
  bool cpu_workers = true;           // workers are CPU threads or processes
  std::string unavailable;           // non-empty: no case can run here, and why
  std::vector<std::pair<std::string, std::string>> context;
};

// Defined by each model file.
ModelInfo model_info();

}  // namespace parbench::matrix
