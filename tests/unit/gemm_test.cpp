// The shared GEMM kernel against a naive triple loop, in FP64 and FP32: awkward sizes, edge panels, alpha/beta,
// tiles at odd offsets, leading dimensions above the row length, workers with their own workspaces, bad input.
// Compiled once per micro-kernel (tests/gemm.cmake): the one this build selects, and the fallbacks forced.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "parbench/gemm/gemm.hpp"

namespace {

using namespace parbench::gemm;

#if defined(PARBENCH_GEMM_EXPECTED_KERNEL)
constexpr const char* kExpectedKernel = PARBENCH_GEMM_EXPECTED_KERNEL;
#elif defined(__AVX512F__)
constexpr const char* kExpectedKernel = "avx512";
#elif defined(__AVX2__) && defined(__FMA__)
constexpr const char* kExpectedKernel = "avx2";
#else
constexpr const char* kExpectedKernel = "portable";
#endif

template <class T>
class Gemm : public ::testing::Test {
 protected:
  void SetUp() override {
#if defined(PARBENCH_GEMM_NEEDS_AVX2)
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) GTEST_SKIP() << "no AVX2+FMA here";
#endif
  }
};
using Precisions = ::testing::Types<double, float>;
TYPED_TEST_SUITE(Gemm, Precisions);

// Row-major matrices with leading dimensions; what lies past a row's length is a sentinel that must survive
// (C) or must never be read (A and B: NaN, which would poison any sum it entered).
template <class T>
struct Problem {
  std::size_t m, n, k, lda, ldb, ldc;
  T alpha, beta;
  std::vector<T> a, b, c, c_before;
  static constexpr T kSentinel = T(12345);

  Problem(std::size_t m_, std::size_t n_, std::size_t k_, T alpha_, T beta_, std::size_t pad = 0,
          unsigned seed = 1)
      : m(m_), n(n_), k(k_), lda(k_ + pad), ldb(n_ + pad), ldc(n_ + pad), alpha(alpha_), beta(beta_) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<T> dist(-1, 1);
    const T nan = std::numeric_limits<T>::quiet_NaN();
    a.assign(m * lda, nan);
    b.assign(k * ldb, nan);
    c.assign(m * ldc, kSentinel);
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t p = 0; p < k; ++p) a[i * lda + p] = dist(rng);
    for (std::size_t p = 0; p < k; ++p)
      for (std::size_t j = 0; j < n; ++j) b[p * ldb + j] = dist(rng);
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j) c[i * ldc + j] = beta == T(0) ? nan : dist(rng);  // beta 0: C unread
    c_before = c;
  }
  Operands<T> operands() { return {m, n, k, alpha, a.data(), lda, b.data(), ldb, beta, c.data(), ldc}; }

  // The naive triple loop in long double, and the bound of its rounding error: every computed element must lie
  // within 2(k+2)·eps·(|alpha|·Σ|a||b| + |beta||c|) of it (the classical dot-product bound, γ(k+2), with room).
  void expect_matches(const std::string& where) const {
    const long double eps = std::numeric_limits<T>::epsilon();
    std::size_t failures = 0;
    for (std::size_t i = 0; i < m; ++i) {
      for (std::size_t j = 0; j < ldc; ++j) {
        const T got = c[i * ldc + j];
        if (j >= n) {  // padding
          if (got != kSentinel && ++failures <= 5) ADD_FAILURE() << where << ": padding C(" << i << "," << j << ") written";
          continue;
        }
        long double sum = 0, magnitude = 0;
        for (std::size_t p = 0; p < k && alpha != T(0); ++p) {  // alpha = 0: A and B are not read, as in BLAS
          sum += (long double)a[i * lda + p] * b[p * ldb + j];
          magnitude += std::fabs((long double)a[i * lda + p] * b[p * ldb + j]);
        }
        const long double old = beta == T(0) ? 0 : c_before[i * ldc + j];
        const long double want = (long double)alpha * sum + (long double)beta * old;
        const long double bound = std::fabs((long double)alpha) * magnitude + std::fabs((long double)beta * old);
        const long double tolerance = 2 * (k + 2) * eps * bound + std::numeric_limits<T>::denorm_min();
        if (!(std::fabs(got - want) <= tolerance) && ++failures <= 5)
          ADD_FAILURE() << where << ": C(" << i << "," << j << ") = " << got << ", want " << (double)want
                        << " ± " << (double)tolerance;
      }
    }
    EXPECT_EQ(failures, 0u) << where;
  }
};

