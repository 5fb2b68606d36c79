// counters with CUDA: workers are GPU threads. `atomic`: atomicAdd on one global counter per increment;
// `sharded`: atomicAdd on a per-block counter in shared memory, one global atomicAdd per block;
// `racy`: a plain read and write of the global counter.
#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

#include "counters/counters.hpp"
#include "parbench/rounds.hpp"

namespace parbench::counters {
namespace {

constexpr int kBlockThreads = 256;

void check_cuda(cudaError_t rc, const char* what) {
  if (rc != cudaSuccess) throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(rc));
}

__device__ unsigned long long thread_share(unsigned long long total, unsigned long long threads,
                                           unsigned long long index) {
  return total / threads + (index < total % threads ? 1 : 0);
}

__global__ void count_atomic(unsigned long long* counter, unsigned long long increments, int threads) {
  const int index = blockIdx.x * blockDim.x + threadIdx.x;
  if (index >= threads) return;
  const unsigned long long n = thread_share(increments, threads, index);
  for (unsigned long long i = 0; i < n; ++i) atomicAdd(counter, 1ULL);
}

__global__ void count_block_shared(unsigned long long* counter, unsigned long long increments, int threads) {
  __shared__ unsigned long long block_count;
  if (threadIdx.x == 0) block_count = 0;
  __syncthreads();
  const int index = blockIdx.x * blockDim.x + threadIdx.x;
  if (index < threads) {
    const unsigned long long n = thread_share(increments, threads, index);
    for (unsigned long long i = 0; i < n; ++i) atomicAdd(&block_count, 1ULL);
  }
  __syncthreads();
  if (threadIdx.x == 0) atomicAdd(counter, block_count);
}

__global__ void count_racy(volatile unsigned long long* counter, unsigned long long increments, int threads) {
  const int index = blockIdx.x * blockDim.x + threadIdx.x;
  if (index >= threads) return;
  const unsigned long long n = thread_share(increments, threads, index);
  for (unsigned long long i = 0; i < n; ++i) *counter = *counter + 1;
}

class CudaCounters final : public Model {
 public:
  CudaCounters(Variant v, int threads) : variant_(v), threads_(threads) {
    check_cuda(cudaMalloc(&counter_, sizeof(*counter_)), "cudaMalloc");
  }
  ~CudaCounters() override { cudaFree(counter_); }

  void reset() override { check_cuda(cudaMemset(counter_, 0, sizeof(*counter_)), "cudaMemset"); }

  // GPU threads are not tracked one by one: a launched grid runs every block, and a failed launch throws.
  int participants() override { return kNotTracked; }

  std::uint64_t total() override {
    unsigned long long value = 0;
    check_cuda(cudaMemcpy(&value, counter_, sizeof(value), cudaMemcpyDeviceToHost), "cudaMemcpy");
    return value;
  }

  void run_round(std::uint64_t increments) override {
    const int blocks = (threads_ + kBlockThreads - 1) / kBlockThreads;
    const int block = threads_ < kBlockThreads ? threads_ : kBlockThreads;
    switch (variant_) {
      case Variant::atomic: count_atomic<<<blocks, block>>>(counter_, increments, threads_); break;
      case Variant::sharded: count_block_shared<<<blocks, block>>>(counter_, increments, threads_); break;
      case Variant::racy: count_racy<<<blocks, block>>>(counter_, increments, threads_); break;
      default: throw std::logic_error("not a CUDA variant");
    }
    check_cuda(cudaGetLastError(), "kernel launch");
    check_cuda(cudaDeviceSynchronize(), "kernel");
  }

 private:
  Variant variant_;
  int threads_;
  unsigned long long* counter_ = nullptr;
};

// Empty when a device is usable, else why not.
std::string device_problem() {
  int devices = 0;
  const cudaError_t rc = cudaGetDeviceCount(&devices);
  if (rc != cudaSuccess) return std::string("no CUDA device (") + cudaGetErrorString(rc) + ")";
  if (devices == 0) return "no CUDA device";
  return {};
}

std::string device_name() {
  cudaDeviceProp props{};
  cudaGetDeviceProperties(&props, 0);
  return props.name;
}

}  // namespace

ModelInfo model_info() {
  ModelInfo info;
  info.variants = {Variant::racy, Variant::atomic, Variant::sharded};
  info.round_increments = [](Variant) -> std::uint64_t { return 1u << 24; };
  info.default_workers = {256, 4096, 65536, 1048576};
  info.max_workers = kMaxAnyWorkers;
  info.cpu_workers = false;
  // Without a device no case is registered: the reason goes into the context (parbench_skipped_reason).
  info.unavailable = device_problem();
  int runtime = 0;
  cudaRuntimeGetVersion(&runtime);
  info.context = {{"cuda_runtime", std::to_string(runtime)},
                  {"cuda_device", info.unavailable.empty() ? device_name() : "none"}};
  info.make = [](Variant v, int threads) { return std::make_unique<CudaCounters>(v, threads); };
  return info;
}

}  // namespace parbench::counters
