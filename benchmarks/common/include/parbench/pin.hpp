// Optional pinning of a worker (thread or process) to one CPU, enabled by PARBENCH_PIN=cores (the harness sets it).
// Worker w gets the w-th CPU of an order that takes one CPU of every physical core before any SMT sibling
// (from hwloc), so that p workers on p cores never share a core; without hwloc, the allowed CPUs in OS order.
#pragma once
#include <pthread.h>

#include <string>
#include <utility>
#include <vector>

namespace parbench {

// Pins the calling thread to worker's CPU (wrapping around). No-op unless enabled.
void pin_worker(int worker);

// Pins another thread, from its spawner, right after creating it. A new thread inherits its spawner's mask, so
// pinning itself would first need its spawner's (busy) CPU.
void pin_thread(pthread_t thread, int worker);

// What a pinning model records in the JSON context: parbench_pin (the mode), parbench_pin_cpus (CPU of worker
// 0, 1, …) and parbench_pin_method (how that order was found).
std::vector<std::pair<std::string, std::string>> pin_context();

}  // namespace parbench
