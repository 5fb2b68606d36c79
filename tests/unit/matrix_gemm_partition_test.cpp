// The matrix GEMM part's shared pieces: the 2-D grid of workers, the blocks of C it gives (every element exactly
// once, for awkward n and worker counts, more workers than rows included), the naive and shared kernels on a
// block against exact dot products, the inputs, and the FMA peak loop's bookkeeping.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "matrix/kernels.hpp"

namespace parbench::matrix {
namespace {

TEST(MatrixGemmGrid, IsTheMostSquareFactorisation) {
  EXPECT_EQ(grid_of(1).rows, 1);
  EXPECT_EQ(grid_of(1).cols, 1);
  EXPECT_EQ(grid_of(2).rows, 2);
  EXPECT_EQ(grid_of(2).cols, 1);
  EXPECT_EQ(grid_of(4).rows, 2);
  EXPECT_EQ(grid_of(4).cols, 2);
  EXPECT_EQ(grid_of(6).rows, 3);
  EXPECT_EQ(grid_of(6).cols, 2);
  EXPECT_EQ(grid_of(12).rows, 4);
  EXPECT_EQ(grid_of(12).cols, 3);
  EXPECT_EQ(grid_of(7).rows, 7);  // a prime: one column of blocks
  EXPECT_EQ(grid_of(7).cols, 1);
  for (int w = 1; w <= 256; ++w) {
    const Grid g = grid_of(w);
    ASSERT_EQ(g.rows * g.cols, w) << w;
    ASSERT_GE(g.rows, g.cols) << w;
    for (int c = g.cols + 1; c * c <= w; ++c) ASSERT_NE(w % c, 0) << w << ": " << c << " is a squarer factor";
  }
}

TEST(MatrixGemmGrid, BlocksCoverEveryElementOnce) {
  for (std::uint64_t n : {1u, 2u, 7u, 67u, 130u})
    for (int workers = 1; workers <= 12; ++workers) {
      const Grid grid = grid_of(workers);
      std::vector<int> owner(n * n, 0);
      for (int w = 0; w < workers; ++w) {
        const gemm::Tile t = tile_of(n, grid, w);
        ASSERT_LE(t.row_begin, t.row_end);
        ASSERT_LE(t.row_end, n);
        ASSERT_LE(t.col_begin, t.col_end);
        ASSERT_LE(t.col_end, n);
        for (std::uint64_t i = t.row_begin; i < t.row_end; ++i)
          for (std::uint64_t j = t.col_begin; j < t.col_end; ++j) ++owner[i * n + j];
      }
      for (std::uint64_t e = 0; e < n * n; ++e) ASSERT_EQ(owner[e], 1) << "n " << n << " workers " << workers << " element " << e;
    }
}

TEST(MatrixGemmGrid, BlocksAreBalanced) {
  // Block rows and columns differ by at most one row or column (range_of's split).
  const std::uint64_t n = 1000;
  for (int workers : {2, 3, 4, 6, 8}) {
    const Grid grid = grid_of(workers);
    std::uint64_t least = n * n, most = 0;
    for (int w = 0; w < workers; ++w) {
      const gemm::Tile t = tile_of(n, grid, w);
      const std::uint64_t size = (t.row_end - t.row_begin) * (t.col_end - t.col_begin);
      least = std::min(least, size);
      most = std::max(most, size);
    }
    EXPECT_LE(most - least, n / grid.rows + n / grid.cols + 1) << workers;
  }
}

class MatrixGemmKernels : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(MatrixGemmKernels, BothVariantsMatchExactDotProductsOnEveryBlock) {
  const std::uint64_t n = GetParam();
  std::vector<double> a(n * n), b(n * n);
  for (std::uint64_t i = 0; i < n; ++i)
    for (std::uint64_t j = 0; j < n; ++j) a[i * n + j] = gemm_input(0, i, j), b[i * n + j] = gemm_input(1, i, j);
  auto workspaces = make_workspaces(3);
  for (GemmVariant v : {GemmVariant::gemm, GemmVariant::gemm_naive}) {
    std::vector<double> c(n * n, std::numeric_limits<double>::quiet_NaN());
    const GemmMatrices m{a.data(), b.data(), c.data(), n};
    for (int w = 0; w < 3; ++w) gemm_worker_round(v, m, 3, w, workspaces[static_cast<std::size_t>(w)]);
    for (std::uint64_t i = 0; i < n; ++i)
      for (std::uint64_t j = 0; j < n; ++j)
        ASSERT_EQ(c[i * n + j], gemm_reference_entry(n, a.data(), b.data(), i, j)) << static_cast<int>(v) << " " << i << "," << j;
  }
}

TEST_P(MatrixGemmKernels, RowBlocksMatchTheFullProduct) {
  const std::uint64_t n = GetParam(), rows = (n + 1) / 2, first = n - rows;
  std::vector<double> a(n * n), b(n * n);
  for (std::uint64_t i = 0; i < n; ++i)
    for (std::uint64_t j = 0; j < n; ++j) a[i * n + j] = gemm_input(0, i, j), b[i * n + j] = gemm_input(1, i, j);
  gemm::Workspace<double> workspace;
  for (GemmVariant v : {GemmVariant::gemm, GemmVariant::gemm_naive}) {
    std::vector<double> c(rows * n, std::numeric_limits<double>::quiet_NaN());
    run_gemm_rows(v, n, rows, a.data() + first * n, b.data(), c.data(), workspace);
    for (std::uint64_t i = 0; i < rows; ++i)
      for (std::uint64_t j = 0; j < n; ++j)
        ASSERT_EQ(c[i * n + j], gemm_reference_entry(n, a.data(), b.data(), first + i, j)) << static_cast<int>(v);
  }
}

INSTANTIATE_TEST_SUITE_P(AwkwardSizes, MatrixGemmKernels, ::testing::Values(1u, 7u, 63u, 65u, 130u));

TEST(MatrixGemmInputs, AreSmallIntegersOfEveryValue) {
  std::vector<int> seen(9, 0);
  for (int matrix = 0; matrix < 2; ++matrix)
    for (std::uint64_t i = 0; i < 64; ++i)
      for (std::uint64_t j = 0; j < 64; ++j) {
        const double v = gemm_input(matrix, i, j);
        ASSERT_EQ(v, std::floor(v));
        ASSERT_GE(v, -4);
        ASSERT_LE(v, 4);
        ++seen[static_cast<int>(v) + 4];
      }
  for (int count : seen) EXPECT_GT(count, 64 * 64 * 2 / 9 / 2);  // roughly uniform, no value missing
  EXPECT_NE(gemm_input(0, 3, 5), gemm_input(1, 3, 5) + 100);    // A and B differ somewhere:
  int differing = 0;
  for (std::uint64_t i = 0; i < 16; ++i) differing += gemm_input(0, i, 1) != gemm_input(1, i, 1);
  EXPECT_GT(differing, 4);
}

TEST(MatrixGemmReference, OpenblasMatchesExactProductsWhereBuilt) {
  const std::uint64_t n = 65;
  std::vector<double> a(n * n), b(n * n), c(n * n, -1);
  for (std::uint64_t i = 0; i < n; ++i)
    for (std::uint64_t j = 0; j < n; ++j) a[i * n + j] = gemm_input(0, i, j), b[i * n + j] = gemm_input(1, i, j);
  if (!gemm_reference(n, a.data(), b.data(), c.data())) GTEST_SKIP() << "built without OpenBLAS";
  for (std::uint64_t i = 0; i < n; ++i)
    for (std::uint64_t j = 0; j < n; ++j) ASSERT_EQ(c[i * n + j], gemm_reference_entry(n, a.data(), b.data(), i, j));
}

TEST(MatrixPeak, FmaLoopCountsItsFlopsAndStaysFinite) {
  EXPECT_EQ(fma_flops(10), 2.0 * fma_vector_doubles() * fma_chains() * 10);
  EXPECT_GE(fma_chains(), 8);  // latency 4 × 2 units on the wide builds
  const double a = fma_chain_loop(1000), b = fma_chain_loop(2000);
  EXPECT_TRUE(std::isfinite(a));
  EXPECT_NE(a, b);  // the result depends on the iterations: the loop is not dropped or folded to a constant
}

}  // namespace
}  // namespace parbench::matrix
