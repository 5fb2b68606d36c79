#include "parbench/pin.hpp"

#include <pthread.h>
#include <sched.h>

#include <cstdlib>
#include <cstring>
#include <vector>

namespace parbench {

namespace {
// The CPUs this process may use, read once before any worker is pinned (a pinned thread's own mask, inherited
// by the threads it spawns, would otherwise shrink the set to one CPU).
std::vector<int> allowed_cpus() {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) return cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
    if (CPU_ISSET(cpu, &allowed)) cpus.push_back(cpu);
  return cpus;
}
}  // namespace

void pin_worker(int worker) { pin_thread(pthread_self(), worker); }

void pin_thread(pthread_t thread, int worker) {
  const char* mode = std::getenv("PARBENCH_PIN");
  if (mode == nullptr || std::strcmp(mode, "cores") != 0) return;
  static const std::vector<int> cpus = allowed_cpus();
  if (cpus.empty()) return;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpus[static_cast<std::size_t>(worker) % cpus.size()], &one);
  pthread_setaffinity_np(thread, sizeof(one), &one);
}

}  // namespace parbench
