// The loops, packing and edge handling of the shared GEMM around the micro-kernel (docs/gemm.md).
#include "parbench/gemm/gemm.hpp"

#include <algorithm>
#include <cstdlib>
#include <new>
#include <stdexcept>
#include <string>

#include <sys/mman.h>

#include "parbench/gemm/microkernel.hpp"

namespace parbench::gemm {

namespace {

constexpr std::size_t kAlignment = 64;
constexpr std::size_t kHugePage = 2 << 20;

// 64-byte aligned; a buffer of a huge page or more is huge-page aligned and asks for transparent huge pages
// (where THP is in "madvise" mode, as on Debian), so that walking a packed panel does not miss the TLB every 4 KiB.
template <class T>
T* allocate(std::size_t elements) {
  const std::size_t alignment = elements * sizeof(T) >= kHugePage ? kHugePage : kAlignment;
  const std::size_t bytes = (elements * sizeof(T) + alignment - 1) / alignment * alignment;
  void* p = std::aligned_alloc(alignment, bytes);
  if (!p) throw std::bad_alloc();
  if (alignment == kHugePage) madvise(p, bytes, MADV_HUGEPAGE);  // a hint: failure only costs speed
  return static_cast<T*>(p);
}

// Packs rows [0, rows) × columns [0, depth) of A (row-major, lda) into micro-panels of MR rows: panel r holds,
// for each of the depth steps, the MR elements of that column; rows past `rows` are zeros, so the micro-kernel
// always computes a full tile.
template <class T, int MR>
void pack_a(std::size_t rows, std::size_t depth, const T* a, std::size_t lda, T* packed) {
  for (std::size_t r = 0; r < rows; r += MR) {
    const std::size_t valid = std::min<std::size_t>(MR, rows - r);
    if (valid == MR) {
      for (std::size_t p = 0; p < depth; ++p)
#pragma GCC unroll 32
        for (int i = 0; i < MR; ++i) packed[p * MR + i] = a[(r + i) * lda + p];
    } else {
      for (std::size_t p = 0; p < depth; ++p)
        for (std::size_t i = 0; i < MR; ++i) packed[p * MR + i] = i < valid ? a[(r + i) * lda + p] : T(0);
    }
    packed += MR * depth;
  }
}

// Packs rows [0, depth) × columns [0, cols) of B into micro-panels of NR columns: panel j holds, for each of
// the depth steps, NR consecutive elements of that row; columns past `cols` are zeros.
template <class T, int NR>
void pack_b(std::size_t depth, std::size_t cols, const T* b, std::size_t ldb, T* packed) {
  for (std::size_t j = 0; j < cols; j += NR) {
    const std::size_t valid = std::min<std::size_t>(NR, cols - j);
    for (std::size_t p = 0; p < depth; ++p) {
      const T* row = b + p * ldb + j;
      if (valid == NR) {
#pragma GCC unroll 64
        for (int x = 0; x < NR; ++x) packed[p * NR + x] = row[x];
      } else {
        for (std::size_t x = 0; x < NR; ++x) packed[p * NR + x] = x < valid ? row[x] : T(0);
      }
    }
    packed += NR * depth;
  }
}

// C[0..rows)[0..cols) = beta·C; beta = 0 writes zeros without reading C (BLAS semantics).
template <class T>
void scale(std::size_t rows, std::size_t cols, T beta, T* c, std::size_t ldc) {
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = 0; j < cols; ++j) c[i * ldc + j] = beta == T(0) ? T(0) : beta * c[i * ldc + j];
}

void check(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(std::string("gemm: ") + what);
}

}  // namespace

template <class T>
void Workspace<T>::Free::operator()(T* p) const {
  std::free(p);
}

template <class T>
Workspace<T>::Workspace(const Blocking& blocking) : blocking_(blocking) {
  using Kernel = detail::Selected<T>;
  const Blocking& built = default_blocking<T>();
  check(blocking.kernel == built.kernel && blocking.precision == built.precision && blocking.mr == Kernel::mr &&
            blocking.nr == Kernel::nv * Kernel::V::width,
        "the blocking is not for this build's micro-kernel");
  check(blocking.kc > 0 && blocking.mc > 0 && blocking.nc > 0 && blocking.mc % std::size_t(blocking.mr) == 0 &&
            blocking.nc % std::size_t(blocking.nr) == 0,
        "kc, mc, nc must be positive, mc a multiple of mr and nc of nr");
  a_.reset(allocate<T>(blocking.mc * blocking.kc));
  b_.reset(allocate<T>(blocking.kc * blocking.nc));
}

