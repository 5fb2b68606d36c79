// matrix with CUDA: the arrays live in device memory; the five kernels are grid-stride loops over all elements,
// run by `workers` GPU threads (blocks of 256); dot sums per block in shared memory, and the host adds the block
// sums inside the timed round. The arrays outgrow the GPU's L2 (4x, as the CPU models outgrow the LLC). The
// driver verifies a host copy of the arrays (copied back, untimed). Without a device no case is registered: the
// reason goes into the context (parbench_skipped_reason), as in counters.
// GEMM (`gemm`): a shared-memory tiled kernel. `workers` GPU threads in blocks of 32×8; each block computes
// 32×32 tiles of C (grid-stride over the tiles, so the worker count is the threads that run), staging 32×32 tiles
// of A and B in shared memory per k step, each thread accumulating 4 elements in registers. A, B and C live on
// the device; the driver's inputs are copied there once per case, its NaN-poisoned C before every round, and C
// back after it (all untimed). No `gemm_naive` (the tiled kernel is already the GPU textbook version).
// `gemm_cublas` (where cuBLAS is found): cublasDgemm on the same device matrices, the GPU reference. cuBLAS picks
// its own launch configuration, so its case runs at one worker count only (kCublasWorkers) and is skipped with
// the reason at the others, instead of carrying a worker count it did not use.
#include <cuda_runtime.h>
#ifdef PARBENCH_HAVE_CUBLAS
#include <cublas_v2.h>
#endif

#include <stdexcept>
#include <string>
#include <vector>

#include "matrix/matrix.hpp"
#include "parbench/participation.hpp"
#include "parbench/rounds.hpp"

