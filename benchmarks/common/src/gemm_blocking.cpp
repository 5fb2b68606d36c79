// Cache detection and the cache blocking of the shared GEMM (docs/gemm.md).
#include <algorithm>
#include <fstream>
#include <stdexcept>
#include <string>

#include "parbench/gemm/gemm.hpp"
#include "parbench/gemm/microkernel.hpp"

#ifdef PARBENCH_HAVE_HWLOC
#include <hwloc.h>
#endif

namespace parbench::gemm {

namespace {

// Used for a level nothing reports (a container without sysfs caches): a small, common x86 core.
constexpr std::size_t kDefaultL1d = 32 << 10, kDefaultL2 = 256 << 10, kDefaultL3 = 8 << 20;

#ifdef PARBENCH_HAVE_HWLOC
bool from_hwloc(CacheSizes& caches) {
  hwloc_topology_t topology;
  if (hwloc_topology_init(&topology) != 0) return false;
  bool ok = false;
  if (hwloc_topology_load(topology) == 0) {
    // The caches above the first PU, i.e. those of the core this process starts on.
    hwloc_obj_t pu = hwloc_get_obj_by_type(topology, HWLOC_OBJ_PU, 0);
    for (hwloc_obj_t obj = pu ? pu->parent : nullptr; obj; obj = obj->parent) {
      if (!hwloc_obj_type_is_dcache(obj->type) || !obj->attr) continue;
      const auto& cache = obj->attr->cache;
      if (cache.type == HWLOC_OBJ_CACHE_INSTRUCTION) continue;
      const auto size = static_cast<std::size_t>(cache.size);
      if (cache.depth == 1) caches.l1d = size;
      if (cache.depth == 2) caches.l2 = size;
      if (cache.depth == 3) {
        caches.l3 = size;
        caches.l3_sharing_cpus = std::max(1, hwloc_bitmap_weight(obj->cpuset));
      }
    }
    ok = caches.l1d && caches.l2;
  }
  hwloc_topology_destroy(topology);
  return ok;
}
#endif

// "48K", "2048K", "105M" → bytes; 0 when unreadable.
std::size_t parse_sysfs_size(const std::string& text) {
  std::size_t value = 0, i = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') value = value * 10 + std::size_t(text[i++] - '0');
  if (i < text.size() && text[i] == 'K') value <<= 10;
  if (i < text.size() && text[i] == 'M') value <<= 20;
  return value;
}

std::string read_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// Number of CPUs in a sysfs list such as "0-3,8,10-11".
int count_cpu_list(const std::string& list) {
  int count = 0;
  std::size_t pos = 0;
  while (pos < list.size()) {
    std::size_t end = list.find(',', pos);
    if (end == std::string::npos) end = list.size();
    const std::string range = list.substr(pos, end - pos);
    const std::size_t dash = range.find('-');
    try {
      count += dash == std::string::npos ? 1 : std::stoi(range.substr(dash + 1)) - std::stoi(range.substr(0, dash)) + 1;
    } catch (const std::exception&) {
      return 1;
    }
    pos = end + 1;
  }
  return std::max(count, 1);
}

bool from_sysfs(CacheSizes& caches) {
  for (int index = 0; index < 16; ++index) {
    const std::string dir = "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index) + "/";
    const std::string level = read_line(dir + "level");
    if (level.empty()) break;
    if (read_line(dir + "type") == "Instruction") continue;
    const std::size_t size = parse_sysfs_size(read_line(dir + "size"));
    if (level == "1") caches.l1d = size;
    if (level == "2") caches.l2 = size;
    if (level == "3") {
      caches.l3 = size;
      caches.l3_sharing_cpus = count_cpu_list(read_line(dir + "shared_cpu_list"));
    }
  }
  return caches.l1d && caches.l2;
}

CacheSizes detect() {
  CacheSizes caches;
#ifdef PARBENCH_HAVE_HWLOC
  if (from_hwloc(caches)) {
    caches.source = "hwloc " PARBENCH_HWLOC_VERSION;
    return caches;
  }
  caches = {};
#endif
  if (from_sysfs(caches)) {
    caches.source = "sysfs";
    return caches;
  }
  return {0, 0, 0, 1, "defaults (no cache sizes from hwloc or sysfs)"};
}

std::size_t round_down(std::size_t x, std::size_t multiple) { return std::max(multiple, x / multiple * multiple); }
std::size_t round_up(std::size_t x, std::size_t multiple) { return (x + multiple - 1) / multiple * multiple; }

}  // namespace

const CacheSizes& detected_caches() {
  static const CacheSizes caches = detect();
  return caches;
}

template <class T>
Blocking blocking_for(const CacheSizes& caches) {
  using Kernel = detail::Selected<T>;
  Blocking blocking;
  blocking.kernel = detail::kKernelName;
  blocking.precision = sizeof(T) == 8 ? "fp64" : "fp32";
  blocking.mr = Kernel::mr;
  blocking.nr = Kernel::nv * Kernel::V::width;
  blocking.caches = caches;
  const std::size_t l1 = caches.l1d ? caches.l1d : kDefaultL1d;
  const std::size_t l2 = caches.l2 ? caches.l2 : kDefaultL2;
  const std::size_t l3 = (caches.l3 ? caches.l3 : kDefaultL3) / std::size_t(std::max(1, caches.l3_sharing_cpus));
  const std::size_t mr = std::size_t(blocking.mr), nr = std::size_t(blocking.nr);
  // kc: as deep as the kc×nr micro-panel of B can be while it fits twice L1d (at most 512). The textbook
  // choice, the micro-panel in half of L1, measured slowest here (Sapphire Rapids, 48 KiB L1d, n = 2048, against
  // OpenBLAS: kc 128 ~0.75, 256 ~0.86, 384 ~0.88, 512 ~0.90-0.95, in FP32 too): every micro-kernel call also
  // reads and writes its C tile, which kc steps amortise, while B lines that do not stay in L1 come back from L2
  // cheaply. A multiple of 8 keeps panels cache-line aligned.
  blocking.kc = std::clamp<std::size_t>(round_down(2 * l1 / (nr * sizeof(T)), 8), 32, 512);
  // mc: the packed mc×kc block of A, reused across the whole B panel, takes half of L2.
  blocking.mc = std::clamp<std::size_t>(round_down(l2 / 2 / (blocking.kc * sizeof(T)), mr), mr, 4096 / mr * mr);
  // nc: the packed kc×nc panel of B takes half of this core's share of L3, capped at 8192 columns (32 MiB at
  // kc = 512 in FP64) so that a workspace stays a modest per-worker allocation on machines with a huge L3.
  blocking.nc = std::clamp<std::size_t>(round_down(l3 / 2 / (blocking.kc * sizeof(T)), nr), nr, 8192 / nr * nr);
  blocking.rule = "kc·nr·size ≤ 2·L1d (kc ≤ 512), mc·kc·size ≤ L2/2, kc·nc·size ≤ (L3/sharing CPUs)/2";
  return blocking;
}

template <class T>
const Blocking& default_blocking() {
  static const Blocking blocking = blocking_for<T>(detected_caches());
  return blocking;
}

Blocking Blocking::with_sizes(std::size_t new_kc, std::size_t new_mc, std::size_t new_nc) const {
  // 2^16 per dimension keeps every panel's element count far from overflowing and its allocation sane.
  constexpr std::size_t kMax = 1 << 16;
  if (new_kc == 0 || new_mc == 0 || new_nc == 0 || new_kc > kMax || new_mc > kMax || new_nc > kMax)
    throw std::invalid_argument("gemm blocking: kc, mc and nc must be 1.." + std::to_string(kMax));
  Blocking copy = *this;
  copy.kc = new_kc;
  copy.mc = round_up(new_mc, std::size_t(mr));
  copy.nc = round_up(new_nc, std::size_t(nr));
  copy.rule = "set by the caller";
  return copy;
}

std::vector<std::pair<std::string, std::string>> Blocking::context() const {
  return {{"gemm_kernel", kernel},
          {"gemm_precision", precision},
          {"gemm_mr", std::to_string(mr)},
          {"gemm_nr", std::to_string(nr)},
          {"gemm_kc", std::to_string(kc)},
          {"gemm_mc", std::to_string(mc)},
          {"gemm_nc", std::to_string(nc)},
          {"gemm_l1d_bytes", std::to_string(caches.l1d)},
          {"gemm_l2_bytes", std::to_string(caches.l2)},
          {"gemm_l3_bytes", std::to_string(caches.l3)},
          {"gemm_l3_sharing_cpus", std::to_string(caches.l3_sharing_cpus)},
          {"gemm_cache_source", caches.source},
          {"gemm_blocking_rule", rule}};
}

template Blocking blocking_for<double>(const CacheSizes&);
template Blocking blocking_for<float>(const CacheSizes&);
template const Blocking& default_blocking<double>();
template const Blocking& default_blocking<float>();

}  // namespace parbench::gemm