template <class T>
void gemm_block(const Operands<T>& op, const Tile& tile, Workspace<T>& workspace) {
  using Kernel = detail::Selected<T>;
  using V = typename Kernel::V;
  constexpr int MR = Kernel::mr;
  constexpr int NR = Kernel::nv * V::width;
  check(tile.row_begin <= tile.row_end && tile.row_end <= op.m && tile.col_begin <= tile.col_end &&
            tile.col_end <= op.n,
        "the tile is not inside C");
  check(op.ldc >= op.n && op.lda >= op.k && op.ldb >= op.n, "a leading dimension is below its row length");
  const std::size_t rows = tile.row_end - tile.row_begin, cols = tile.col_end - tile.col_begin;
  if (rows == 0 || cols == 0) return;
  check(op.c != nullptr, "C is null");
  T* const c = op.c + tile.row_begin * op.ldc + tile.col_begin;
  if (op.k == 0 || op.alpha == T(0)) {
    scale(rows, cols, op.beta, c, op.ldc);
    return;
  }
  check(op.a != nullptr && op.b != nullptr, "A or B is null");
  const Blocking& blocking = workspace.blocking();
  const std::size_t kc = blocking.kc, mc = blocking.mc, nc = blocking.nc;
  T* const packed_a = workspace.packed_a();
  T* const packed_b = workspace.packed_b();
  alignas(64) T edge[MR * NR];  // a partial tile is computed here, then its valid part added into C

  for (std::size_t jc = 0; jc < cols; jc += nc) {
    const std::size_t nc_now = std::min(nc, cols - jc);
    for (std::size_t pc = 0; pc < op.k; pc += kc) {
      const std::size_t kc_now = std::min(kc, op.k - pc);
      pack_b<T, NR>(kc_now, nc_now, op.b + pc * op.ldb + tile.col_begin + jc, op.ldb, packed_b);
      // The first depth panel applies beta; the following ones accumulate onto it.
      const T beta = pc == 0 ? op.beta : T(1);
      for (std::size_t ic = 0; ic < rows; ic += mc) {
        const std::size_t mc_now = std::min(mc, rows - ic);
        pack_a<T, MR>(mc_now, kc_now, op.a + (tile.row_begin + ic) * op.lda + pc, op.lda, packed_a);
        for (std::size_t jr = 0; jr < nc_now; jr += NR) {
          const std::size_t nr_now = std::min<std::size_t>(NR, nc_now - jr);
          const T* b_panel = packed_b + jr * kc_now;
          for (std::size_t ir = 0; ir < mc_now; ir += MR) {
            const std::size_t mr_now = std::min<std::size_t>(MR, mc_now - ir);
            const T* a_panel = packed_a + ir * kc_now;
            T* c_tile = c + (ic + ir) * op.ldc + jc + jr;
            if (mr_now == MR && nr_now == NR) {
              detail::micro_kernel<V, MR, Kernel::nv>(kc_now, a_panel, b_panel, c_tile, op.ldc, op.alpha, beta);
            } else {
              detail::micro_kernel<V, MR, Kernel::nv>(kc_now, a_panel, b_panel, edge, NR, T(1), T(0));
              for (std::size_t i = 0; i < mr_now; ++i)
                for (std::size_t j = 0; j < nr_now; ++j) {
                  T& out = c_tile[i * op.ldc + j];
                  out = op.alpha * edge[i * NR + j] + (beta == T(0) ? T(0) : beta * out);
                }
            }
          }
        }
      }
    }
  }
}

template <class T>
void gemm(const Operands<T>& operands, Workspace<T>& workspace) {
  gemm_block(operands, Tile{0, operands.m, 0, operands.n}, workspace);
}

template class Workspace<double>;
template class Workspace<float>;
template void gemm_block<double>(const Operands<double>&, const Tile&, Workspace<double>&);
template void gemm_block<float>(const Operands<float>&, const Tile&, Workspace<float>&);
template void gemm<double>(const Operands<double>&, Workspace<double>&);
template void gemm<float>(const Operands<float>&, Workspace<float>&);

}  // namespace parbench::gemm