// A blocking small enough that every loop (jc, pc, ic, jr, ir) runs several times with partial panels at every
// level, on matrices of a few hundred elements.
template <class T>
Blocking tiny_blocking() {
  const Blocking& b = default_blocking<T>();
  return b.with_sizes(7, 2 * std::size_t(b.mr) + 1, 2 * std::size_t(b.nr) + 1);  // mc, nc rounded up to 3 tiles
}

template <class T>
void check_product(std::size_t m, std::size_t n, std::size_t k, T alpha, T beta, std::size_t pad,
                   const Blocking& blocking) {
  Problem<T> problem(m, n, k, alpha, beta, pad, unsigned(m * 7919 + n * 31 + k));
  Workspace<T> workspace(blocking);
  gemm(problem.operands(), workspace);
  problem.expect_matches("m=" + std::to_string(m) + " n=" + std::to_string(n) + " k=" + std::to_string(k) +
                         " alpha=" + std::to_string(alpha) + " beta=" + std::to_string(beta) + " pad=" +
                         std::to_string(pad) + " kc=" + std::to_string(blocking.kc));
}

TYPED_TEST(Gemm, TheBuildsMicroKernelIsTheOneTested) {
  const Blocking& blocking = default_blocking<TypeParam>();
  EXPECT_EQ(blocking.kernel, kExpectedKernel);
  EXPECT_EQ(blocking.precision, sizeof(TypeParam) == 8 ? "fp64" : "fp32");
}

TYPED_TEST(Gemm, SquareSizesAroundTheTileSizes) {
  for (std::size_t n : {1, 7, 63, 65, 257}) {
    check_product<TypeParam>(n, n, n, 1, 0, 0, default_blocking<TypeParam>());
    check_product<TypeParam>(n, n, n, 1, 0, 0, tiny_blocking<TypeParam>());
  }
}

TYPED_TEST(Gemm, NonSquareAndEdgePanels) {
  const Blocking& b = default_blocking<TypeParam>();
  const std::size_t mr = std::size_t(b.mr), nr = std::size_t(b.nr);
  const std::size_t shapes[][3] = {{3, 100, 1000}, {100, 3, 17},   {13, 50, 300},           {65, 257, 7},
                                   {1, 257, 63},   {257, 1, 65},   {mr + 1, nr - 1, b.kc + 1}, {mr * 3, nr * 2, b.kc},
                                   {2, 2, 1},      {mr - 1, nr + 1, 2 * b.kc - 1}};
  for (const auto& s : shapes) {
    check_product<TypeParam>(s[0], s[1], s[2], 1, 0, 0, b);
    check_product<TypeParam>(s[0], s[1], s[2], 1, 0, 0, tiny_blocking<TypeParam>());
  }
}

TYPED_TEST(Gemm, AlphaAndBeta) {
  const std::pair<TypeParam, TypeParam> scalars[] = {{2.5, -0.5}, {-1, 1}, {0.5, 0}, {1, 1}, {-3, 2}};
  for (const auto& [alpha, beta] : scalars) {
    check_product<TypeParam>(37, 29, 41, alpha, beta, 0, default_blocking<TypeParam>());
    check_product<TypeParam>(37, 29, 41, alpha, beta, 0, tiny_blocking<TypeParam>());
  }
}

TYPED_TEST(Gemm, AlphaZeroOrDepthZeroOnlyScalesC) {
  using T = TypeParam;
  // alpha = 0: A and B are not read (NaN there must not reach C).
  Problem<T> problem(9, 11, 5, 0, T(-2));
  std::fill(problem.a.begin(), problem.a.end(), std::numeric_limits<T>::quiet_NaN());
  Workspace<T> workspace;
  gemm(problem.operands(), workspace);
  problem.expect_matches("alpha=0");
  // k = 0: C = beta·C, with null A and B; beta = 0 zeroes C even where it held NaN.
  Problem<T> empty(9, 11, 0, 1, 0);
  Operands<T> op = empty.operands();
  op.a = nullptr;
  op.b = nullptr;
  gemm(op, workspace);
  empty.expect_matches("k=0");
}

TYPED_TEST(Gemm, LeadingDimensionsAboveTheRowLength) {
  for (std::size_t pad : {1, 5, 64}) {
    check_product<TypeParam>(33, 47, 70, 1.5, 0.5, pad, default_blocking<TypeParam>());
    check_product<TypeParam>(33, 47, 70, 1.5, 0, pad, tiny_blocking<TypeParam>());
  }
}

