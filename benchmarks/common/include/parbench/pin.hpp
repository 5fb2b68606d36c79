// Optional pinning of a worker (thread or process) to one CPU, enabled by PARBENCH_PIN=cores (the harness sets it).
#pragma once

namespace parbench {

// Pins the calling thread to the worker-th CPU of the allowed set (wrapping around). No-op unless enabled.
void pin_worker(int worker);

}  // namespace parbench
