// The register-blocked micro-kernel of the shared GEMM (internal to gemm.cpp; include gemm.hpp instead).
// One template over a vector type V computes an mr×nr block of C, mr = MR rows and nr = NV·V::width columns,
// from a packed micro-panel of A (kc steps of MR elements) and one of B (kc steps of nr elements, 64-byte
// aligned): per step NV vector loads of B, MR broadcasts of A and MR·NV FMAs into MR·NV accumulators that stay
// in registers (checked with objdump, docs/gemm.md). The vector type is chosen at build time (Selected below).
#pragma once
#include <cstddef>

#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif

namespace parbench::gemm::detail {

#if defined(__AVX512F__)
struct Avx512Double {
  using value = double;
  using reg = __m512d;
  static constexpr int width = 8;
  static reg zero() { return _mm512_setzero_pd(); }
  static reg load_aligned(const double* p) { return _mm512_load_pd(p); }
  static reg load(const double* p) { return _mm512_loadu_pd(p); }
  static void store(double* p, reg v) { _mm512_storeu_pd(p, v); }
  static reg broadcast(const double* p) { return _mm512_set1_pd(*p); }
  static reg splat(double x) { return _mm512_set1_pd(x); }
  static reg fma(reg a, reg b, reg c) { return _mm512_fmadd_pd(a, b, c); }
  static reg mul(reg a, reg b) { return _mm512_mul_pd(a, b); }
};
struct Avx512Float {
  using value = float;
  using reg = __m512;
  static constexpr int width = 16;
  static reg zero() { return _mm512_setzero_ps(); }
  static reg load_aligned(const float* p) { return _mm512_load_ps(p); }
  static reg load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, reg v) { _mm512_storeu_ps(p, v); }
  static reg broadcast(const float* p) { return _mm512_set1_ps(*p); }
  static reg splat(float x) { return _mm512_set1_ps(x); }
  static reg fma(reg a, reg b, reg c) { return _mm512_fmadd_ps(a, b, c); }
  static reg mul(reg a, reg b) { return _mm512_mul_ps(a, b); }
};
#endif

#if defined(__AVX2__) && defined(__FMA__)
struct Avx2Double {
  using value = double;
  using reg = __m256d;
  static constexpr int width = 4;
  static reg zero() { return _mm256_setzero_pd(); }
  static reg load_aligned(const double* p) { return _mm256_load_pd(p); }
  static reg load(const double* p) { return _mm256_loadu_pd(p); }
  static void store(double* p, reg v) { _mm256_storeu_pd(p, v); }
  static reg broadcast(const double* p) { return _mm256_broadcast_sd(p); }
  static reg splat(double x) { return _mm256_set1_pd(x); }
  static reg fma(reg a, reg b, reg c) { return _mm256_fmadd_pd(a, b, c); }
  static reg mul(reg a, reg b) { return _mm256_mul_pd(a, b); }
};
struct Avx2Float {
  using value = float;
  using reg = __m256;
  static constexpr int width = 8;
  static reg zero() { return _mm256_setzero_ps(); }
  static reg load_aligned(const float* p) { return _mm256_load_ps(p); }
  static reg load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, reg v) { _mm256_storeu_ps(p, v); }
  static reg broadcast(const float* p) { return _mm256_broadcast_ss(p); }
  static reg splat(float x) { return _mm256_set1_ps(x); }
  static reg fma(reg a, reg b, reg c) { return _mm256_fmadd_ps(a, b, c); }
  static reg mul(reg a, reg b) { return _mm256_mul_ps(a, b); }
};
#endif