// What a parallel model does: C cut into tiles at odd offsets, each computed by its own call.
TYPED_TEST(Gemm, TilesAtOddOffsetsComposeTheProduct) {
  using T = TypeParam;
  for (const Blocking& blocking : {default_blocking<T>(), tiny_blocking<T>()}) {
    Problem<T> problem(71, 83, 45, T(1.25), T(-0.75), 3);
    Workspace<T> workspace(blocking);
    const std::size_t row_cuts[] = {0, 5, 37, 38, 71}, col_cuts[] = {0, 11, 29, 82, 83};
    for (std::size_t r = 0; r + 1 < std::size(row_cuts); ++r)
      for (std::size_t c = 0; c + 1 < std::size(col_cuts); ++c)
        gemm_block(problem.operands(), Tile{row_cuts[r], row_cuts[r + 1], col_cuts[c], col_cuts[c + 1]}, workspace);
    problem.expect_matches("tiles, kc=" + std::to_string(blocking.kc));
  }
}

TYPED_TEST(Gemm, ATileWritesNothingOutsideItself) {
  using T = TypeParam;
  Problem<T> problem(40, 50, 30, 1, 1);
  Workspace<T> workspace(tiny_blocking<T>());
  const Tile tile{7, 26, 13, 44};
  gemm_block(problem.operands(), tile, workspace);
  std::size_t outside_changed = 0;
  for (std::size_t i = 0; i < problem.m; ++i)
    for (std::size_t j = 0; j < problem.n; ++j) {
      const bool inside = i >= tile.row_begin && i < tile.row_end && j >= tile.col_begin && j < tile.col_end;
      const bool changed = problem.c[i * problem.ldc + j] != problem.c_before[i * problem.ldc + j];
      if (!inside && changed) ++outside_changed;
      if (inside) {
        EXPECT_TRUE(changed) << i << "," << j;  // random data: a computed element never stays put
      }
    }
  EXPECT_EQ(outside_changed, 0u);
  // Finishing the rest of C by tiles gives the product.
  gemm_block(problem.operands(), Tile{0, tile.row_begin, 0, problem.n}, workspace);
  gemm_block(problem.operands(), Tile{tile.row_end, problem.m, 0, problem.n}, workspace);
  gemm_block(problem.operands(), Tile{tile.row_begin, tile.row_end, 0, tile.col_begin}, workspace);
  gemm_block(problem.operands(), Tile{tile.row_begin, tile.row_end, tile.col_end, problem.n}, workspace);
  problem.expect_matches("tile then the rest");
}

TYPED_TEST(Gemm, WorkersWithTheirOwnWorkspacesOnDisjointTiles) {
  using T = TypeParam;
  Problem<T> problem(301, 157, 263, T(0.5), T(2));
  const Operands<T> op = problem.operands();
  std::vector<std::thread> workers;
  const std::size_t workers_count = 3;
  for (std::size_t w = 0; w < workers_count; ++w)
    workers.emplace_back([&, w] {
      Workspace<T> workspace;  // one per worker, allocated once
      const std::size_t begin = op.m * w / workers_count, end = op.m * (w + 1) / workers_count;
      gemm_block(op, Tile{begin, end, 0, op.n}, workspace);
    });
  for (auto& t : workers) t.join();
  problem.expect_matches("3 workers");
}

// The comparison itself must not be lax: one element off by twice its rounding-error bound fails it.
TYPED_TEST(Gemm, TheCheckCatchesOneWrongElement) {
  using T = TypeParam;
  Problem<T> problem(20, 30, 40, 1, 0);
  Workspace<T> workspace;
  gemm(problem.operands(), workspace);
  const std::size_t row = 7, col = 11;
  T magnitude = 0;
  for (std::size_t p = 0; p < problem.k; ++p)
    magnitude += std::fabs(problem.a[row * problem.lda + p] * problem.b[p * problem.ldb + col]);
  problem.c[row * problem.ldc + col] += 4 * T(problem.k + 2) * std::numeric_limits<T>::epsilon() * magnitude;
  ::testing::TestPartResultArray failures;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD,
                                                         &failures);
    problem.expect_matches("perturbed");
  }
  EXPECT_GE(failures.size(), 1);
}

