#include "parbench/pin.hpp"

#include <pthread.h>
#include <sched.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#ifdef PARBENCH_HAVE_HWLOC
#include <hwloc.h>
#endif

namespace parbench {

namespace {

struct CpuOrder {
  std::vector<int> cpus;  // worker w runs on cpus[w % size]
  std::string method;
};

// The CPUs this process may use (read before any worker is pinned: a pinned thread's own mask, inherited by the
// threads it spawns, would otherwise shrink the set to one CPU).
std::vector<int> allowed_cpus() {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) return cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
    if (CPU_ISSET(cpu, &allowed)) cpus.push_back(cpu);
  return cpus;
}

#ifdef PARBENCH_HAVE_HWLOC
// The allowed CPUs as: the first of every core, then the second of every core, … (distinct cores first).
// Empty when hwloc fails.
std::vector<int> cores_first(const std::vector<int>& allowed) {
  std::vector<int> order;
  hwloc_topology_t topology;
  if (hwloc_topology_init(&topology) != 0) return order;
  if (hwloc_topology_load(topology) == 0) {
    std::vector<std::vector<int>> per_core;
    const int cores = hwloc_get_nbobjs_by_type(topology, HWLOC_OBJ_CORE);
    for (int c = 0; c < cores; ++c) {
      hwloc_obj_t core = hwloc_get_obj_by_type(topology, HWLOC_OBJ_CORE, static_cast<unsigned>(c));
      std::vector<int> siblings;
      int pu = -1;
      while ((pu = hwloc_bitmap_next(core->cpuset, pu)) != -1)
        for (int a : allowed)
          if (a == pu) siblings.push_back(pu);
      if (!siblings.empty()) per_core.push_back(siblings);
    }
    for (std::size_t k = 0;; ++k) {
      bool any = false;
      for (const auto& siblings : per_core)
        if (k < siblings.size()) {
          order.push_back(siblings[k]);
          any = true;
        }
      if (!any) break;
    }
  }
  hwloc_topology_destroy(topology);
  if (order.size() != allowed.size()) order.clear();  // hwloc saw another CPU set: trust the kernel's
  return order;
}
#endif

CpuOrder find_order() {
  const std::vector<int> allowed = allowed_cpus();
#ifdef PARBENCH_HAVE_HWLOC
  if (std::vector<int> order = cores_first(allowed); !order.empty())
    return {order, "hwloc " PARBENCH_HWLOC_VERSION ": one CPU of every physical core, then SMT siblings"};
  return {allowed, "allowed CPUs in OS order (hwloc gave no usable topology)"};
#else
  return {allowed, "allowed CPUs in OS order (built without hwloc)"};
#endif
}

const CpuOrder& cpu_order() {
  static const CpuOrder order = find_order();
  return order;
}

bool enabled() {
  const char* mode = std::getenv("PARBENCH_PIN");
  return mode != nullptr && std::strcmp(mode, "cores") == 0;
}

}  // namespace

void pin_worker(int worker) { pin_thread(pthread_self(), worker); }

void pin_thread(pthread_t thread, int worker) {
  if (!enabled()) return;
  const std::vector<int>& cpus = cpu_order().cpus;
  if (cpus.empty()) return;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpus[static_cast<std::size_t>(worker) % cpus.size()], &one);
  pthread_setaffinity_np(thread, sizeof(one), &one);
}

std::vector<std::pair<std::string, std::string>> pin_context() {
  if (!enabled()) return {{"parbench_pin", "none"}};
  std::string cpus;
  for (int cpu : cpu_order().cpus) cpus += (cpus.empty() ? "" : ",") + std::to_string(cpu);
  return {{"parbench_pin", "cores"}, {"parbench_pin_cpus", cpus}, {"parbench_pin_method", cpu_order().method}};
}

}  // namespace parbench
