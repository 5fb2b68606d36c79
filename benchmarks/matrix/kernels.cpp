// Compiled into the matrix_kernels library with -falign-functions=64 -falign-loops=64 (parbench_add_workload).
#include "matrix/kernels.hpp"

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

}  // namespace parbench::matrix
