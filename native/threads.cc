// SPDX-License-Identifier: MIT
// The process-wide thread table; see threads.h.

#include "threads.h"

#include <mutex>
#include <vector>

namespace dvpp_pool {
namespace {

// Process-global on purpose (see threads.h); leaked, so it outlives static destructors.
struct Table {
  std::mutex mutex;
  std::vector<bool> alive = {false};  // index 0 is never issued
};

Table& Threads() {
  static Table* table = new Table();
  return *table;
}

}  // namespace

uint32_t RegisterThreadId() {
  Table& table = Threads();
  std::lock_guard<std::mutex> lock(table.mutex);
  table.alive.push_back(true);
  return static_cast<uint32_t>(table.alive.size() - 1);
}

void EndThread(uint32_t id) {
  Table& table = Threads();
  std::lock_guard<std::mutex> lock(table.mutex);
  if (id != 0 && id < table.alive.size()) table.alive[id] = false;
}

bool ThreadAlive(uint32_t id, bool* issued) {
  Table& table = Threads();
  std::lock_guard<std::mutex> lock(table.mutex);
  *issued = id != 0 && id < table.alive.size();
  return *issued && table.alive[id];
}

}  // namespace dvpp_pool
