// Memory shared between a parent and its forked children: an anonymous MAP_SHARED mapping made before fork.
// It has no name, so nothing is left in /dev/shm however the processes end (SIGKILL included).
#pragma once
#include <cstddef>
#include <new>
#include <utility>

namespace parbench {

class SharedRegion {
 public:
  explicit SharedRegion(std::size_t bytes);
  ~SharedRegion();
  SharedRegion(SharedRegion&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}
  SharedRegion(const SharedRegion&) = delete;
  SharedRegion& operator=(const SharedRegion&) = delete;
  void* data() const { return data_; }
  std::size_t bytes() const { return bytes_; }

 private:
  void* data_;
  std::size_t bytes_;
};

// One T constructed in its own shared region; the creating process destroys it.
template <class T>
class Shared {
 public:
  template <class... Args>
  explicit Shared(Args&&... args) : region_(sizeof(T)) {
    object_ = new (region_.data()) T(std::forward<Args>(args)...);
  }
  ~Shared() {
    if (object_) object_->~T();
  }
  Shared(const Shared&) = delete;
  Shared& operator=(const Shared&) = delete;
  T* operator->() const { return object_; }
  T& operator*() const { return *object_; }

 private:
  SharedRegion region_;
  T* object_ = nullptr;
};

}  // namespace parbench