namespace parbench::matrix {
namespace {

constexpr int kBlockThreads = 256;

void check_cuda(cudaError_t rc, const char* what) {
  if (rc != cudaSuccess) throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(rc));
}

__global__ void initialize_kernel(double* a, double* b, double* c, unsigned long long n) {
  for (unsigned long long i = blockIdx.x * 1ull * blockDim.x + threadIdx.x; i < n; i += 1ull * gridDim.x * blockDim.x) {
    a[i] = kStartA;
    b[i] = kStartB;
    c[i] = kStartC;
  }
}
__global__ void copy_kernel(const double* __restrict__ a, double* __restrict__ c, unsigned long long n) {
  for (unsigned long long i = blockIdx.x * 1ull * blockDim.x + threadIdx.x; i < n; i += 1ull * gridDim.x * blockDim.x)
    c[i] = a[i];
}
__global__ void scale_kernel(double* __restrict__ b, const double* __restrict__ c, double scalar, unsigned long long n) {
  for (unsigned long long i = blockIdx.x * 1ull * blockDim.x + threadIdx.x; i < n; i += 1ull * gridDim.x * blockDim.x)
    b[i] = scalar * c[i];
}
__global__ void add_kernel(const double* __restrict__ a, const double* __restrict__ b, double* __restrict__ c,
                           unsigned long long n) {
  for (unsigned long long i = blockIdx.x * 1ull * blockDim.x + threadIdx.x; i < n; i += 1ull * gridDim.x * blockDim.x)
    c[i] = a[i] + b[i];
}
__global__ void triad_kernel(double* __restrict__ a, const double* __restrict__ b, const double* __restrict__ c,
                             double scalar, unsigned long long n) {
  for (unsigned long long i = blockIdx.x * 1ull * blockDim.x + threadIdx.x; i < n; i += 1ull * gridDim.x * blockDim.x)
    a[i] = b[i] + scalar * c[i];
}
__global__ void dot_kernel(const double* __restrict__ a, const double* __restrict__ b, double* block_sums,
                           unsigned long long n) {
  __shared__ double sums[kBlockThreads];
  double sum = 0;
  for (unsigned long long i = blockIdx.x * 1ull * blockDim.x + threadIdx.x; i < n; i += 1ull * gridDim.x * blockDim.x)
    sum += a[i] * b[i];
  sums[threadIdx.x] = sum;
  __syncthreads();
  for (int stride = blockDim.x / 2; stride > 0; stride /= 2) {
    if (threadIdx.x < stride) sums[threadIdx.x] += sums[threadIdx.x + stride];
    __syncthreads();
  }
  if (threadIdx.x == 0) block_sums[blockIdx.x] = sums[0];
}

constexpr int kGemmTile = 32, kGemmTileRows = 8, kGemmPerThread = kGemmTile / kGemmTileRows;

__global__ void gemm_tiled_kernel(const double* __restrict__ a, const double* __restrict__ b, double* __restrict__ c,
                                  unsigned n) {
  __shared__ double a_tile[kGemmTile][kGemmTile + 1];  // +1: no bank conflicts on the column reads
  __shared__ double b_tile[kGemmTile][kGemmTile + 1];
  const unsigned side = (n + kGemmTile - 1) / kGemmTile;
  const unsigned long long tiles = 1ull * side * side;
  const unsigned x = threadIdx.x, y = threadIdx.y;
  for (unsigned long long t = blockIdx.x; t < tiles; t += gridDim.x) {
    const unsigned row0 = static_cast<unsigned>(t / side) * kGemmTile, col0 = static_cast<unsigned>(t % side) * kGemmTile;
    double sum[kGemmPerThread] = {};
    for (unsigned k0 = 0; k0 < n; k0 += kGemmTile) {
      for (unsigned r = y; r < kGemmTile; r += kGemmTileRows) {
        const unsigned i = row0 + r, ka = k0 + x, kb = k0 + r, j = col0 + x;
        a_tile[r][x] = i < n && ka < n ? a[1ull * i * n + ka] : 0.0;
        b_tile[r][x] = kb < n && j < n ? b[1ull * kb * n + j] : 0.0;
      }
      __syncthreads();
      for (int k = 0; k < kGemmTile; ++k) {
        const double bv = b_tile[k][x];
        for (int s = 0; s < kGemmPerThread; ++s) sum[s] += a_tile[y + s * kGemmTileRows][k] * bv;
      }
      __syncthreads();
    }
    for (int s = 0; s < kGemmPerThread; ++s) {
      const unsigned i = row0 + y + s * kGemmTileRows, j = col0 + x;
      if (i < n && j < n) c[1ull * i * n + j] = sum[s];
    }
  }
}

constexpr int kCublasWorkers = 1048576;  // the largest default worker count

class CudaGemm final : public GemmModel {
 public:
  CudaGemm(GemmVariant variant, int threads, std::uint64_t n)
      : variant_(variant), n_(n), blocks_(threads / (kGemmTile * kGemmTileRows)), host_(3 * n * n) {
    constexpr int block = kGemmTile * kGemmTileRows;
    if (variant == GemmVariant::gemm_cublas && threads != kCublasWorkers)
      throw SkipCase("cuBLAS picks its own launch configuration: gemm_cublas runs at workers:" +
                     std::to_string(kCublasWorkers) + " only");
    if (threads % block != 0) throw SkipCase("GPU threads must be a multiple of " + std::to_string(block));
    if (n > (1u << 20)) throw SkipCase("n above 2^20");
    std::size_t free = 0, total = 0;
    check_cuda(cudaMemGetInfo(&free, &total), "cudaMemGetInfo");
    if (host_.size() * sizeof(double) > free)
      throw SkipCase("the matrices need " + std::to_string((host_.size() * sizeof(double)) >> 20) + " MiB, more than the " +
                     std::to_string(free >> 20) + " MiB of free device memory");
    check_cuda(cudaMalloc(&device_, host_.size() * sizeof(double)), "cudaMalloc (matrices)");
#ifdef PARBENCH_HAVE_CUBLAS
    if (variant == GemmVariant::gemm_cublas && cublasCreate(&cublas_) != CUBLAS_STATUS_SUCCESS) {
      cudaFree(device_);
      throw std::runtime_error("cublasCreate failed");
    }
#endif
  }
  ~CudaGemm() override {
#ifdef PARBENCH_HAVE_CUBLAS
    if (cublas_ != nullptr) cublasDestroy(cublas_);
#endif
    cudaFree(device_);
  }

