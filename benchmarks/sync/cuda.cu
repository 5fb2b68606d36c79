// sync with CUDA: workers are GPU threads (blocks of 256). fork_join: a kernel launch + cudaDeviceSynchronize per
// instance, every thread a delay; barrier: a grid-wide sync through cooperative groups (a cooperative launch, so
// only as many threads as can be resident at once: more is skipped with the reason); atomic: atomicAdd on one
// global counter; reduction: a shared-memory tree reduction per block, checked by each block's thread 0. The
// reference is one launch in which every thread runs the `inner` delays. An instance's overhead is the whole
// grid's: every thread makes one construct per instance. The device code is this file's own (the CPU kernels
// cannot run on a GPU); its delay is the same register loop. Without a device no case is registered.
#include <cooperative_groups.h>
#include <cuda_runtime.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "parbench/rounds.hpp"
#include "sync/sync.hpp"

namespace parbench::sync {
namespace {

namespace cg = cooperative_groups;

constexpr int kBlockThreads = 256;

void check_cuda(cudaError_t rc, const char* what) {
  if (rc != cudaSuccess) throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(rc));
}

// What the device records, for verification.
struct DeviceBoard {
  unsigned long long* done;     // per thread: instances run
  unsigned long long* phase;    // per thread: last barrier phase reached
  unsigned long long* counter;  // atomic: the shared counter
  unsigned long long* wrong;    // checks that failed (barrier phases, block sums)
};

__device__ void gpu_delay(unsigned long long iterations) {
  for (unsigned long long i = 0; i < iterations; ++i) asm volatile("" : "+l"(i));
}

__global__ void reference_kernel(int threads, unsigned long long delay, unsigned long long inner) {
  if (blockIdx.x * blockDim.x + threadIdx.x >= threads) return;
  for (unsigned long long i = 0; i < inner; ++i) gpu_delay(delay);
}

__global__ void fork_kernel(DeviceBoard board, int threads, unsigned long long delay) {
  const int index = blockIdx.x * blockDim.x + threadIdx.x;
  if (index >= threads) return;
  gpu_delay(delay);
  board.done[index] += 1;
}

// A cooperative launch: every thread reaches every grid.sync (threads beyond `threads` too, doing no work).
// After instance i's sync, thread `index` checks the thread half the grid away (another block when there are
// several), which must have reached phase i + 1 and cannot be past i + 2.
__global__ void barrier_kernel(DeviceBoard board, int threads, unsigned long long delay, unsigned long long inner) {
  cg::grid_group grid = cg::this_grid();
  const int index = blockIdx.x * blockDim.x + threadIdx.x;
  const bool active = index < threads;
  const int other = (index + threads / 2 + 1) % threads;
  volatile unsigned long long* phase = board.phase;
  for (unsigned long long i = 0; i < inner; ++i) {
    if (active) {
      gpu_delay(delay);
      phase[index] = i + 1;
    }
    grid.sync();
    if (active) {
      const unsigned long long seen = phase[other];
      if (seen < i + 1 || seen > i + 2) atomicAdd(board.wrong, 1ULL);
      board.done[index] += 1;
    }
  }
}

__global__ void atomic_kernel(DeviceBoard board, int threads, unsigned long long delay, unsigned long long inner) {
  if (blockIdx.x * blockDim.x + threadIdx.x >= threads) return;
  for (unsigned long long i = 0; i < inner; ++i) {
    gpu_delay(delay);
    atomicAdd(board.counter, 1ULL);
  }
}

// Thread t of a block contributes (t + 1) * (i + 1); the block's active threads n sum to n (n + 1) / 2 * (i + 1).
__global__ void reduction_kernel(DeviceBoard board, int threads, unsigned long long delay, unsigned long long inner) {
  __shared__ unsigned long long partial[kBlockThreads];
  const int t = threadIdx.x;
  const int index = blockIdx.x * blockDim.x + t;
  const bool active = index < threads;
  const unsigned long long n = min(static_cast<int>(blockDim.x), threads - static_cast<int>(blockIdx.x * blockDim.x));
  int span = 1;
  while (span < static_cast<int>(blockDim.x)) span <<= 1;
  for (unsigned long long i = 0; i < inner; ++i) {
    if (active) gpu_delay(delay);
    partial[t] = active ? (t + 1ULL) * (i + 1) : 0;
    __syncthreads();
    for (int stride = span / 2; stride > 0; stride >>= 1) {
      if (t < stride && t + stride < static_cast<int>(blockDim.x)) partial[t] += partial[t + stride];
      __syncthreads();
    }
    if (t == 0 && partial[0] != n * (n + 1) / 2 * (i + 1)) atomicAdd(board.wrong, 1ULL);
    if (active) board.done[index] += 1;
    __syncthreads();  // partial[0] is read before the next instance overwrites it
  }
}

class CudaSync final : public Model {
 public:
  CudaSync(const Variant& v, int threads) : variant_(v), threads_(threads) {
    blocks_ = (threads + kBlockThreads - 1) / kBlockThreads;
    block_ = threads < kBlockThreads ? threads : kBlockThreads;
    if (v.construct == Construct::barrier) {
      int device = 0, per_sm = 0, cooperative = 0;
      cudaDeviceProp props{};
      check_cuda(cudaGetDevice(&device), "cudaGetDevice");
      check_cuda(cudaGetDeviceProperties(&props, device), "cudaGetDeviceProperties");
      check_cuda(cudaDeviceGetAttribute(&cooperative, cudaDevAttrCooperativeLaunch, device), "cudaDeviceGetAttribute");
      if (!cooperative) throw SkipCase("the device cannot launch cooperative kernels (no grid-wide sync)");
      check_cuda(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, barrier_kernel, block_, 0), "occupancy");
      const long resident = static_cast<long>(per_sm) * props.multiProcessorCount;
      if (blocks_ > resident)
        throw SkipCase("a grid-wide sync needs every block resident at once: " + std::to_string(blocks_) +
                       " blocks of " + std::to_string(block_) + " threads, the device holds " +
                       std::to_string(resident));
    }
    const std::size_t per_thread = sizeof(unsigned long long) * static_cast<std::size_t>(threads);
    check_cuda(cudaMalloc(&board_.done, per_thread), "cudaMalloc");
    check_cuda(cudaMalloc(&board_.phase, per_thread), "cudaMalloc");
    check_cuda(cudaMalloc(&board_.counter, sizeof(unsigned long long)), "cudaMalloc");
    check_cuda(cudaMalloc(&board_.wrong, sizeof(unsigned long long)), "cudaMalloc");
  }
  ~CudaSync() override {
    cudaFree(board_.done);
    cudaFree(board_.phase);
    cudaFree(board_.counter);
    cudaFree(board_.wrong);
  }

