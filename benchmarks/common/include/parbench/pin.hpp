// Optional pinning of a worker (thread or process) to one CPU, enabled by PARBENCH_PIN=cores (the harness sets it).
#pragma once
#include <pthread.h>

namespace parbench {

// Pins the calling thread to the worker-th CPU of the allowed set (wrapping around). No-op unless enabled.
void pin_worker(int worker);

// Pins another thread, from its spawner, right after creating it. A new thread inherits its spawner's mask, so
// pinning itself would first need its spawner's (busy) CPU.
void pin_thread(pthread_t thread, int worker);

}  // namespace parbench