  void inputs_written() override { copy(0, 2 * n_ * n_, cudaMemcpyHostToDevice, "cudaMemcpy (A, B to device)"); }
  void output_poisoned() override { copy(2 * n_ * n_, n_ * n_, cudaMemcpyHostToDevice, "cudaMemcpy (C to device)"); }
  void result_needed() override { copy(2 * n_ * n_, n_ * n_, cudaMemcpyDeviceToHost, "cudaMemcpy (C to host)"); }

  void run_round() override {
    const double* a = device_;
    const double* b = device_ + n_ * n_;
    double* c = device_ + 2 * n_ * n_;
#ifdef PARBENCH_HAVE_CUBLAS
    if (variant_ == GemmVariant::gemm_cublas) {
      // cuBLAS is column-major: row-major C = A·B is column-major Cᵀ = Bᵀ·Aᵀ, so B goes first.
      const double one = 1, zero = 0;
      const int n = static_cast<int>(n_);
      if (cublasDgemm(cublas_, CUBLAS_OP_N, CUBLAS_OP_N, n, n, n, &one, b, n, a, n, &zero, c, n) != CUBLAS_STATUS_SUCCESS)
        throw std::runtime_error("cublasDgemm failed");
      check_cuda(cudaDeviceSynchronize(), "gemm_cublas");
      return;
    }
#endif
    gemm_tiled_kernel<<<blocks_, dim3(kGemmTile, kGemmTileRows)>>>(a, b, c, static_cast<unsigned>(n_));
    check_cuda(cudaGetLastError(), "gemm");
    check_cuda(cudaDeviceSynchronize(), "gemm");
  }
  int participants() override { return kNotTracked; }  // a launched grid runs every block; a failed launch throws
  GemmMatrices matrices() override { return {host_.data(), host_.data() + n_ * n_, host_.data() + 2 * n_ * n_, n_}; }

 private:
  void copy(std::uint64_t offset, std::uint64_t count, cudaMemcpyKind kind, const char* what) {
    double* host = host_.data() + offset;
    double* device = device_ + offset;
    check_cuda(kind == cudaMemcpyHostToDevice ? cudaMemcpy(device, host, count * sizeof(double), kind)
                                              : cudaMemcpy(host, device, count * sizeof(double), kind),
               what);
  }

  GemmVariant variant_;
  std::uint64_t n_;
  int blocks_;
  std::vector<double> host_;  // A, B, C on the host: what the driver writes and reads
  double* device_ = nullptr;
#ifdef PARBENCH_HAVE_CUBLAS
  cublasHandle_t cublas_ = nullptr;
#endif
};

class CudaStream final : public StreamModel {
 public:
  CudaStream(int threads, std::uint64_t elements)
      : elements_(elements),
        block_(threads < kBlockThreads ? threads : kBlockThreads),
        blocks_((threads + kBlockThreads - 1) / kBlockThreads),
        host_(3 * elements),
        block_sums_(static_cast<std::size_t>(blocks_)) {
    if (threads % block_ != 0)
      throw SkipCase("GPU threads must be a multiple of " + std::to_string(kBlockThreads) + " (or fewer)");
    check_cuda(cudaMalloc(&device_, 3 * elements * sizeof(double)), "cudaMalloc (arrays)");
    check_cuda(cudaMalloc(&device_block_sums_, block_sums_.size() * sizeof(double)), "cudaMalloc (block sums)");
  }
  ~CudaStream() override {
    cudaFree(device_);
    cudaFree(device_block_sums_);
  }

  void initialize() override {
    initialize_kernel<<<blocks_, block_>>>(a(), b(), c(), elements_);
    finish("initialize");
  }

