// messaging with CUDA: copies between host and device, one direction per variant, from pageable memory (the
// driver stages it through its own pinned buffer) or pinned memory (page-locked with cudaHostRegister). Worker 0
// is the sending side, worker 1 the receiving one; a copy's end is known by synchronising the stream, so there
// is no reply to count (ModelInfo::one_way): latency mode times single copies (each synchronised: one message in
// flight), bandwidth mode a window of cudaMemcpyAsync on one stream and one cudaStreamSynchronize (the ack).
// Every message is checked by its receiver: host to device, a one-block kernel computes the checksum of the
// device slot right after its copy, on the same stream, and the sums are compared after the round; device to
// host, the host checks each received slot (check_message) once its copy is synchronised. The device sender
// stamps its slot with a one-thread kernel before each copy, as the host sender stamps its pattern.
// Messages use `ring_depth` slots on each side in turn; at most that many are in flight.
// Without a device no case is registered: the context says why (parbench_skipped_reason).
#include <cuda_runtime.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "messaging/kernels.hpp"
#include "messaging/messaging.hpp"
#include "parbench/participation.hpp"

namespace parbench::messaging {
namespace {

void check_cuda(cudaError_t rc, const char* what) {
  if (rc != cudaSuccess) throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(rc));
}

constexpr int kSumThreads = 256;

// The checksum of kernels.cpp (sum of word XOR position), one block per message.
__global__ void device_checksum(const unsigned long long* words, std::size_t count, unsigned long long* sum) {
  __shared__ unsigned long long partial[kSumThreads];
  unsigned long long s = 0;
  for (std::size_t i = threadIdx.x; i < count; i += blockDim.x) s += words[i] ^ static_cast<unsigned long long>(i);
  partial[threadIdx.x] = s;
  __syncthreads();
  for (int half = blockDim.x / 2; half > 0; half /= 2) {
    if (threadIdx.x < half) partial[threadIdx.x] += partial[threadIdx.x + half];
    __syncthreads();
  }
  if (threadIdx.x == 0) *sum = partial[0];
}

// Pattern::stamp on the device: the message number's word first and last.
__global__ void device_stamp(unsigned long long* words, std::size_t count, unsigned long long stamp) {
  words[0] = stamp;
  words[count - 1] = stamp;
}

enum class Direction { to_device, to_host };

class CudaMessaging final : public Model {
 public:
  CudaMessaging(Direction direction, bool pinned, const Shape& shape)
      : direction_(direction), pinned_(pinned), bytes_(shape.bytes), depth_(ring_depth(shape.bytes, shape.window)) {
    check_cuda(cudaStreamCreate(&stream_), "cudaStreamCreate");
    check_cuda(cudaMalloc(&device_, depth_ * bytes_), "cudaMalloc");
    for (std::uint32_t s = 0; s < depth_; ++s) {
      patterns_.emplace_back(bytes_);
      buffers_.emplace_back(bytes_);
      if (pinned_) {
        check_cuda(cudaHostRegister(patterns_.back().data(), bytes_, cudaHostRegisterDefault), "cudaHostRegister");
        check_cuda(cudaHostRegister(buffers_.back().data(), bytes_, cudaHostRegisterDefault), "cudaHostRegister");
      }
      // The device sender's slots start as the pattern's body (stamped per message).
      check_cuda(cudaMemcpy(slot(s), patterns_.back().data(), bytes_, cudaMemcpyHostToDevice), "cudaMemcpy");
    }
  }
  ~CudaMessaging() override {
    cudaStreamSynchronize(stream_);
    if (pinned_)
      for (std::uint32_t s = 0; s < depth_; ++s) {
        cudaHostUnregister(patterns_[s].data());
        cudaHostUnregister(buffers_[s].data());
      }
    cudaFree(sums_);
    cudaFree(device_);
    cudaStreamDestroy(stream_);
  }

  void reset() override { tally_ = Tally{}; }

