// The shared serial GEMM kernel: C = alpha·A·B + beta·C on row-major matrices with leading dimensions, computed
// for a block of C (rows [row_begin, row_end) × columns [col_begin, col_end)) so that every parallel model
// calls the same serial code on its own tile and only the partitioning and synchronisation differ between models.
//
// Structure (BLIS/GotoBLAS): jc (nc columns) → pc (kc, pack a kc×nc panel of B) → ic (mc rows, pack an mc×kc
// block of A) → jr (nr) → ir (mr) → the register-blocked mr×nr micro-kernel. The micro-kernel is chosen at
// build time: AVX-512 (__AVX512F__), AVX2+FMA (__AVX2__ and __FMA__), else portable C++ with 16-byte vector
// extensions (what a --portable, baseline x86-64 build gets). Packing buffers live in a Workspace made once per
// worker, never per call.
#pragma once
#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace parbench::gemm {

// Data-cache sizes in bytes as detected (0 when unknown) and where they came from.
struct CacheSizes {
  std::size_t l1d = 0;
  std::size_t l2 = 0;
  std::size_t l3 = 0;
  int l3_sharing_cpus = 1;  // logical CPUs sharing that L3 (the blocking uses l3 / l3_sharing_cpus)
  std::string source;       // "hwloc …", "sysfs", or "defaults (…)"
};

// The caches of the CPU this process runs on (hwloc when built with it, else sysfs, else fixed defaults);
// detected once per process.
const CacheSizes& detected_caches();

// The blocking a Workspace computes with. mr×nr is fixed by the compiled micro-kernel; kc, mc, nc derive from
// the caches (blocking_for) or are set by a caller that measures (with_sizes).
struct Blocking {
  std::string kernel;     // "avx512", "avx2" or "portable": the micro-kernel compiled in
  std::string precision;  // "fp64" or "fp32"
  int mr = 0;             // micro-tile rows (broadcast elements of A)
  int nr = 0;             // micro-tile columns (vector elements of B)
  std::size_t kc = 0;     // depth of a packed panel: a kc×nr micro-panel of B stays in L1
  std::size_t mc = 0;     // rows of the packed A block (mc×kc in L2), a multiple of mr
  std::size_t nc = 0;     // columns of the packed B panel (kc×nc in the L3 share), a multiple of nr
  CacheSizes caches;      // what kc/mc/nc were derived from
  std::string rule;       // how kc/mc/nc were chosen

  // The same blocking with other kc/mc/nc (mc and nc rounded up to multiples of mr and nr); throws
  // std::invalid_argument when one is 0 or absurdly large.
  Blocking with_sizes(std::size_t kc, std::size_t mc, std::size_t nc) const;
  // Key/value pairs for a benchmark's JSON context (gemm_kernel, gemm_mr, …, gemm_cache_source).
  std::vector<std::pair<std::string, std::string>> context() const;
};

// The blocking for element type T (double or float) from the given caches; a cache size of 0 takes a default.
template <class T>
Blocking blocking_for(const CacheSizes& caches);
// blocking_for(detected_caches()), computed once per process.
template <class T>
const Blocking& default_blocking();

// Row-major operands: A is m×k, B is k×n, C is m×n; each leading dimension is at least its row length.
template <class T>
struct Operands {
  std::size_t m = 0, n = 0, k = 0;
  T alpha = 1;
  const T* a = nullptr;
  std::size_t lda = 0;
  const T* b = nullptr;
  std::size_t ldb = 0;
  T beta = 0;
  T* c = nullptr;
  std::size_t ldc = 0;
};

// The block of C a call computes: rows [row_begin, row_end) × columns [col_begin, col_end).
struct Tile {
  std::size_t row_begin = 0, row_end = 0, col_begin = 0, col_end = 0;
};

// One worker's packing buffers (64-byte aligned, sized from its Blocking), allocated once. Not shared between
// threads: each worker has its own.
template <class T>
class Workspace {
 public:
  // Throws std::invalid_argument when the blocking is not for this build's micro-kernel and precision.
  explicit Workspace(const Blocking& blocking = default_blocking<T>());
  const Blocking& blocking() const { return blocking_; }
  T* packed_a() { return a_.get(); }
  T* packed_b() { return b_.get(); }

 private:
  struct Free {
    void operator()(T* p) const;
  };
  Blocking blocking_;
  std::unique_ptr<T, Free> a_;  // mc×kc
  std::unique_ptr<T, Free> b_;  // kc×nc
};

// C[tile] = alpha·A[tile rows, :]·B[:, tile columns] + beta·C[tile]; nothing outside the tile is written. As in
// BLAS, beta = 0 does not read C (NaN there is overwritten) and alpha = 0 or k = 0 do not read A or B.
// Tiles of different workers must not overlap; A and B are only read. Throws std::invalid_argument on a tile
// outside C, a leading dimension below its row length, or a null matrix that would be read or written.
template <class T>
void gemm_block(const Operands<T>& operands, const Tile& tile, Workspace<T>& workspace);

// The whole of C.
template <class T>
void gemm(const Operands<T>& operands, Workspace<T>& workspace);

}  // namespace parbench::gemm
