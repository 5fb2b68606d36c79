// Compiled into the matrix_kernels library with -falign-functions=64 -falign-loops=64 (parbench_add_workload).
#include "matrix/kernels.hpp"

#if defined(__AVX__) || defined(__AVX512F__)
#include <immintrin.h>
#endif
#ifdef PARBENCH_HAVE_OPENBLAS
#include <cblas.h>
#endif

namespace parbench::matrix {

// GCC turns this loop into a call to memcpy (-ftree-loop-distribute-patterns), and glibc's memcpy switches to
// non-temporal stores above a size tied to the cache: the figure would then not be BabelStream's copy. The loop
// stays a loop.
[[gnu::optimize("no-tree-loop-distribute-patterns")]] void stream_copy(const double* __restrict a,
                                                                        double* __restrict c, std::uint64_t begin,
                                                                        std::uint64_t end) {
  for (std::uint64_t i = begin; i < end; ++i) c[i] = a[i];
}

void stream_scale(double* __restrict b, const double* __restrict c, double scalar, std::uint64_t begin,
                  std::uint64_t end) {
  for (std::uint64_t i = begin; i < end; ++i) b[i] = scalar * c[i];
}

void stream_add(const double* __restrict a, const double* __restrict b, double* __restrict c, std::uint64_t begin,
                std::uint64_t end) {
  for (std::uint64_t i = begin; i < end; ++i) c[i] = a[i] + b[i];
}

void stream_triad(double* __restrict a, const double* __restrict b, const double* __restrict c, double scalar,
                  std::uint64_t begin, std::uint64_t end) {
  for (std::uint64_t i = begin; i < end; ++i) a[i] = b[i] + scalar * c[i];
}

// The sum is reassociated into vector lanes only where the compiler is allowed to: without -ffast-math it is a
// sequential chain of adds (latency-bound in cache, still memory-bound on arrays 4x the LLC). The
// optimize attribute lets this one loop reassociate, as BabelStream's OpenMP reduction does.
[[gnu::optimize("associative-math", "no-signed-zeros", "no-trapping-math")]] double stream_dot(
    const double* __restrict a, const double* __restrict b, std::uint64_t begin, std::uint64_t end) {
  double sum = 0;
  for (std::uint64_t i = begin; i < end; ++i) sum += a[i] * b[i];
  return sum;
}

[[gnu::optimize("no-tree-loop-distribute-patterns")]] void stream_initialize(const StreamArrays& arrays,
                                                                              std::uint64_t begin,
                                                                              std::uint64_t end) {
  double* __restrict a = arrays.a;
  double* __restrict b = arrays.b;
  double* __restrict c = arrays.c;
  for (std::uint64_t i = begin; i < end; ++i) {
    a[i] = kStartA;
    b[i] = kStartB;
    c[i] = kStartC;
  }
}

double run_stream_kernel(StreamKernel k, const StreamArrays& arrays, std::uint64_t begin, std::uint64_t end) {
  switch (k) {
    case StreamKernel::copy: stream_copy(arrays.a, arrays.c, begin, end); return 0;
    case StreamKernel::scale: stream_scale(arrays.b, arrays.c, kScalar, begin, end); return 0;
    case StreamKernel::add: stream_add(arrays.a, arrays.b, arrays.c, begin, end); return 0;
    case StreamKernel::triad: stream_triad(arrays.a, arrays.b, arrays.c, kScalar, begin, end); return 0;
    case StreamKernel::dot: return stream_dot(arrays.a, arrays.b, begin, end);
  }
  return 0;
}

// ---- GEMM -----------------------------------------------------------------------------------------------------

void gemm_naive_block(std::uint64_t n, const double* __restrict a, const double* __restrict b, double* __restrict c,
                      const gemm::Tile& tile) {
  for (std::uint64_t i = tile.row_begin; i < tile.row_end; ++i)
    for (std::uint64_t j = tile.col_begin; j < tile.col_end; ++j) {
      double sum = 0;
      for (std::uint64_t k = 0; k < n; ++k) sum += a[i * n + k] * b[k * n + j];
      c[i * n + j] = sum;
    }
}

void run_gemm_tile(GemmVariant v, std::uint64_t n, const double* a, const double* b, double* c,
                   const gemm::Tile& tile, gemm::Workspace<double>& workspace) {
  if (v == GemmVariant::gemm_naive) {
    gemm_naive_block(n, a, b, c, tile);
    return;
  }
  gemm::Operands<double> op;
  op.m = op.n = op.k = n;
  op.a = a;
  op.b = b;
  op.c = c;
  op.lda = op.ldb = op.ldc = n;
  op.alpha = 1;
  op.beta = 0;
  gemm::gemm_block(op, tile, workspace);
}

void run_gemm_rows(GemmVariant v, std::uint64_t n, std::uint64_t rows, const double* a, const double* b, double* c,
                   gemm::Workspace<double>& workspace) {
  if (v == GemmVariant::gemm_naive) {
    // The row block is rows×n with the same row length as the full matrix: the same loop on rows [0, rows).
    gemm_naive_block(n, a, b, c, {0, rows, 0, n});
    return;
  }
  gemm::Operands<double> op;
  op.m = rows;
  op.n = op.k = n;
  op.a = a;
  op.b = b;
  op.c = c;
  op.lda = op.ldb = op.ldc = n;
  gemm::gemm_block(op, {0, rows, 0, n}, workspace);
}

std::vector<gemm::Workspace<double>> make_workspaces(int workers) {
  std::vector<gemm::Workspace<double>> workspaces;
  workspaces.reserve(static_cast<std::size_t>(workers));
  for (int w = 0; w < workers; ++w) workspaces.emplace_back();
  return workspaces;
}

void gemm_worker_round(GemmVariant v, const GemmMatrices& m, int workers, int w, gemm::Workspace<double>& workspace) {
  run_gemm_tile(v, m.n, m.a, m.b, m.c, tile_of(m.n, grid_of(workers), w), workspace);
}

double gemm_input(int matrix, std::uint64_t i, std::uint64_t j) {
  std::uint64_t h = (i * 0x9E3779B97F4A7C15ull) ^ (j * 0xC2B2AE3D27D4EB4Full) ^ (static_cast<std::uint64_t>(matrix) << 61);
  h ^= h >> 29;
  h *= 0xBF58476D1CE4E5B9ull;
  h ^= h >> 32;
  return static_cast<double>(static_cast<int>(h % 9) - 4);
}

bool have_openblas_reference() {
#ifdef PARBENCH_HAVE_OPENBLAS
  return true;
#else
  return false;
#endif
}

bool gemm_reference(std::uint64_t n, const double* a, const double* b, double* c) {
#ifdef PARBENCH_HAVE_OPENBLAS
  const int threads = openblas_get_num_threads();
  openblas_set_num_threads(1);  // the reference runs beside the model's idle workers: one thread, untimed
  const auto dim = static_cast<blasint>(n);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, dim, dim, dim, 1.0, a, dim, b, dim, 0.0, c, dim);
  openblas_set_num_threads(threads);
  return true;
#else
  (void)n, (void)a, (void)b, (void)c;
  return false;
#endif
}