  void reset() override {
    const std::size_t per_thread = sizeof(unsigned long long) * static_cast<std::size_t>(threads_);
    check_cuda(cudaMemset(board_.done, 0, per_thread), "cudaMemset");
    check_cuda(cudaMemset(board_.phase, 0, per_thread), "cudaMemset");
    check_cuda(cudaMemset(board_.counter, 0, sizeof(unsigned long long)), "cudaMemset");
    check_cuda(cudaMemset(board_.wrong, 0, sizeof(unsigned long long)), "cudaMemset");
    check_cuda(cudaDeviceSynchronize(), "reset");
  }

  void run_reference(Shape shape) override {
    reference_kernel<<<blocks_, block_>>>(threads_, shape.delay, shape.inner);
    finish("reference kernel");
  }

  void run_test(Shape shape) override {
    switch (variant_.construct) {
      case Construct::fork_join:
        for (std::uint64_t i = 0; i < shape.inner; ++i) {
          fork_kernel<<<blocks_, block_>>>(board_, threads_, shape.delay);
          finish("fork kernel");
        }
        return;
      case Construct::barrier: {
        unsigned long long delay = shape.delay, inner = shape.inner;
        int threads = threads_;
        void* args[] = {&board_, &threads, &delay, &inner};
        check_cuda(cudaLaunchCooperativeKernel(reinterpret_cast<void*>(barrier_kernel), blocks_, block_, args),
                   "cooperative launch");
        break;
      }
      case Construct::atomic: atomic_kernel<<<blocks_, block_>>>(board_, threads_, shape.delay, shape.inner); break;
      case Construct::reduction:
        reduction_kernel<<<blocks_, block_>>>(board_, threads_, shape.delay, shape.inner);
        break;
      default: throw std::logic_error("not a CUDA construct");
    }
    finish("kernel");
  }

  // GPU threads are not tracked one by one: a launched grid runs every block, and a failed launch throws.
  int participants() override { return kNotTracked; }

  Tally tally() override {
    Tally t;
    t.done.resize(static_cast<std::size_t>(threads_));
    check_cuda(cudaMemcpy(t.done.data(), board_.done, sizeof(unsigned long long) * t.done.size(),
                          cudaMemcpyDeviceToHost),
               "cudaMemcpy");
    unsigned long long counter = 0, wrong = 0;
    check_cuda(cudaMemcpy(&counter, board_.counter, sizeof counter, cudaMemcpyDeviceToHost), "cudaMemcpy");
    check_cuda(cudaMemcpy(&wrong, board_.wrong, sizeof wrong, cudaMemcpyDeviceToHost), "cudaMemcpy");
    t.counter = counter;
    t.wrong = wrong;
    return t;
  }

 private:
  static void finish(const char* what) {
    check_cuda(cudaGetLastError(), what);
    check_cuda(cudaDeviceSynchronize(), what);
  }

  Variant variant_;
  int threads_;
  int blocks_ = 0, block_ = 0;
  DeviceBoard board_{};
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
  info.variants = {{Construct::fork_join, ""}, {Construct::barrier, ""}, {Construct::atomic, ""},
                   {Construct::reduction, ""}};
  // A launch + synchronize costs microseconds; a million threads' atomics on one address take long per instance.
  info.inner = [](const Variant& v) -> std::uint64_t { return v.construct == Construct::atomic ? 64 : 256; };
  info.default_workers = {256, 4096, 65536, 1048576};
  info.max_workers = kMaxAnyWorkers;
  info.cpu_workers = false;
  // Without a device no case is registered: the reason goes into the context (parbench_skipped_reason).
  info.unavailable = device_problem();
  int runtime = 0;
  cudaRuntimeGetVersion(&runtime);
  info.context = {{"cuda_runtime", std::to_string(runtime)},
                  {"cuda_device", info.unavailable.empty() ? device_name() : "none"}};
  info.make = [](const Variant& v, int threads) { return std::make_unique<CudaSync>(v, threads); };
  return info;
}

}  // namespace parbench::sync
