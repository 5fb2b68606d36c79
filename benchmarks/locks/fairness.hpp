// Moved to benchmarks/common (parbench/fairness.hpp) when a second workload (classics) needed it; kept here so
// the locks sources include it as before.
#pragma once
#include "parbench/fairness.hpp"

namespace parbench::locks {
using parbench::jain_index;
using parbench::Shares;
using parbench::shares;
}  // namespace parbench::locks
