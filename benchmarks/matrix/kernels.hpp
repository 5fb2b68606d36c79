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

#include "matrix/matrix.hpp"

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

}  // namespace parbench::matrix