double gemm_reference_entry(std::uint64_t n, const double* a, const double* b, std::uint64_t i, std::uint64_t j) {
  double sum = 0;
  for (std::uint64_t k = 0; k < n; ++k) sum += a[i * n + k] * b[k * n + j];
  return sum;
}

// ---- FP64 peak ------------------------------------------------------------------------------------------------

#if defined(__AVX512F__)
using FmaVector = __m512d;
constexpr int kFmaDoubles = 8, kFmaChains = 16;
const char* fma_instruction_set() { return "avx512 (vfmadd231pd zmm)"; }
inline FmaVector fma_step(FmaVector acc, FmaVector x, FmaVector y) { return _mm512_fmadd_pd(acc, x, y); }
inline FmaVector fma_splat(double v) { return _mm512_set1_pd(v); }
inline double fma_sum(FmaVector v) {  // a store, not _mm512_reduce_add_pd (GCC 12 warns inside that intrinsic)
  alignas(64) double lanes[8];
  _mm512_store_pd(lanes, v);
  double sum = 0;
  for (double lane : lanes) sum += lane;
  return sum;
}
#elif defined(__AVX2__) && defined(__FMA__)
using FmaVector = __m256d;
constexpr int kFmaDoubles = 4, kFmaChains = 12;
const char* fma_instruction_set() { return "avx2 (vfmadd231pd ymm)"; }
inline FmaVector fma_step(FmaVector acc, FmaVector x, FmaVector y) { return _mm256_fmadd_pd(acc, x, y); }
inline FmaVector fma_splat(double v) { return _mm256_set1_pd(v); }
inline double fma_sum(FmaVector v) {
  alignas(32) double lanes[4];
  _mm256_store_pd(lanes, v);
  return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}
#else
typedef double FmaVector __attribute__((vector_size(16)));
constexpr int kFmaDoubles = 2, kFmaChains = 8;
const char* fma_instruction_set() { return "portable (2-double vectors, multiply and add)"; }
inline FmaVector fma_step(FmaVector acc, FmaVector x, FmaVector y) { return acc * x + y; }
inline FmaVector fma_splat(double v) { return FmaVector{v, v}; }
inline double fma_sum(FmaVector v) { return v[0] + v[1]; }
#endif

int fma_vector_doubles() { return kFmaDoubles; }
int fma_chains() { return kFmaChains; }
double fma_flops(std::uint64_t iterations) {
  return 2.0 * kFmaDoubles * kFmaChains * static_cast<double>(iterations);
}

// acc = acc·x + y converges to y / (1 − x) without overflow or denormals; the chains are independent, so the loop
// runs at the FMA units' throughput when kFmaChains ≥ latency × units.
double fma_chain_loop(std::uint64_t iterations) {
  FmaVector acc[kFmaChains];
  for (int c = 0; c < kFmaChains; ++c) acc[c] = fma_splat(1.0 + c * 1e-3);
  const FmaVector x = fma_splat(0.999999), y = fma_splat(1e-6);
  for (std::uint64_t it = 0; it < iterations; ++it)
    for (int c = 0; c < kFmaChains; ++c) acc[c] = fma_step(acc[c], x, y);
  double sum = 0;
  for (int c = 0; c < kFmaChains; ++c) sum += fma_sum(acc[c]);
  return sum;
}

}  // namespace parbench::matrix