  void run_round(const Job& job) override {
    const bool latency = job.shape.mode == Mode::latency;
    const std::uint64_t trips = latency ? 2 * job.messages : job.messages;
    const std::uint64_t batch = latency ? 1 : std::min<std::uint64_t>(job.shape.window, depth_);
    if (direction_ == Direction::to_device && trips > sum_capacity_) {  // the warm-up round grows it
      cudaFree(sums_);
      check_cuda(cudaMalloc(&sums_, trips * sizeof(unsigned long long)), "cudaMalloc");
      sum_capacity_ = trips;
    }
    job_ = job;
    trips_ = trips;
    const std::size_t words = bytes_ / kWordBytes;
    for (std::uint64_t k = 0; k < trips; ++k) {
      const std::uint32_t s = static_cast<std::uint32_t>(k % depth_);
      if (direction_ == Direction::to_device) {
        patterns_[s].stamp(job.first + k);
        check_cuda(cudaMemcpyAsync(slot(s), patterns_[s].data(), bytes_, cudaMemcpyHostToDevice, stream_),
                   "cudaMemcpyAsync");
        device_checksum<<<1, kSumThreads, 0, stream_>>>(slot(s), words, sums_ + k);
      } else {
        device_stamp<<<1, 1, 0, stream_>>>(slot(s), words, stamp_of(job.first + k));
        check_cuda(cudaMemcpyAsync(buffers_[s].data(), slot(s), bytes_, cudaMemcpyDeviceToHost, stream_),
                   "cudaMemcpyAsync");
      }
      // End of a window (bandwidth), or of every copy (latency), or the slots are all in flight: wait for them.
      const bool window_end = (k + 1) % job.shape.window == 0 || latency;
      if (window_end || (k + 1) % batch == 0 || k + 1 == trips) {
        check_cuda(cudaStreamSynchronize(stream_), "cudaStreamSynchronize");
        check_cuda(cudaGetLastError(), "kernel launch");
        if (direction_ == Direction::to_host) check_received(k + 1, batch_start_);
        batch_start_ = k + 1;
      }
    }
    batch_start_ = 0;
  }

  int participants() override { return kNotTracked; }  // one host thread and the GPU: nothing to count

  RoundResult result() override {
    if (direction_ == Direction::to_device) {  // the device's sums, against the patterns the host sent
      std::vector<unsigned long long> sums(trips_);
      check_cuda(cudaMemcpy(sums.data(), sums_, trips_ * sizeof(unsigned long long), cudaMemcpyDeviceToHost),
                 "cudaMemcpy");
      for (std::uint64_t k = 0; k < trips_; ++k) {
        const Pattern& p = patterns_[k % depth_];
        ++tally_.received;
        if (sums[k] != p.expected(job_.first + k) && tally_.bad++ == 0) {
          tally_.first_bad = job_.first + k;
          tally_.first_bad_length = bytes_;
        }
      }
    }
    return {Tally{}, tally_};
  }

 private:
  unsigned long long* slot(std::uint32_t s) const {
    return reinterpret_cast<unsigned long long*>(static_cast<char*>(device_) + std::size_t{s} * bytes_);
  }
  // Device to host: checks trips [from, to), whose copies have just been synchronised.
  void check_received(std::uint64_t to, std::uint64_t from) {
    for (std::uint64_t k = from; k < to; ++k)
      check_message(tally_, patterns_[0], buffers_[k % depth_].data(), bytes_, job_.first + k);
  }

  Direction direction_;
  bool pinned_;
  std::size_t bytes_;
  std::uint32_t depth_;
  cudaStream_t stream_ = nullptr;
  void* device_ = nullptr;
  unsigned long long* sums_ = nullptr;
  std::uint64_t sum_capacity_ = 0;
  std::vector<Pattern> patterns_;  // the host sender's slots
  std::vector<Buffer> buffers_;    // the host receiver's slots
  Job job_;
  std::uint64_t trips_ = 0, batch_start_ = 0;
  Tally tally_;
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
  info.transports = {"h2d_pageable", "h2d_pinned", "d2h_pageable", "d2h_pinned"};
  info.one_way = true;
  info.unavailable = device_problem();
  int runtime = 0;
  cudaRuntimeGetVersion(&runtime);
  std::string device = "none";
  if (info.unavailable.empty()) {
    cudaDeviceProp props{};
    cudaGetDeviceProperties(&props, 0);
    device = props.name;
  }
  info.context = {{"cuda_runtime", std::to_string(runtime)}, {"cuda_device", device}};
  info.make = [](const std::string& name, int, const Shape& shape) -> std::unique_ptr<Model> {
    const Direction d = name.rfind("h2d", 0) == 0 ? Direction::to_device : Direction::to_host;
    const bool pinned = name.find("pinned") != std::string::npos;
    if (name != "h2d_pageable" && name != "h2d_pinned" && name != "d2h_pageable" && name != "d2h_pinned")
      throw std::logic_error("no cuda transport named " + name);
    return std::make_unique<CudaMessaging>(d, pinned, shape);
  };
  return info;
}

}  // namespace parbench::messaging