// Any target GCC or Clang compiles for: 16-byte vectors (SSE2 on baseline x86-64), a·b + c without a fused
// multiply-add (baseline x86-64 has none).
template <class T>
struct Portable {
  using value = T;
  typedef T reg __attribute__((vector_size(16)));
  static constexpr int width = 16 / sizeof(T);
  static reg zero() { return reg{}; }
  static reg load_aligned(const T* p) { return *reinterpret_cast<const reg*>(p); }
  static reg load(const T* p) {
    reg v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
  }
  static void store(T* p, reg v) { __builtin_memcpy(p, &v, sizeof v); }
  static reg broadcast(const T* p) { return splat(*p); }
  static reg splat(T x) {  // lane by lane: reg{} + x would be a real addition (0 + -0 is +0), not a copy
    reg v;
    for (int i = 0; i < width; ++i) v[i] = x;
    return v;
  }
  static reg fma(reg a, reg b, reg c) { return a * b + c; }
  static reg mul(reg a, reg b) { return a * b; }
};

// The micro-kernel of each build, as (vector type, MR, NV). Register budget: MR·NV accumulators + NV loaded
// B vectors + 1 broadcast A, within 32 zmm (AVX-512: 24 + 3 + 1), 16 ymm (AVX2: 12 + 2 + 1) and 16 xmm
// (portable: 8 + 2 + 1).
template <class T>
struct Selected;
#if defined(PARBENCH_GEMM_FORCE_PORTABLE) || !(defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__)))
inline constexpr const char* kKernelName = "portable";
template <class T>
struct Selected {
  using V = Portable<T>;
  static constexpr int mr = 4, nv = 2;
};
#elif defined(__AVX512F__)
inline constexpr const char* kKernelName = "avx512";
template <>
struct Selected<double> {
  using V = Avx512Double;
  static constexpr int mr = 8, nv = 3;  // 8×24
};
template <>
struct Selected<float> {
  using V = Avx512Float;
  static constexpr int mr = 8, nv = 3;  // 8×48
};
#else
inline constexpr const char* kKernelName = "avx2";
template <>
struct Selected<double> {
  using V = Avx2Double;
  static constexpr int mr = 6, nv = 2;  // 6×8
};
template <>
struct Selected<float> {
  using V = Avx2Float;
  static constexpr int mr = 6, nv = 2;  // 6×16
};
#endif

// C[0..MR)[0..nr) = alpha·(A_panel·B_panel) + beta·C, C row-major with leading dimension ldc; beta = 0 does not
// read C. a: kc steps of MR elements; b: kc steps of nr elements, 64-byte aligned.
template <class V, int MR, int NV>
[[gnu::noinline]] void micro_kernel(std::size_t kc, const typename V::value* __restrict a,
                                    const typename V::value* __restrict b, typename V::value* __restrict c,
                                    std::size_t ldc, typename V::value alpha, typename V::value beta) {
  using reg = typename V::reg;
  constexpr int W = V::width;
  reg acc[MR][NV];
#pragma GCC unroll 32
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) acc[i][v] = V::zero();
  // The C tile is written at the end; fetching it now hides its misses behind the kc steps.
#pragma GCC unroll 32
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) __builtin_prefetch(c + i * ldc + v * W, 1, 3);
#pragma GCC unroll 4
  for (std::size_t p = 0; p < kc; ++p) {
    reg bv[NV];
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) bv[v] = V::load_aligned(b + v * W);
#pragma GCC unroll 32
    for (int i = 0; i < MR; ++i) {
      const reg ai = V::broadcast(a + i);
#pragma GCC unroll 8
      for (int v = 0; v < NV; ++v) acc[i][v] = V::fma(ai, bv[v], acc[i][v]);
    }
    a += MR;
    b += NV * W;
  }
  const reg alpha_v = V::splat(alpha);
  if (beta == typename V::value(0)) {
#pragma GCC unroll 32
    for (int i = 0; i < MR; ++i)
#pragma GCC unroll 8
      for (int v = 0; v < NV; ++v) V::store(c + i * ldc + v * W, V::mul(alpha_v, acc[i][v]));
  } else {
    const reg beta_v = V::splat(beta);
#pragma GCC unroll 32
    for (int i = 0; i < MR; ++i)
#pragma GCC unroll 8
      for (int v = 0; v < NV; ++v) {
        const reg old = V::mul(beta_v, V::load(c + i * ldc + v * W));
        V::store(c + i * ldc + v * W, V::fma(alpha_v, acc[i][v], old));
      }
  }
}

}  // namespace parbench::gemm::detail
