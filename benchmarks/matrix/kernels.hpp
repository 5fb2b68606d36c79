// The matrix kernels, written once and called by every CPU model, so that a model file holds only how its workers
// start, split, wake and join. Compiled once into the matrix_kernels library with the placement flags
// (-falign-functions=64 -falign-loops=64); noipa keeps each kernel one real function with one shape.
//
// STREAM: BabelStream's loops over a worker's index range [begin, end). Plain stores, no non-temporal hints
// (BabelStream's default): the destination's lines are read for ownership and written back, and only the
// BabelStream count (arrays read + arrays written) is reported. The loops vectorise with -march=native (AVX-512
// here) and are checked with objdump (docs/matrix.md); copy is kept a loop, not a memcpy call (see kernels.cpp).
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "matrix/matrix.hpp"
#include "parbench/gemm/gemm.hpp"

namespace parbench::matrix {

[[gnu::noipa]] void stream_copy(const double* __restrict a, double* __restrict c, std::uint64_t begin,
                                std::uint64_t end);
[[gnu::noipa]] void stream_scale(double* __restrict b, const double* __restrict c, double scalar,
                                 std::uint64_t begin, std::uint64_t end);
[[gnu::noipa]] void stream_add(const double* __restrict a, const double* __restrict b, double* __restrict c,
                               std::uint64_t begin, std::uint64_t end);
[[gnu::noipa]] void stream_triad(double* __restrict a, const double* __restrict b, const double* __restrict c,
                                 double scalar, std::uint64_t begin, std::uint64_t end);
[[gnu::noipa]] double stream_dot(const double* __restrict a, const double* __restrict b, std::uint64_t begin,
                                 std::uint64_t end);
// Writes the start values (kStartA, kStartB, kStartC) into [begin, end): the first touch of a worker's part.
[[gnu::noipa]] void stream_initialize(const StreamArrays& arrays, std::uint64_t begin, std::uint64_t end);

// Worker w's part of `elements` split among `workers`: contiguous, the first (elements % workers) parts one longer.
struct Range {
  std::uint64_t begin = 0, end = 0;
};
constexpr Range range_of(std::uint64_t elements, int workers, int w) {
  const auto p = static_cast<std::uint64_t>(workers);
  const auto i = static_cast<std::uint64_t>(w);
  const std::uint64_t base = elements / p, extra = elements % p;
  const std::uint64_t begin = i * base + std::min(i, extra);
  return {begin, begin + base + (i < extra ? 1 : 0)};
}

// Kernel k over [begin, end) of `arrays`; dot's partial sum, else 0.
double run_stream_kernel(StreamKernel k, const StreamArrays& arrays, std::uint64_t begin, std::uint64_t end);

// ---- GEMM -----------------------------------------------------------------------------------------------------
// Every CPU model splits C the same way: `workers` blocks on a rows × cols grid (grid_of), worker w computing
// block w (tile_of) with the variant's kernel (run_gemm_tile); only how the workers start, wake and join differs.

// A rows × cols grid of `workers` blocks, as square as the factors allow (rows >= cols; a prime count is p × 1).
struct Grid {
  int rows = 1, cols = 1;
};
constexpr Grid grid_of(int workers) {
  int cols = 1;
  for (int c = 1; c * c <= workers; ++c)
    if (workers % c == 0) cols = c;
  return {workers / cols, cols};
}
// Worker w's block of an n×n C on `grid`: block row w / cols, block column w % cols, each range_of the n rows or
// columns, so the blocks cover C exactly once.
constexpr gemm::Tile tile_of(std::uint64_t n, Grid grid, int w) {
  const Range rows = range_of(n, grid.rows, w / grid.cols), cols = range_of(n, grid.cols, w % grid.cols);
  return {rows.begin, rows.end, cols.begin, cols.end};
}

// One workspace per worker, made once per case (the packing buffers, never allocated inside a round).
std::vector<gemm::Workspace<double>> make_workspaces(int workers);

// Worker w's part of one round on a shared-memory model: its block of C on the grid of `workers`.
void gemm_worker_round(GemmVariant v, const GemmMatrices& m, int workers, int w, gemm::Workspace<double>& workspace);

// The textbook product on a block of C: i-j-k with a scalar accumulator (what a student writes first; the k loop
// strides down a column of B and is a dependent chain of adds, so it neither vectorises nor reuses cache).
// a, b, c are n×n row-major (lda = ldb = ldc = n).
[[gnu::noipa]] void gemm_naive_block(std::uint64_t n, const double* __restrict a, const double* __restrict b,
                                     double* __restrict c, const gemm::Tile& tile);

// Block `tile` of C = A·B with variant v's kernel: gemm (the shared kernel, with this worker's workspace) or
// gemm_naive. a, b: n×n row-major; c: n×n row-major, or with ldc = the rows' length for a block stored alone.
void run_gemm_tile(GemmVariant v, std::uint64_t n, const double* a, const double* b, double* c,
                   const gemm::Tile& tile, gemm::Workspace<double>& workspace);
// The same on the rows [0, rows) of a row block: a is rows×n, c is rows×n, b is n×n (MPI's row blocks).
void run_gemm_rows(GemmVariant v, std::uint64_t n, std::uint64_t rows, const double* a, const double* b, double* c,
                   gemm::Workspace<double>& workspace);

// The inputs: small integers in [-4, 4] from a hash of (matrix, i, j), so every product and partial sum is an
// integer below 2^53 and exact in FP64 whatever the summation order: a correct kernel matches the reference
// exactly, and one wrong term is a difference of at least 1.
double gemm_input(int matrix, std::uint64_t i, std::uint64_t j);

// The reference product, computed once per case, untimed: OpenBLAS's cblas_dgemm on one thread where the build
// found it (returns true), else nothing (returns false) and the driver checks sampled entries with exact dot
// products (gemm_reference_entry).
bool gemm_reference(std::uint64_t n, const double* a, const double* b, double* c);
bool have_openblas_reference();
double gemm_reference_entry(std::uint64_t n, const double* a, const double* b, std::uint64_t i, std::uint64_t j);

// ---- FP64 peak ------------------------------------------------------------------------------------------------
// Independent FMA chains on the widest vectors the build uses (AVX-512: 8 doubles, AVX/AVX2: 4, else SSE2: 2
// with a multiply and an add), enough chains to cover FMA latency × units (16 on AVX-512's 32 registers, 12 on
// AVX2's 16: latency 4 × 2 units = 8 needed). Returns a value that depends on every chain, so nothing is dropped.
int fma_vector_doubles();
int fma_chains();
const char* fma_instruction_set();
[[gnu::noipa]] double fma_chain_loop(std::uint64_t iterations);
// Floating-point operations one call of fma_chain_loop(iterations) performs (2 per FMA lane).
double fma_flops(std::uint64_t iterations);

}  // namespace parbench::matrix