  double run_round(StreamKernel k) override {
    switch (k) {
      case StreamKernel::copy: copy_kernel<<<blocks_, block_>>>(a(), c(), elements_); break;
      case StreamKernel::scale: scale_kernel<<<blocks_, block_>>>(b(), c(), kScalar, elements_); break;
      case StreamKernel::add: add_kernel<<<blocks_, block_>>>(a(), b(), c(), elements_); break;
      case StreamKernel::triad: triad_kernel<<<blocks_, block_>>>(a(), b(), c(), kScalar, elements_); break;
      case StreamKernel::dot: dot_kernel<<<blocks_, block_>>>(a(), b(), device_block_sums_, elements_); break;
    }
    finish(std::string(name_of(k)).c_str());
    if (k != StreamKernel::dot) return 0;
    check_cuda(cudaMemcpy(block_sums_.data(), device_block_sums_, block_sums_.size() * sizeof(double),
                          cudaMemcpyDeviceToHost),
               "cudaMemcpy (block sums)");
    double sum = 0;
    for (double s : block_sums_) sum += s;
    return sum;
  }

  // GPU threads are not tracked one by one: a launched grid runs every block, and a failed launch throws.
  int participants() override { return kNotTracked; }

  StreamArrays local_arrays() override {
    check_cuda(cudaMemcpy(host_.data(), device_, host_.size() * sizeof(double), cudaMemcpyDeviceToHost),
               "cudaMemcpy (arrays to host)");
    return {host_.data(), host_.data() + elements_, host_.data() + 2 * elements_, elements_};
  }
  void local_arrays_written() override {
    check_cuda(cudaMemcpy(device_, host_.data(), host_.size() * sizeof(double), cudaMemcpyHostToDevice),
               "cudaMemcpy (arrays to device)");
  }

 private:
  double* a() const { return device_; }
  double* b() const { return device_ + elements_; }
  double* c() const { return device_ + 2 * elements_; }
  void finish(const char* what) {
    check_cuda(cudaGetLastError(), what);
    check_cuda(cudaDeviceSynchronize(), what);
  }

  std::uint64_t elements_;
  int block_, blocks_;
  std::vector<double> host_;
  std::vector<double> block_sums_;
  double* device_ = nullptr;
  double* device_block_sums_ = nullptr;
};

// Empty when a device is usable, else why not.
std::string device_problem() {
  int devices = 0;
  const cudaError_t rc = cudaGetDeviceCount(&devices);
  if (rc != cudaSuccess) return std::string("no CUDA device (") + cudaGetErrorString(rc) + ")";
  if (devices == 0) return "no CUDA device";
  return {};
}

}  // namespace

ModelInfo model_info() {
  ModelInfo info;
  info.stream.kernels = kAllStreamKernels;
  info.stream.make = [](int threads, std::uint64_t elements) { return std::make_unique<CudaStream>(threads, elements); };
  info.gemm.variants = {GemmVariant::gemm};
#ifdef PARBENCH_HAVE_CUBLAS
  info.gemm.variants.push_back(GemmVariant::gemm_cublas);
#endif
  info.gemm.make = [](GemmVariant v, int threads, std::uint64_t n) { return std::make_unique<CudaGemm>(v, threads, n); };
  info.default_workers = {65536, 262144, 1048576};
  info.max_workers = kMaxAnyWorkers;
  info.cpu_workers = false;
  // Without a device no case is registered: the reason goes into the context (parbench_skipped_reason).
  info.unavailable = device_problem();
  int runtime = 0;
  cudaRuntimeGetVersion(&runtime);
  info.context = {{"cuda_runtime", std::to_string(runtime)}};
#ifdef PARBENCH_HAVE_CUBLAS
  int cublas_major = 0, cublas_minor = 0;
  cublasGetProperty(MAJOR_VERSION, &cublas_major);
  cublasGetProperty(MINOR_VERSION, &cublas_minor);
  info.context.emplace_back("cublas_version", std::to_string(cublas_major) + "." + std::to_string(cublas_minor));
#endif
  if (info.unavailable.empty()) {
    cudaDeviceProp props{};
    cudaGetDeviceProperties(&props, 0);
    std::size_t free = 0, total = 0;
    cudaMemGetInfo(&free, &total);
    info.stream.cache_bytes = static_cast<std::uint64_t>(props.l2CacheSize);
    info.stream.cache_method = std::string("CUDA device 0 L2 (") + props.name + ")";
    info.stream.device_memory_bytes = free;
    info.context.emplace_back("cuda_device", props.name);
  } else {
    info.context.emplace_back("cuda_device", "none");
  }
  return info;
}

}  // namespace parbench::matrix
