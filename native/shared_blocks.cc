// SPDX-License-Identifier: MIT
// The process-wide table of shared blocks; see shared_blocks.h.

#include "shared_blocks.h"

#include <unordered_map>
#include <utility>

namespace dvpp_pool {
namespace {

// Process-global on purpose (see shared_blocks.h). Leaked, so it outlives static destructors:
// an exit hook may still revoke a block while the process ends.
struct Table {
  std::mutex mutex;
  std::unordered_map<uint64_t, std::shared_ptr<SharedBlock>> live;
  uint64_t next_id = 1;
};

Table& Shared() {
  static Table* table = new Table();
  return *table;
}

}  // namespace

Access::Access(Access&& other) noexcept
    : memory_(std::exchange(other.memory_, nullptr)), shared_(std::exchange(other.shared_, nullptr)) {}

Access::~Access() {
  if (shared_ != nullptr) shared_->Leave();
}

std::shared_ptr<SharedBlock> SharedBlock::Register(Memory* memory, size_t size) {
  Table& table = Shared();
  std::lock_guard<std::mutex> lock(table.mutex);
  const uint64_t id = table.next_id++;
  auto shared = std::make_shared<SharedBlock>(id, memory, size);
  table.live.emplace(id, shared);
  return shared;
}

std::shared_ptr<SharedBlock> SharedBlock::Find(uint64_t id, bool* freed) {
  Table& table = Shared();
  std::lock_guard<std::mutex> lock(table.mutex);
  const auto found = table.live.find(id);
  if (found != table.live.end()) return found->second;
  *freed = id != 0 && id < table.next_id;
  return nullptr;
}

SharedBlock::SharedBlock(uint64_t id, Memory* memory, size_t size)
    : id_(id), base_(memory->Base()), size_(size), memory_(memory) {}

Access SharedBlock::Enter() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (memory_ == nullptr) return Access(nullptr);
  in_flight_++;
  return Access(memory_, this);
}

void SharedBlock::Leave() {
  std::lock_guard<std::mutex> lock(mutex_);
  // Only a revoking owner waits, and only for the count to reach 0.
  if (--in_flight_ == 0 && memory_ == nullptr) drained_.notify_all();
}

void SharedBlock::Revoke() {
  {
    Table& table = Shared();
    std::lock_guard<std::mutex> lock(table.mutex);
    table.live.erase(id_);
  }
  std::unique_lock<std::mutex> lock(mutex_);
  memory_ = nullptr;
  // Accesses are single native calls (one memcpy or ACL call), never a wait on JS: this ends.
  drained_.wait(lock, [this] { return in_flight_ == 0; });
}

}  // namespace dvpp_pool
