// The CPU clock as the cores run it, measured once per process. The nominal frequency the OS reports can be far
// from it (a VM's "2596 MHz" on cores running at 3.7 GHz); the rate check of every CPU case depends on it.
#pragma once
#include <string>

namespace parbench {

struct CpuClock {
  double hz = 0;       // 0: could not be measured
  std::string method;  // how, for the JSON context
};

// Measured on first use (~30 ms), then cached; what the JSON context records.
const CpuClock& measured_cpu_clock();

// Measured again now (~15 ms, no warm-up). A VM's clock can rise by 15% within a second of the process start,
// so a round that looks faster than possible at the first measurement is judged again at this one.
double cpu_hz_now();

}  // namespace parbench