TYPED_TEST(Gemm, BadInputIsRefused) {
  using T = TypeParam;
  Problem<T> problem(10, 12, 8, 1, 0);
  Workspace<T> workspace;
  const Operands<T> op = problem.operands();
  EXPECT_THROW(gemm_block(op, Tile{0, 11, 0, 12}, workspace), std::invalid_argument);  // past the last row
  EXPECT_THROW(gemm_block(op, Tile{0, 10, 5, 13}, workspace), std::invalid_argument);  // past the last column
  EXPECT_THROW(gemm_block(op, Tile{6, 5, 0, 12}, workspace), std::invalid_argument);   // reversed
  Operands<T> short_lda = op;
  short_lda.lda = op.k - 1;
  EXPECT_THROW(gemm(short_lda, workspace), std::invalid_argument);
  Operands<T> short_ldc = op;
  short_ldc.ldc = op.n - 1;
  EXPECT_THROW(gemm(short_ldc, workspace), std::invalid_argument);
  Operands<T> no_a = op;
  no_a.a = nullptr;
  EXPECT_THROW(gemm(no_a, workspace), std::invalid_argument);
  // An empty tile touches nothing.
  gemm_block(op, Tile{3, 3, 0, 12}, workspace);
  EXPECT_EQ(problem.c.size(), problem.c_before.size());
  for (std::size_t i = 0; i < problem.c.size(); ++i)
    EXPECT_TRUE(std::isnan(problem.c[i]) && std::isnan(problem.c_before[i])) << i;  // beta 0: C started as NaN
  // A blocking that is not this build's micro-kernel, or has a zero size.
  Blocking wrong = default_blocking<T>();
  wrong.mr += 1;
  EXPECT_THROW(Workspace<T>{wrong}, std::invalid_argument);
  EXPECT_THROW(default_blocking<T>().with_sizes(0, 8, 8), std::invalid_argument);
  EXPECT_THROW(default_blocking<T>().with_sizes(8, 8, 1 << 20), std::invalid_argument);
  Blocking other_precision = default_blocking<T>();
  other_precision.precision = sizeof(T) == 8 ? "fp32" : "fp64";
  EXPECT_THROW(Workspace<T>{other_precision}, std::invalid_argument);
}

TYPED_TEST(Gemm, BlockingFollowsTheCaches) {
  using T = TypeParam;
  const CacheSizes sapphire_rapids{48 << 10, 2 << 20, 105 << 20, 2, "test"};
  const Blocking b = blocking_for<T>(sapphire_rapids);
  EXPECT_GT(b.mr, 0);
  EXPECT_GT(b.nr, 0);
  EXPECT_LE(b.kc * std::size_t(b.nr) * sizeof(T), 2 * sapphire_rapids.l1d);    // B micro-panel within 2×L1
  EXPECT_LE(b.kc, 512u);
  EXPECT_LE(b.mc * b.kc * sizeof(T), sapphire_rapids.l2 / 2);                   // A block within half of L2
  EXPECT_LE(b.kc * b.nc * sizeof(T), sapphire_rapids.l3 / 2 / 2);               // B panel within half the share
  EXPECT_EQ(b.mc % std::size_t(b.mr), 0u);
  EXPECT_EQ(b.nc % std::size_t(b.nr), 0u);
  EXPECT_EQ(b.kc % 8, 0u);
  // A bigger L2 never shrinks mc; a smaller L1 never grows kc.
  const Blocking big_l2 = blocking_for<T>({48 << 10, 8 << 20, 105 << 20, 2, "test"});
  EXPECT_GE(big_l2.mc, b.mc);
  const Blocking small_l1 = blocking_for<T>({16 << 10, 2 << 20, 105 << 20, 2, "test"});
  EXPECT_LE(small_l1.kc, b.kc);
  // Unknown caches take defaults, and the result is still usable.
  const Blocking unknown = blocking_for<T>({0, 0, 0, 1, "none"});
  EXPECT_GT(unknown.kc, 0u);
  EXPECT_GT(unknown.mc, 0u);
  EXPECT_GT(unknown.nc, 0u);
  Workspace<T> workspace(unknown);
  Problem<T> problem(19, 23, 17, 1, 0);
  gemm(problem.operands(), workspace);
  problem.expect_matches("default-cache blocking");
  // The context names every figure a benchmark records.
  std::vector<std::string> keys;
  for (const auto& kv : b.context()) keys.push_back(kv.first);
  for (const char* key : {"gemm_kernel", "gemm_mr", "gemm_nr", "gemm_kc", "gemm_mc", "gemm_nc", "gemm_cache_source"})
    EXPECT_NE(std::find(keys.begin(), keys.end(), key), keys.end()) << key;
}

TEST(GemmCaches, DetectedOnThisMachineOrDefaultsSaySo) {
  const CacheSizes& caches = detected_caches();
  EXPECT_FALSE(caches.source.empty());
  if (caches.source.rfind("defaults", 0) != 0) {
    EXPECT_GT(caches.l1d, 0u);
    EXPECT_GT(caches.l2, caches.l1d);
  }
  EXPECT_GE(caches.l3_sharing_cpus, 1);
}

}  // namespace
