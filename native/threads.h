// SPDX-License-Identifier: MIT
// The process-wide table of threads (environments) that asked for an id: registerThread and
// threadAlive (functions.h), so that one thread can tell whether another can still run JS, e.g.
// whether the holder of a lock in shared memory is gone. Process-global by nature, like the
// shared-block table (shared_blocks.h): every environment reads every other's entry. An id is
// issued once per environment (Registry keeps it), counts up from 1 (0 is left for "no thread")
// and is never reused; it reads as ended from the environment's cleanup hook on (worker end,
// process.exit in a worker, terminate(), the main thread's normal end).
#ifndef DVPP_POOL_THREADS_H_
#define DVPP_POOL_THREADS_H_

#include <cstdint>

namespace dvpp_pool {

// A new id, alive until EndThread(id).
uint32_t RegisterThreadId();
void EndThread(uint32_t id);
// Whether `id` was issued and its environment has not ended; `*issued` says whether it was issued.
bool ThreadAlive(uint32_t id, bool* issued);

}  // namespace dvpp_pool

#endif  // DVPP_POOL_THREADS_H_
