#include "parbench/shm.hpp"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace parbench {

SharedRegion::SharedRegion(std::size_t bytes) : bytes_(bytes) {
  data_ = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (data_ == MAP_FAILED)
    throw std::runtime_error("mmap of " + std::to_string(bytes) + " shared bytes failed: " + std::strerror(errno));
}

SharedRegion::~SharedRegion() {
  if (data_) munmap(data_, bytes_);
}

}  // namespace parbench
